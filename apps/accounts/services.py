"""Writes to staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.accounts.models import Role, User
from apps.catalog.models import Manufacturer


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    manufacturer: str = ""


def demo_users_ensure(*, manufacturer_codes: tuple[str, str] | None = None) -> list[DemoLogin]:
    """Create (or reset) one demo login per role; for development and demos only.

    The two manufacturer logins belong to the first two national-brand manufacturers
    unless codes are given, so each sees a different maker's data.
    """
    if manufacturer_codes is None:
        codes = list(
            Manufacturer.objects.exclude(code="STORE")
            .order_by("code")
            .values_list("code", flat=True)[:2]
        )
    else:
        codes = list(manufacturer_codes)
    logins = [
        DemoLogin("admin", "admin-demo-pass", Role.ADMIN),
        DemoLogin("marketing", "marketing-demo-pass", Role.MARKETING),
        DemoLogin("cashier", "cashier-demo-pass", Role.CASHIER),
        DemoLogin("privacy", "privacy-demo-pass", Role.PRIVACY),
    ]
    logins += [
        DemoLogin(f"maker{i + 1}", f"maker{i + 1}-demo-pass", Role.MANUFACTURER, code)
        for i, code in enumerate(codes)
    ]
    with transaction.atomic():
        for login in logins:
            manufacturer = (
                Manufacturer.objects.get(code=login.manufacturer) if login.manufacturer else None
            )
            user, _ = User.objects.get_or_create(username=login.username)
            user.role = login.role
            user.manufacturer = manufacturer
            user.is_staff = user.is_superuser = login.role == Role.ADMIN
            user.is_active = True
            user.set_password(login.password)
            user.save()
    return logins


def user_set_language(*, user: User, language: str) -> None:
    """Store the user's language for their pages ("" follows the browser)."""
    user.language = language
    user.save(update_fields=["language"])
