"""Navigation entries for the signed-in user's role."""

from __future__ import annotations

from apps.accounts.models import Role

# (label, url name, roles allowed); admins see everything.
NAVIGATION = [
    ("Scan", "members:lookup", (Role.CASHIER, Role.MARKETING)),
    ("Members", "members:list", (Role.MARKETING,)),
    ("Segments", "segments:list", (Role.MARKETING,)),
    ("Value", "segments:member_value", (Role.MARKETING,)),
    ("Together", "segments:affinity", (Role.MARKETING,)),
    ("Imports", "baskets:import_list", (Role.MARKETING,)),
    ("Campaigns", "campaigns:list", (Role.MARKETING,)),
    ("Lists", "lists:index", (Role.MARKETING,)),
    ("Points", "rewards:rules", (Role.MARKETING,)),
    ("Settlement", "settlement:list", (Role.MARKETING, Role.MANUFACTURER)),
    ("Reports", "reports:loyalty", (Role.MARKETING,)),
    ("Portal", "portal:index", (Role.MANUFACTURER, Role.MARKETING)),
    ("Jobs", "jobs:list", (Role.MARKETING,)),
    ("Data rights", "privacy:home", (Role.PRIVACY,)),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(label, url) for label, url, roles in NAVIGATION if user.has_role(*roles)]
    return {"nav_items": items, "show_admin_link": user.is_staff}
