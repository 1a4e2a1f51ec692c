from django.urls import path

from apps.assets import views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("export.csv", views.asset_export, name="export"),
    path("new/<int:account_id>/", views.asset_choose_type, name="choose_type"),
    path("new/<int:account_id>/<str:asset_type>/", views.asset_create, name="create"),
    path("<int:asset_id>/", views.asset_detail, name="detail"),
    path("<int:asset_id>/resize/", views.asset_resize, name="resize"),
    path("<int:asset_id>/password/", views.asset_password, name="password"),
    path("<int:asset_id>/delete/", views.asset_delete, name="delete"),
    path("<int:asset_id>/hosting/<str:action>/", views.hosting_change, name="hosting_change"),
]
