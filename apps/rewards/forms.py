"""The staff adjustment of a member's points."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ADJUST = 1_000_000


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        min_value=-MAX_ADJUST,
        max_value=MAX_ADJUST,
        label=_("Adjust by"),
        help_text=_("Points to add; negative to take away."),
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    reason = forms.CharField(
        max_length=200,
        label=_("Reason"),
        help_text=_("Why: it stays with the ledger."),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    # A one-time token rendered with the form: sending it twice (a double click, a resent
    # page) adjusts once.
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"token": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class EarningRuleForm(forms.ModelForm):
    """A new version of the earning rule, from a day on (today or later: the past stays as
    it was earned)."""

    class Meta:
        from apps.rewards.models import EarningRule

        model = EarningRule
        fields = ["points_per_dollar", "excluded_categories", "starts_on"]
        widgets = {
            "points_per_dollar": forms.NumberInput(
                attrs={"class": "form-control form-control-sm", "step": "0.01", "min": "0"}
            ),
            "excluded_categories": forms.SelectMultiple(
                attrs={"class": "form-select form-select-sm", "size": 8}
            ),
            "starts_on": forms.DateInput(
                attrs={"class": "form-control form-control-sm", "type": "date"}
            ),
        }
        labels = {
            "points_per_dollar": _("Points per dollar"),
            "excluded_categories": _("Excluded categories"),
            "starts_on": _("From"),
        }

    def __init__(self, *args, today=None, **kwargs):
        from django.utils import timezone

        self.today = today or timezone.localdate()
        kwargs.setdefault("initial", {}).setdefault("starts_on", self.today)
        super().__init__(*args, **kwargs)
        self.fields["excluded_categories"].queryset = self.fields[
            "excluded_categories"
        ].queryset.order_by("department", "name")

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        if day < self.today:
            raise forms.ValidationError(_("A rule starts today or later: points earned stay."))
        return day


class OpeningBalanceForm(forms.Form):
    """The CSV file of opening balances from a previous programme (one file at a time)."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV file with the columns card_number, points, earned_on (YYYY-MM-DD)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."), code="bad_name")
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        head = upload.read(2)
        upload.seek(0)
        if head == b"\x1f\x8b":
            raise forms.ValidationError(
                _("The file is gzip-compressed: unzip it first."), code="gzip"
            )
        return upload
