from django.urls import path

from apps.rewards import opening_views, views

app_name = "rewards"

urlpatterns = [
    path("", views.earning_rules_view, name="rules"),
    path("tiers/", views.tiers_view, name="tiers"),
    path("imports/", opening_views.opening_imports_view, name="imports"),
    path("imports/<int:pk>/", opening_views.opening_import_detail_view, name="import_detail"),
    path("<str:card_number>/adjust/", views.points_adjust_view, name="adjust"),
]
