"""The desk's pages keep the addresses and names they have always had: /members/…, members:…"""

from django.urls import path

from apps.desk import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("lookup/", views.member_lookup, name="lookup"),
    path("<str:card_number>/", views.member_detail, name="detail"),
    path("<str:card_number>/consent/", views.member_consent, name="consent"),
]
