from django.urls import path

from apps.lists import views

app_name = "lists"
urlpatterns = [
    path("", views.list_index, name="index"),
    path("<str:barcode>/", views.list_detail, name="detail"),
    path("<str:barcode>/list.pdf", views.list_pdf_view, name="pdf"),
]
