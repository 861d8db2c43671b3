"""Deals in which a manufacturer funds part of the discounts on its products; settlement."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    BigIntegerRangeField,
    DateRangeField,
    RangeOperators,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class ManufacturerAgreement(models.Model):
    """The manufacturer pays `manufacturer_share_pct` % of each discount on covered products."""

    manufacturer = models.ForeignKey(
        "catalog.Manufacturer",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("manufacturer"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    brands = ArrayField(
        models.CharField(max_length=120),
        default=list,
        blank=True,
        help_text=_("Brands covered, comma-separated. Empty: every brand of the manufacturer."),
        verbose_name=_("brands"),
    )
    manufacturer_share_pct = models.DecimalField(
        # xgettext:no-python-format
        _("manufacturer's share of each discount (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    budget_cap = models.DecimalField(
        _("budget cap"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    valid_from = models.DateField(verbose_name=_("valid from"))
    valid_until = models.DateField(verbose_name=_("valid until"))
    status = models.CharField(
        max_length=10,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        verbose_name=_("status"),
    )
    reporting_included = models.BooleanField(
        _("anonymized reporting included"),
        default=False,
        help_text=_("The manufacturer's users may see anonymized reports for this agreement."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
        verbose_name = _("manufacturer agreement")
        verbose_name_plural = _("manufacturer agreements")

    def __str__(self) -> str:
        return f"{self.manufacturer.code}: {self.name}"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("Must be on or after the start date.")})


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("statement status", "Sent")
    PAID = "paid", pgettext_lazy("statement status", "Paid")


class SettlementStatement(models.Model):
    """The chain's claim on a manufacturer for one agreement and period (dates inclusive).

    A draft is computed live from the redemptions. Sending freezes it: the claimed
    redemptions become `SettlementLine` rows and the totals are stored, so a later return
    never changes a sent claim; it is credited on the next statement instead.
    """

    agreement = models.ForeignKey(
        ManufacturerAgreement,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("agreement"),
    )
    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(
        help_text=_("Last day of the period (included)."), verbose_name=_("period end")
    )
    status = models.CharField(
        max_length=5,
        choices=StatementStatus.choices,
        default=StatementStatus.DRAFT,
        verbose_name=_("status"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("paid by"),
    )
    # Frozen when sent; empty while a draft. The rest of a sent claim is its lines.
    amount_due = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("amount due")
    )
    budget_cap = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("budget cap")
    )
    cap_used = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("cap used")
    )
    reversed_count = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("reversed count")
    )
    reversed_discount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("reversed discount")
    )

    class Meta:
        ordering = ["-period_start", "agreement_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="statement_period_order",
            ),
            # Two statements of one agreement never cover the same day. The agreement is
            # compared as a one-point range so that plain GiST range operators suffice
            # (no btree_gist, which the embedded PostgreSQL of `make run` lacks).
            ExclusionConstraint(
                name="statement_no_overlap",
                expressions=[
                    (
                        Func(
                            F("agreement_id"),
                            F("agreement_id"),
                            Value("[]"),
                            function="int8range",
                            output_field=BigIntegerRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                    (
                        DateRange(F("period_start"), F("period_end"), Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
            models.CheckConstraint(
                condition=models.Q(status=StatementStatus.DRAFT)
                | models.Q(
                    sent_at__isnull=False,
                    amount_due__isnull=False,
                    budget_cap__isnull=False,
                    cap_used__isnull=False,
                    reversed_count__isnull=False,
                    reversed_discount__isnull=False,
                ),
                name="statement_sent_is_frozen",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=StatementStatus.PAID) | models.Q(paid_at__isnull=False),
                name="statement_paid_has_date",
            ),
        ]
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")

    def __str__(self) -> str:
        return (
            f"{self.number} {self.agreement} "
            f"{date_format(self.period_start)}–{date_format(self.period_end)}"
        )

    def get_absolute_url(self) -> str:
        return reverse("settlement:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"ST-{self.pk:05d}"

    @property
    def is_draft(self) -> bool:
        return self.status == StatementStatus.DRAFT

    @property
    def cap_left(self) -> Decimal | None:
        if self.budget_cap is None or self.cap_used is None:
            return None
        return max(self.budget_cap - self.cap_used, Decimal("0.00"))


class LineKind(models.TextChoices):
    CHARGE = "charge", pgettext_lazy("statement line", "Charge")
    CREDIT = "credit", pgettext_lazy("statement line", "Credit")


class SettlementLine(models.Model):
    """A redemption claimed on a sent statement (charge), or credited after its reversal.

    Amounts are stored positive as on the redemption; a credit is subtracted. Unique per
    (redemption, kind): a redemption is charged at most once and credited at most once.
    """

    statement = models.ForeignKey(
        SettlementStatement, on_delete=models.PROTECT, related_name="lines"
    )
    redemption = models.ForeignKey(
        "checkout.Redemption", on_delete=models.PROTECT, related_name="settlement_lines"
    )
    kind = models.CharField(max_length=6, choices=LineKind.choices)
    late = models.BooleanField(
        default=False,
        help_text=_("Charged after its own period: bought before this period."),
    )
    discount = models.DecimalField(max_digits=12, decimal_places=2)
    share = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["redemption", "kind"], name="settlement_line_once"),
            models.CheckConstraint(
                condition=models.Q(discount__gt=0, share__gte=0)
                & models.Q(share__lte=models.F("discount")),
                name="settlement_line_amounts",
            ),
        ]
        indexes = [models.Index(fields=["statement", "kind"], name="settlement_line_statement")]

    def __str__(self) -> str:
        return f"{self.kind} {self.redemption_id} on {self.statement_id}"


class StatementAction(models.TextChoices):
    CREATED = "created", pgettext_lazy("statement action", "Created")
    EDITED = "edited", pgettext_lazy("statement action", "Edited")
    SENT = "sent", pgettext_lazy("statement status", "Sent")
    PAID = "paid", pgettext_lazy("statement action", "Marked paid")


class StatementEvent(models.Model):
    """One line of a statement's audit trail: who did what when, with the changes."""

    statement = models.ForeignKey(
        SettlementStatement, on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=8, choices=StatementAction.choices)
    from_status = models.CharField(max_length=5, choices=StatementStatus.choices, blank=True)
    to_status = models.CharField(max_length=5, choices=StatementStatus.choices)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text=_("field: [old, new]"))

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        when = date_format(timezone.localtime(self.at), "DATETIME_FORMAT")
        return f"{self.statement_id} {self.action} {when}"
