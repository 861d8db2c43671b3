from django.urls import path

from apps.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("loyalty/", views.loyalty, name="loyalty"),
    path("redemption/", views.redemption, name="redemption"),
    path("refresh/", views.refresh, name="refresh"),
]
