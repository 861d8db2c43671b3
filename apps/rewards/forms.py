"""The staff adjustment of a member's points."""

from __future__ import annotations

import uuid

from django import forms

MAX_ADJUST = 1_000_000


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        min_value=-MAX_ADJUST,
        max_value=MAX_ADJUST,
        help_text="Points to add; negative to take away.",
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    reason = forms.CharField(
        max_length=200,
        help_text="Why: it stays with the ledger.",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    # A one-time token rendered with the form: sending it twice (a double click, a resent
    # page) adjusts once.
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"token": uuid.uuid4()})
        super().__init__(*args, **kwargs)
