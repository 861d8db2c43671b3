"""The lists page's form: which period to generate, and the eligibility rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.lists.services import ListRules, period_ended_error


class GenerateForm(forms.Form):
    period_start = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    min_spend = forms.DecimalField(
        label=_("Minimum spend ($)"), min_value=Decimal("0"), initial=ListRules.min_spend
    )
    weeks = forms.IntegerField(label=_("Over weeks"), min_value=1, max_value=52, initial=8)

    def clean_period_start(self):
        """Refuse a period that has ended: its lists could not be used by anyone."""
        start = self.cleaned_data["period_start"]
        error = period_ended_error(period_start=start)
        if error:
            raise forms.ValidationError(error, code="period_ended")
        return start
