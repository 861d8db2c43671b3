from django.urls import path

from apps.segments import views

app_name = "segments"
urlpatterns = [
    path("", views.snapshot_list, name="list"),
    path("affinity/", views.affinity, name="affinity"),
    path("member-value/", views.member_value, name="member_value"),
    path("member-value/fits/<int:pk>/make-live/", views.fit_make_live, name="fit_make_live"),
    path("<int:pk>/", views.snapshot_detail, name="detail"),
    path("<int:pk>/cell/<str:loyalty>/<int:tier>/", views.snapshot_cell, name="cell"),
]
