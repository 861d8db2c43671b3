from django.urls import path

from apps.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("makers/<str:code>/", views.manufacturer_home, name="manufacturer"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/release/", views.agreement_release, name="agreement_release"),
    path("agreements/<int:pk>/export.csv", views.agreement_export, name="agreement_export"),
    path(
        "agreements/<int:pk>/categories/<int:category_id>/",
        views.category_detail,
        name="category",
    ),
    path(
        "agreements/<int:pk>/categories/<int:category_id>/export.csv",
        views.category_export,
        name="category_export",
    ),
]
