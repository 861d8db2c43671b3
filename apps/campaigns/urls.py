from django.urls import path

from apps.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/members/<slug:group>/", views.campaign_members, name="members"),
    path("<int:pk>/approve/", views.campaign_approve, name="approve"),
    path("<int:pk>/activate/", views.campaign_activate, name="activate"),
    path("<int:pk>/end/", views.campaign_end, name="end"),
    # The confirm step of each of the three (GET); its button POSTs to the URL above.
    path(
        "<int:pk>/approve/confirm/",
        views.campaign_confirm,
        {"action": "approve"},
        name="approve_confirm",
    ),
    path(
        "<int:pk>/activate/confirm/",
        views.campaign_confirm,
        {"action": "activate"},
        name="activate_confirm",
    ),
    path("<int:pk>/end/confirm/", views.campaign_confirm, {"action": "end"}, name="end_confirm"),
]
