from django.urls import path

from apps.events import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_create, name="create"),
    path("<int:webhook_id>/", views.webhook_detail, name="detail"),
    path("<int:webhook_id>/edit/", views.webhook_edit, name="edit"),
    path("<int:webhook_id>/delete/", views.webhook_delete, name="delete"),
    path("deliveries/<int:delivery_id>/replay/", views.delivery_replay, name="replay"),
]
