"""The period filter of the report pages."""

from __future__ import annotations

import datetime as dt

from django import forms

from apps.portal.selectors import Period

MAX_DAYS = 731


class PeriodForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Included.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "Must be on or after the start.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", f"A period is at most {MAX_DAYS} days.")
        return data


def period_from_request(query, *, default: Period) -> tuple[PeriodForm, Period]:
    """Return the bound form and the period it asks for, or the default when it is invalid
    or absent (the form then shows why)."""
    if "start" not in query and "end" not in query:
        form = PeriodForm(initial={"start": default.start, "end": default.end})
        return form, default
    form = PeriodForm(query)
    if form.is_valid():
        return form, Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, default


def agreement_default_period(agreement, *, today: dt.date) -> Period:
    """The agreement's term so far (its whole term if it has not started)."""
    end = min(agreement.valid_until, today)
    if end < agreement.valid_from:
        end = agreement.valid_until
    return Period(agreement.valid_from, end)
