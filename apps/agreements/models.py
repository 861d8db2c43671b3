"""Deals in which a manufacturer funds part of the discounts on its products."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class ManufacturerAgreement(models.Model):
    """The manufacturer pays `manufacturer_share_pct` % of each discount on covered products."""

    manufacturer = models.ForeignKey(
        "catalog.Manufacturer", on_delete=models.PROTECT, related_name="agreements"
    )
    name = models.CharField(max_length=200)
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+")
    brands = ArrayField(
        models.CharField(max_length=120),
        default=list,
        blank=True,
        help_text="Brands covered, comma-separated. Empty: every brand of the manufacturer.",
    )
    manufacturer_share_pct = models.DecimalField(
        "manufacturer's share of each discount (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    budget_cap = models.DecimalField(
        "budget cap", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(
        max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    reporting_included = models.BooleanField(
        "anonymized reporting included",
        default=False,
        help_text="The manufacturer's users may see anonymized reports for this agreement.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_range",
            ),
            models.CheckConstraint(
                condition=models.Q(manufacturer_share_pct__gte=0, manufacturer_share_pct__lte=100),
                name="agreement_share_pct_range",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_cap__gte=0), name="agreement_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer.code}: {self.name}"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "Must be on or after the start date."})
