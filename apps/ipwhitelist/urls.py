from django.urls import path

from apps.ipwhitelist import views

app_name = "ipwhitelist"

urlpatterns = [
    path("", views.whitelist, name="list"),
    path("<int:entry_id>/remove/", views.whitelist_remove, name="remove"),
]
