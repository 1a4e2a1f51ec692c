from django.urls import path

from apps.domains import views

app_name = "domains"

urlpatterns = [
    path("", views.domain_list, name="list"),
    path("register/", views.domain_register, name="register"),
    path("transfer/", views.domain_transfer, name="transfer"),
    path("<int:domain_id>/", views.domain_detail, name="detail"),
]
