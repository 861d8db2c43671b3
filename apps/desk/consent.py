"""The member page's consent section: each channel's consent now, its history, and the form
that records a consent given or withdrawn on the member's word (apps.members.consent writes).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Count, Window
from django.utils.translation import gettext_lazy as _

from apps.members.models import Channel, ConsentChange, ConsentSource, Member

HISTORY_SHOWN = 20
# Staff record what the member said: at the desk or on the phone (staff) or on a paper form.
STAFF_SOURCES = [
    (ConsentSource.STAFF.value, ConsentSource.STAFF.label),
    (ConsentSource.FORM.value, _("Signed form")),
]


class ConsentForm(forms.Form):
    """One channel's consent, given or withdrawn, with where it came from and a short note."""

    channel = forms.ChoiceField(
        choices=Channel.choices,
        label=_("Channel"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    given = forms.TypedChoiceField(
        choices=[("yes", _("Given")), ("no", _("Withdrawn"))],
        coerce=lambda value: value == "yes",
        label=_("Consent"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    source = forms.ChoiceField(
        choices=STAFF_SOURCES,
        label=_("How"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        max_length=ConsentChange._meta.get_field("note").max_length,
        required=False,
        label=_("Note"),
        help_text=_("Optional: how the member asked. No other personal data."),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


@dataclass(frozen=True)
class ChannelConsent:
    """A channel's consent now and the change that set it (None: no history, e.g. never)."""

    channel: str
    label: str
    given: bool
    last: ConsentChange | None


@dataclass(frozen=True)
class ConsentSection:
    channels: list[ChannelConsent]
    history: list[ConsentChange]
    total: int

    @property
    def more(self) -> int:
        """How many older changes the page leaves out."""
        return max(0, self.total - len(self.history))


def consent_section(*, member: Member) -> ConsentSection:
    """Return the member's consent by channel and the newest changes; two queries."""
    changes = ConsentChange.objects.filter(member=member)
    latest = {c.channel: c for c in changes.order_by("channel", "-at", "-id").distinct("channel")}
    history = list(
        changes.annotate(total=Window(Count("id"))).order_by("-at", "-id")[:HISTORY_SHOWN]
    )
    return ConsentSection(
        channels=[
            ChannelConsent(
                channel=channel.value,
                label=channel.label,
                given=getattr(member, f"consent_{channel.value}"),
                last=latest.get(channel.value),
            )
            for channel in Channel
        ],
        history=history,
        total=history[0].total if history else 0,
    )
