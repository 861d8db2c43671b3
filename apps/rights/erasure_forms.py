"""Forms of the erasure pages: one member (type the card again, a reference) and a batch."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# A request's reference is its ticket number: letters, digits and a few separators, never
# a name or an address (the erasure keeps it for good).
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 #/._:-]{0,79}$")
REFERENCE_HELP = _("The request's ticket number, e.g. DPO-2026-0141. Never the member's name.")


def _reference_clean(value: str) -> str:
    value = value.strip()
    # A ticket number has a digit; a name has none.
    if not REFERENCE.match(value) or not any(ch.isdigit() for ch in value):
        raise forms.ValidationError(
            _("Give the request's ticket number (letters, digits, - / . # :), not a name.")
        )
    return value


class EraseForm(forms.Form):
    """Erase one member: the card typed again, the request's reference."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    card_number = forms.CharField(
        label=_("Type the card number again"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    reference = forms.CharField(
        label=_("Request reference"),
        max_length=80,
        help_text=REFERENCE_HELP,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )

    def __init__(self, *args, expected_card: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_card = expected_card

    def clean_card_number(self) -> str:
        typed = self.cleaned_data["card_number"].strip()
        if typed != self.expected_card:
            raise forms.ValidationError(_("This is not the card number of the member shown."))
        return typed

    def clean_reference(self) -> str:
        return _reference_clean(self.cleaned_data["reference"])


class EraseBatchForm(forms.Form):
    """A CSV of card numbers (header `card_number`) and the request's reference."""

    file = forms.FileField(
        label=_("CSV file of card numbers"),
        help_text=_("One column card_number, with that header on the first line; UTF-8."),
    )
    reference = forms.CharField(
        label=_("Request reference"),
        max_length=80,
        help_text=REFERENCE_HELP,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )

    def clean_reference(self) -> str:
        return _reference_clean(self.cleaned_data["reference"])
