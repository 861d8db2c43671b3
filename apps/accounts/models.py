"""Staff users and their role in the product."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    CASHIER = "cashier", _("Cashier")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    ADMIN = "admin", _("Administrator")
    # Answers members' data-rights requests: access exports and erasures.
    PRIVACY = "privacy", _("Privacy officer")


def role_check(roles: tuple[Role, ...]) -> None:
    """Refuse anything but `Role` members where roles are asked for."""
    strays = [role for role in roles if not isinstance(role, Role)]
    if strays:
        raise TypeError(f"Roles are Role members (Role.MARKETING …), not {strays!r}.")


class User(AbstractUser):
    """A staff user. Manufacturer users are tied to exactly one manufacturer."""

    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.CASHIER, verbose_name=_("role")
    )
    manufacturer = models.ForeignKey(
        "catalog.Manufacturer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Required for manufacturer users; empty for everyone else."),
        verbose_name=_("manufacturer"),
    )
    # The language of the user's pages; blank follows the browser (Accept-Language).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Blank: the browser's language."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.MANUFACTURER, manufacturer__isnull=False)
                    | (~models.Q(role=Role.MANUFACTURER) & models.Q(manufacturer__isnull=True))
                ),
                name="user_manufacturer_iff_role",
            )
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, *roles: Role) -> bool:
        """Return True for an active user with one of the roles; admins have every role.

        Roles are `Role` members: a string ("marketing", or a misspelt "marketting") is a
        TypeError, not a quiet "no".
        """
        role_check(roles)
        if not self.is_active:
            return False
        if self.is_superuser or self.role == Role.ADMIN:
            return True
        return self.role in roles
