from django.urls import path

from apps.agreements import views

app_name = "settlement"
urlpatterns = [
    path("", views.statement_list, name="list"),
    path("new/", views.statement_create, name="create"),
    path("<int:pk>/", views.statement_detail, name="detail"),
    path("<int:pk>/edit/", views.statement_edit, name="edit"),
    path("<int:pk>/csv/", views.statement_csv, name="csv"),
    path("<int:pk>/send/", views.statement_send, name="send"),
    path("<int:pk>/paid/", views.statement_mark_paid, name="paid"),
]
