from django.urls import path

from apps.rewards import views

app_name = "rewards"

urlpatterns = [
    path("", views.earning_rules_view, name="rules"),
    path("<str:card_number>/adjust/", views.points_adjust_view, name="adjust"),
]
