"""Navigation entries for the signed-in user's role."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role

# (label, url name, roles allowed); admins see everything.
NAVIGATION = [
    (_("Scan"), "members:lookup", (Role.CASHIER, Role.MARKETING)),
    (_("Members"), "members:list", (Role.MARKETING,)),
    (_("Segments"), "segments:list", (Role.MARKETING,)),
    (_("Value"), "segments:member_value", (Role.MARKETING,)),
    (_("Together"), "segments:affinity", (Role.MARKETING,)),
    (_("Imports"), "baskets:import_list", (Role.MARKETING,)),
    (_("Campaigns"), "campaigns:list", (Role.MARKETING,)),
    (_("Lists"), "lists:index", (Role.MARKETING,)),
    (_("Points"), "rewards:rules", (Role.MARKETING,)),
    (_("Settlement"), "settlement:list", (Role.MARKETING, Role.MANUFACTURER)),
    (_("Reports"), "reports:loyalty", (Role.MARKETING,)),
    (_("Portal"), "portal:index", (Role.MANUFACTURER, Role.MARKETING)),
    (_("Jobs"), "jobs:list", (Role.MARKETING,)),
    (_("Data rights"), "privacy:home", (Role.PRIVACY,)),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(label, url) for label, url, roles in NAVIGATION if user.has_role(*roles)]
    return {"nav_items": items, "show_admin_link": user.is_staff}
