"""The privacy officer's home: the retention policy and its last run, recent erasures."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path

from apps.accounts.models import Role
from apps.accounts.permissions import role_required


@role_required(Role.PRIVACY)
def home(request):
    return render(request, "privacy/home.html")


urlpatterns = [path("", home, name="home")]
