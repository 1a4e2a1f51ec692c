from django.urls import path

from apps.servicepacks import views

app_name = "servicepacks"

urlpatterns = [
    path("", views.servicepack_list, name="list"),
]
