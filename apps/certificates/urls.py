from django.urls import path

from apps.certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("hostings/<int:asset_id>/https/", views.https_switch, name="https"),
]
