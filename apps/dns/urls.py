from django.urls import path

from apps.dns import views

app_name = "dns"

urlpatterns = [
    path("accounts/<int:account_id>/", views.zone, name="zone"),
    path("accounts/<int:account_id>/records/", views.record_add, name="record_add"),
    path("records/<str:record_id>/delete/", views.record_delete, name="record_delete"),
]
