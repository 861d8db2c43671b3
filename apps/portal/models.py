"""Privacy budgets and the releases that spend them.

A `Release` is one agreement's report for one month, with noise, as it was published: every
page, chart and export reads it back, so asking again shows the same figures and costs
nothing. Its ε is charged to two `PrivacyBudget` rows, the agreement's and its
manufacturer's (agreement NULL), in the transaction that stores it. The releases are the
ledger; `spent` is the kept total, checked against them (`selectors.budget_drift`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PrivacyBudget(models.Model):
    """The ε a manufacturer (agreement NULL) or one of its agreements may spend in all."""

    manufacturer = models.ForeignKey(
        "catalog.Manufacturer",
        on_delete=models.PROTECT,
        related_name="privacy_budgets",
        verbose_name=_("manufacturer"),
    )
    agreement = models.OneToOneField(
        "agreements.ManufacturerAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="privacy_budget",
        verbose_name=_("agreement"),
    )
    limit = models.DecimalField(
        _("ε limit"),
        max_digits=9,
        decimal_places=4,
        help_text=_("The ε all releases may spend together. Raising it weakens the guarantee."),
    )
    spent = models.DecimalField(_("ε spent"), max_digits=9, decimal_places=4, default=Decimal(0))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer"],
                condition=models.Q(agreement__isnull=True),
                name="privacy_budget_one_per_manufacturer",
            ),
            models.CheckConstraint(
                condition=models.Q(spent__gte=0, limit__gt=0), name="privacy_budget_amounts"
            ),
        ]
        verbose_name = _("privacy budget")
        verbose_name_plural = _("privacy budgets")

    def __str__(self) -> str:
        whose = self.agreement or self.manufacturer
        return f"{whose}: ε {self.spent} of {self.limit}"

    @property
    def left(self) -> Decimal:
        return max(self.limit - self.spent, Decimal(0))


class Release(models.Model):
    """One agreement's report for one month, with noise, stored once and shown ever after."""

    agreement = models.ForeignKey(
        "agreements.ManufacturerAgreement",
        on_delete=models.PROTECT,
        related_name="releases",
        verbose_name=_("agreement"),
    )
    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    epsilon = models.DecimalField(_("ε spent"), max_digits=9, decimal_places=4)
    released_at = models.DateTimeField(auto_now_add=True, verbose_name=_("released at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("released by"),
    )
    # The parameters it was made with (ε per figure, cap, threshold, scales, bounds), the
    # categories and weeks it covers, notes, and the figures: exact billing figures,
    # noisy counts and money (cents), and the keys withheld under the threshold.
    params = models.JSONField(verbose_name=_("params"))
    content = models.JSONField(verbose_name=_("content"))

    class Meta:
        ordering = ["-period_start", "agreement_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "period_start"], name="release_once_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start"), epsilon__gte=0),
                name="release_period_and_epsilon",
            ),
        ]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.agreement} {self.period_start:%Y-%m}: ε {self.epsilon}"
