from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.segments.fits import FitRefused, calibration_end_check
from apps.segments.selectors import basket_days


class RecomputeForm(forms.Form):
    """Window and thresholds of a recompute of every category's snapshot."""

    window_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    window_end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Exclusive.")
    )
    national_threshold = forms.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("1"), initial=Decimal("0.80"), decimal_places=3
    )
    store_threshold = forms.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("1"), initial=Decimal("0.20"), decimal_places=3
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["window_end"].initial = today
        self.fields["window_start"].initial = today - dt.timedelta(weeks=52)

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end <= start:
            self.add_error("window_end", _("Must be after the start."))
        national, store = data.get("national_threshold"), data.get("store_threshold")
        if national is not None and store is not None and store >= national:
            self.add_error("store_threshold", _("Must be below the national-brand threshold."))
        return data


class FitForm(forms.Form):
    """Calibration end of a member-value model fit: a day with baskets on or before it."""

    calibration_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The last day with data: the latest date the fit accepts.
        _, last = basket_days()
        self.fields["calibration_end"].initial = last or timezone.localdate()
        if last is not None:
            self.fields["calibration_end"].widget.attrs["max"] = last.isoformat()

    def clean_calibration_end(self) -> dt.date:
        day = self.cleaned_data["calibration_end"]
        try:
            calibration_end_check(calibration_end=day)
        except FitRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return day


class AffinityFilterForm(forms.Form):
    """The bought-together page's filter: one category, on either side of a rule, and the
    baskets a rule must be seen in (by default as many as campaigns ask: the rare pairs'
    huge lifts are noise and would otherwise lead the list)."""

    category = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("All categories"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    min_baskets = forms.IntegerField(
        label=_("Seen in at least (baskets with both)"),
        required=False,
        min_value=1,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, **kwargs):
        from apps.catalog.models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.order_by("name")
