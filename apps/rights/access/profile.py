"""The member's profile, consent history and, once erased, the erasure's record."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.members.models import ConsentChange, Member
from apps.rights.access.base import Section, Table
from apps.rights.models import Erasure

SECTION = Section(
    key="profile",
    title=_("Profile and consent"),
    why=_(
        "The card holder's details as given on the sign-up form or at the till: to recognise "
        "the card, send the list the member asked for and keep the household's figures. "
        "Consent: which channels the member agreed to, when, how and who recorded it, so "
        "that the chain contacts no one who did not agree."
    ),
    tables=(
        Table(
            Member,
            _("Profile (every field of the member's row)"),
            lambda m: Member.objects.filter(pk=m.pk),
        ),
        Table(
            ConsentChange,
            _("Consent given and withdrawn"),
            lambda m: ConsentChange.objects.filter(member=m).order_by("at", "id"),
        ),
        Table(Erasure, _("Erasure"), lambda m: Erasure.objects.filter(member=m)),
    ),
)
