"""Routes of the panel's shell (namespace `panel`), and the sign-in routes (`auth_urlpatterns`).

The sign-in routes carry no namespace: Django's auth views and settings (`LOGIN_URL = "login"`) reverse the plain
names `login`, `password_reset_done`, `password_change_done`, ...
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from apps.panel import views

app_name = "panel"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/", views.switch_reseller, name="switch"),
    path("audit/", views.audit_log, name="audit"),
]

auth_urlpatterns = [
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("login/two-factor/", views.login_two_factor, name="login_two_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
