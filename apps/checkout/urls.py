from django.urls import path

from apps.checkout import views

app_name = "checkout"
urlpatterns = [
    path("api/pos/checkout", views.checkout, name="checkout"),
]
