from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.lists.services import ListRules


class GenerateForm(forms.Form):
    period_start = forms.DateField(
        label="Period start", widget=forms.DateInput(attrs={"type": "date"})
    )
    min_spend = forms.DecimalField(
        label="Minimum spend ($)", min_value=Decimal("0"), initial=ListRules.min_spend
    )
    weeks = forms.IntegerField(label="Over weeks", min_value=1, max_value=52, initial=8)
