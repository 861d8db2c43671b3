"""Landing page: send each role to where its work starts."""

from __future__ import annotations

from django.shortcuts import redirect, render

from apps.accounts.models import Role


def home(request):
    """Redirect to the role's main page."""
    user = request.user
    if user.has_role(Role.MARKETING):
        return redirect("members:list")
    if user.has_role(Role.CASHIER):
        return redirect("members:lookup")
    if user.has_role(Role.MANUFACTURER):
        return redirect("portal:index")
    if user.has_role(Role.PRIVACY):
        return redirect("privacy:home")
    return render(request, "accounts/home.html")
