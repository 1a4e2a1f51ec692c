"""This app's API v2 routes (included by apps/api/urls.py)."""

from django.urls import path

from apps.accounts import api

urlpatterns = [
    path("accounts", api.AccountList.as_view(), name="accounts"),
    path("accounts/bulk", api.AccountBulk.as_view(), name="accounts-bulk"),
    path("accounts/<int:account_id>", api.AccountDetail.as_view(), name="account"),
    path("accounts/<int:account_id>/servicepack", api.AccountServicepack.as_view(), name="account-servicepack"),
    path("accounts/<int:account_id>/suspension", api.AccountSuspension.as_view(), name="account-suspension"),
]
