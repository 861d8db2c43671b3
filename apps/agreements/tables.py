"""The statement list: paged, sortable, exportable."""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.agreements.models import SettlementStatement
from apps.core.money import MoneyColumn

STATUS_COLORS = {"draft": "secondary", "sent": "primary", "paid": "success"}


def _local_day(moment: dt.datetime | None) -> str:
    """Return the local day of a moment in ISO, for the CSV (the page shows the site format)."""
    return timezone.localdate(moment).isoformat() if moment else ""


def status_badge(statement: SettlementStatement) -> str:
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_COLORS.get(statement.status, "secondary"),
        statement.get_status_display(),
    )


class StatementTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Statement"),
        accessor="pk",
        linkify=True,
        attrs={"td": {"class": "font-monospace"}},
    )
    manufacturer = tables.Column(
        accessor="agreement__manufacturer__name", verbose_name=_("Manufacturer")
    )
    agreement = tables.Column(accessor="agreement__name", verbose_name=_("Agreement"))
    period_start = tables.DateColumn(verbose_name=pgettext_lazy("period", "From"))
    period_end = tables.DateColumn(verbose_name=pgettext_lazy("period", "To"))
    status = tables.Column(verbose_name=_("Status"))
    # A draft's live amount (what its page shows), a sent one's frozen amount: the queryset
    # comes from selectors.statements_with_amount_due.
    amount_due = MoneyColumn(
        verbose_name=_("Amount due"), accessor="amount_due_now", order_by="amount_due_now"
    )
    sent_at = tables.DateColumn(verbose_name=pgettext_lazy("statement date", "Sent"))
    paid_at = tables.DateColumn(verbose_name=pgettext_lazy("statement date", "Paid"))

    class Meta:
        model = SettlementStatement
        fields = ["period_start", "period_end", "status", "amount_due", "sent_at", "paid_at"]
        sequence = ["number", "manufacturer", "agreement", *fields]
        order_by = ("-period_start",)
        empty_text = _("No statement matches.")

    def render_number(self, record):
        return record.number

    def value_number(self, record):
        return record.number

    def render_status(self, record):
        return status_badge(record)

    def value_sent_at(self, value):
        return _local_day(value)

    def value_paid_at(self, value):
        return _local_day(value)

    def value_status(self, record):
        return record.status
