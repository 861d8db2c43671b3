from django.urls import path

from apps.baskets import views

app_name = "baskets"
urlpatterns = [
    path("", views.import_list, name="import_list"),
]
