from django.urls import path

from apps.apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("", views.index, name="index"),
    path("keys/", views.api_key_list, name="key_list"),
    path("keys/new/", views.api_key_create, name="key_create"),
    path("keys/<int:api_key_id>/created/", views.api_key_created, name="key_created"),
    path("keys/<int:api_key_id>/revoke/", views.api_key_revoke, name="key_revoke"),
    path("oauth/", views.oauth_list, name="oauth_list"),
    path("oauth/new/", views.oauth_create, name="oauth_create"),
    path("oauth/<int:application_id>/created/", views.oauth_created, name="oauth_created"),
    path("oauth/<int:application_id>/edit/", views.oauth_edit, name="oauth_edit"),
    path("oauth/<int:application_id>/delete/", views.oauth_delete, name="oauth_delete"),
]
