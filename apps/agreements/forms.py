"""Forms of the settlement pages: a statement's agreement and period, a note on a transition."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.agreements.models import AgreementStatus, ManufacturerAgreement


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first and last day of the month before `today`'s."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ManufacturerAgreement) -> str:
        return gettext("%(manufacturer)s: %(name)s (%(start)s to %(end)s, %(status)s)") % {
            "manufacturer": obj.manufacturer.name,
            "name": obj.name,
            "start": date_format(obj.valid_from),
            "end": date_format(obj.valid_until),
            "status": obj.get_status_display().lower(),
        }


class StatementForm(forms.Form):
    agreement = AgreementChoiceField(
        queryset=ManufacturerAgreement.objects.exclude(status=AgreementStatus.DRAFT)
        .select_related("manufacturer")
        .order_by("manufacturer__name", "-valid_from", "name"),
        label=_("Agreement"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period_start = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    period_end = forms.DateField(
        label=_("Last day (included)"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", gettext("The period must end on or after its start."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Note (optional)"),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, placeholder: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["placeholder"] = placeholder
