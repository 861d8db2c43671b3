"""The audit events about the member, without what they say about other people.

Found by what the writers put in them: `object_type` "member" with the member's id (the
privacy pages, consent and erasure) or card number (a cashier's lookup that found one
member); a lookup's `cards` (every member it showed) or scanned `code` (a card or a list's
barcode); the redemption and reversal triggers' `member` (apps/audit/migrations/0002).

Left out: the staff member's IP address (theirs, not the member's). A lookup that showed
several members lists only this member's card; the others are counted, not named.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AuditEvent
from apps.lists.models import ShoppingList
from apps.members.models import Member
from apps.rights.access.base import Section, Table


def _events(member: Member):
    barcodes = list(ShoppingList.objects.filter(member=member).values_list("barcode", flat=True))
    ids = [str(member.pk), member.card_number]
    return AuditEvent.objects.filter(
        Q(object_type="member", object_id__in=ids)
        | Q(detail__cards__contains=[member.card_number])
        | Q(detail__code__in=[member.card_number, *barcodes])
        | Q(detail__member=member.pk)
    ).order_by("at", "id")


def _without_others(row: dict, member: Member) -> dict:
    detail = row.get("detail")
    if isinstance(detail, dict) and isinstance(detail.get("cards"), list):
        cards = detail["cards"]
        mine = [card for card in cards if card == member.card_number]
        row = {**row, "detail": {**detail, "cards": mine, "other_members": len(cards) - len(mine)}}
    return row


SECTION = Section(
    key="audit",
    title=_("Audit trail: who looked at or changed the member's data"),
    why=_(
        "Every lookup of the card at a till, every view of the full record by staff, every "
        "export, consent change, redemption and return: kept so that the chain can show who "
        "saw or changed the member's data, and when."
    ),
    tables=(
        Table(
            AuditEvent,
            _("Audit events"),
            _events,
            omit=("ip_address",),
            clean=_without_others,
        ),
    ),
)
