"""The dashboard's filters: a month range, a home store and a category."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.baskets.models import Store
from apps.catalog.models import Category

MONTH_FORMAT = "%Y-%m"


def add_months(month: dt.date, months: int) -> dt.date:
    """Return the first day of the month `months` after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class ReportFilters:
    """Cleaned filters: first days of the first and last month, optional store and category."""

    month_from: dt.date
    month_to: dt.date
    store_id: int | None = None
    category_id: int | None = None

    @property
    def end(self) -> dt.date:
        """The day after the period (exclusive end)."""
        return add_months(self.month_to, 1)


class MonthField(forms.DateField):
    """A calendar month, typed as YYYY-MM (the browser's month picker); cleans to its day 1."""

    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)
    input_formats = [MONTH_FORMAT]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class ReportFilterForm(forms.Form):
    month_from = MonthField(label=_("From month"), required=False)
    month_to = MonthField(label=_("To month"), required=False)
    store = forms.ModelChoiceField(
        Store.objects.order_by("code"),
        label=_("Store"),
        required=False,
        empty_label=_("All stores"),
    )
    category = forms.ModelChoiceField(
        Category.objects.order_by("name"),
        label=_("Category"),
        required=False,
        empty_label=_("All categories"),
    )

    def __init__(self, *args, default_month: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        # The template draws the inputs from the cleaned filters (and the selects by a
        # loop): a bound form would show empty months when only a store was chosen.
        self.default_month = default_month

    def clean(self):
        data = super().clean()
        month_to = data.get("month_to") or self.default_month
        month_from = data.get("month_from") or add_months(month_to, -11)
        if month_from > month_to:
            self.add_error("month_from", _("Must not be after the last month."))
        data["month_from"], data["month_to"] = month_from, month_to
        return data

    def filters(self) -> ReportFilters:
        """Return the filters (defaults: the 12 months up to the latest refreshed month)."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return ReportFilters(
                month_from=data["month_from"],
                month_to=data["month_to"],
                store_id=data["store"].pk if data["store"] else None,
                category_id=data["category"].pk if data["category"] else None,
            )
        return ReportFilters(
            month_from=add_months(self.default_month, -11), month_to=self.default_month
        )
