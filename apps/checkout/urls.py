from django.urls import path

from apps.checkout import views

app_name = "checkout"
urlpatterns = [
    path("api/pos/checkout", views.checkout, name="checkout"),
    path("api/pos/return", views.return_, name="return"),
    path("api/pos/openapi.json", views.openapi, name="openapi"),
]
