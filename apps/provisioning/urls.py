from django.urls import path

from apps.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("<uuid:job_id>/retry/", views.job_retry, name="job_retry"),
]
