"""The month chooser of the report pages: a reporting period is a calendar month."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.portal.periods import Period


class MonthForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"), choices=())

    def __init__(self, *args, months: list[Period], **kwargs):
        super().__init__(*args, **kwargs)
        self.months = months
        self.fields["month"].choices = [(m.key, m.label) for m in months]

    def period(self) -> Period:
        return Period.parse(self.cleaned_data["month"])


def month_from_request(query, *, months: list[Period]) -> tuple[MonthForm, Period | None]:
    """Return the bound form and the month it asks for, else the latest month (the form
    then says why); None when the agreement has no month to report yet.

    A `start`/`end` pair (links from before months) is read as that month when it covers
    exactly one calendar month; any other range is refused, so that no two answers differ
    by a few days.
    """
    default = months[0] if months else None
    data = {}
    if "month" in query:
        data["month"] = query["month"]
    elif "start" in query or "end" in query:
        try:
            start = dt.date.fromisoformat(query.get("start", ""))
            end = dt.date.fromisoformat(query.get("end", ""))
            month = Period.of_day(start)
            data["month"] = month.key if (start, end) == (month.start, month.end) else "range"
        except ValueError:
            data["month"] = "range"
    if not data:
        return MonthForm(initial={"month": default and default.key}, months=months), default
    form = MonthForm(data, months=months)
    if form.is_valid():
        return form, form.period()
    if data["month"] == "range":
        form.errors["month"] = form.error_class(
            [gettext("Reports cover whole calendar months, each released once: pick a month.")]
        )
    else:
        form.errors["month"] = form.error_class(
            [gettext("Pick a month of the agreement's term that has ended.")]
        )
    return form, default
