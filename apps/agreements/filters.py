"""Filters of the statement list: manufacturer, status, and a period the statement overlaps."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.agreements.models import SettlementStatement, StatementStatus
from apps.catalog.models import Manufacturer


class StatementFilter(django_filters.FilterSet):
    manufacturer = django_filters.ModelChoiceFilter(
        field_name="agreement__manufacturer",
        queryset=Manufacturer.objects.filter(agreements__isnull=False).distinct(),
        label=_("Manufacturer"),
        empty_label=_("Any manufacturer"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=StatementStatus.choices, empty_label=_("Any status")
    )
    period_from = django_filters.DateFilter(
        field_name="period_end",
        lookup_expr="gte",
        label=_("Period from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_to = django_filters.DateFilter(
        field_name="period_start",
        lookup_expr="lte",
        label=_("Period to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = SettlementStatement
        fields: list[str] = []

    def __init__(self, *args, manufacturer_filter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not manufacturer_filter:
            del self.filters["manufacturer"]
        for name, f in self.form.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(f.widget, forms.Select)
                else ("form-control form-control-sm")
            )
            f.widget.attrs.setdefault("class", css)
            f.widget.attrs.setdefault("id", f"filter-{name}")
