"""The marketing member table."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.money import MoneyColumn
from apps.members.models import Member, MemberStatus


class MemberTable(tables.Table):
    card_number = tables.Column(
        verbose_name=_("Card"), linkify=True, attrs={"td": {"class": "font-monospace"}}
    )
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="display_name",
        order_by=("last_name", "first_name", "card_number"),
        # A long name is cut with an ellipsis (static/css/app.css, td[title]); the title
        # shows it whole.
        attrs={"td": {"title": lambda value: value}},
    )
    postal_code = tables.Column(verbose_name=_("Postal code"))
    joined_on = tables.DateColumn(verbose_name=_("Joined"), format="Y-m-d")
    status = tables.Column(verbose_name=_("Status"))
    last_visit = tables.DateColumn(
        verbose_name=_("Last visit"), format="Y-m-d", attrs={"td": {"class": "text-nowrap"}}
    )
    spend_52w = MoneyColumn(verbose_name=_("Spend, 52 weeks"))

    class Meta:
        model = Member
        fields = ["card_number", "name", "postal_code", "joined_on", "status"]
        sequence = [*fields, "last_visit", "spend_52w"]
        empty_text = _("No member matches these filters.")
        order_by = "card_number"

    def render_status(self, value, record):
        if record.status == MemberStatus.CLOSED:
            return format_html('<span class="badge text-bg-danger">{}</span>', value)
        return format_html('<span class="text-muted small">{}</span>', value)

    def order_last_visit(self, queryset, is_descending):
        # Members never seen sort last either way.
        field = F("last_visit")
        order = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(order, "card_number"), True
