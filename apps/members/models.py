"""Club members: one card, one household."""

from __future__ import annotations

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F, Func, Value
from django.db.models.functions import Upper
from django.urls import reverse


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Member(models.Model):
    """A loyalty-card holder (a household). Cards may exist before the form is filed."""

    card_number = models.CharField(max_length=32, unique=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    # Digits only, so that a cashier may type a phone number any way it is written.
    # A generated column, so bulk COPY loads keep it right too.
    phone_digits = models.GeneratedField(
        expression=Func(
            F("phone"), Value("[^0-9]"), Value(""), Value("g"), function="regexp_replace"
        ),
        output_field=models.CharField(max_length=32),
        db_persist=True,
    )
    postal_code = models.CharField(max_length=16, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    household_size = models.PositiveSmallIntegerField(null=True, blank=True)
    children = models.PositiveSmallIntegerField(null=True, blank=True)
    marketing_consent = models.BooleanField(default=True)
    # Optional, and kept only with the member's consent to a birthday reward (an import
    # without that consent leaves it empty): the list of the period holding it carries a gift.
    birth_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["card_number"]
        indexes = [
            # Cashier lookup: exact card, phone (any formatting), or name prefix.
            models.Index(
                OpClass(Upper("last_name"), name="text_pattern_ops"),
                name="member_last_name_prefix",
            ),
            models.Index(
                OpClass(Upper("first_name"), name="text_pattern_ops"),
                name="member_first_name_prefix",
            ),
            models.Index(fields=["phone_digits"], name="member_phone_digits"),
            models.Index(fields=["status"], name="member_status"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.card_number])

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or f"Card {self.card_number}"
