from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("export.csv", views.account_export, name="export"),
    path("bulk/", views.account_bulk, name="bulk"),
    path("<int:account_id>/", views.account_detail, name="detail"),
    path("<int:account_id>/suspend/", views.account_suspend, name="suspend"),
    path("<int:account_id>/unsuspend/", views.account_unsuspend, name="unsuspend"),
    path("<int:account_id>/servicepack/", views.account_change_servicepack, name="change_servicepack"),
    path("<int:account_id>/delete/", views.account_delete, name="delete"),
    path("<int:account_id>/contact/", views.account_contact, name="contact"),
    path("<int:account_id>/welcome-email/", views.account_welcome_email, name="welcome_email"),
]
