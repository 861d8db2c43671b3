"""Staff users and their role in the product."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    CASHIER = "cashier", "Cashier"
    MANUFACTURER = "manufacturer", "Manufacturer"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    """A staff user. Manufacturer users are tied to exactly one manufacturer."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CASHIER)
    manufacturer = models.ForeignKey(
        "catalog.Manufacturer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Required for manufacturer users; empty for everyone else.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="manufacturer", manufacturer__isnull=False)
                    | (~models.Q(role="manufacturer") & models.Q(manufacturer__isnull=True))
                ),
                name="user_manufacturer_iff_role",
            )
        ]

    def has_role(self, *roles: str) -> bool:
        """Return True for an active user with one of the roles; admins have every role."""
        if not self.is_active:
            return False
        if self.is_superuser or self.role == Role.ADMIN:
            return True
        return self.role in roles
