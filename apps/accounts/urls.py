from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:account_id>/", views.account_detail, name="detail"),
    path("<int:account_id>/suspend/", views.account_suspend, name="suspend"),
    path("<int:account_id>/unsuspend/", views.account_unsuspend, name="unsuspend"),
    path("<int:account_id>/servicepack/", views.account_change_servicepack, name="change_servicepack"),
    path("<int:account_id>/delete/", views.account_delete, name="delete"),
]
