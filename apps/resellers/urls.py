"""Panel routes of the reseller itself (namespace `resellers`): its members."""

from django.urls import path

from apps.resellers import views

app_name = "resellers"

urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/level/", views.member_level, name="member_level"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("members/two-factor/", views.two_factor, name="two_factor"),
]
