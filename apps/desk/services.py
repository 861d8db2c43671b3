"""Writes of the desk: the audit trail of cashier lookups (member views: apps.members.trail).

Every lookup is recorded with who made it, what kind it was (card, list, phone, name), how
many members it showed and their card numbers: enough to see a harvest (many lookups, many
members shown) and to tell whose details were seen. A scanned card or list number that found
its card or list is kept as scanned: it names a card, like the card numbers shown. Any other
text — a name, a phone number, a miss, letters typed by mistake — is personal data of someone who
may not even be a member, so the trail keeps only a keyed digest of it (`lookup_text_digest`):
an investigator who has the server's secret key can check whether a given name was looked
up, while the trail on its own does not say it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from apps.audit.models import AuditEvent, AuditKind
from apps.audit.services import audit_record
from apps.desk.selectors import LookupResult

# Named after the app the lookup was born in: the trail's digests so far were made with it.
_DIGEST_SALT = "apps.members.lookup"
_IN_CLEAR = {"card", "list"}


def lookup_text_digest(text: str) -> str:
    """Return the digest the trail keeps of a typed name or phone number.

    Names are compared as the lookup matches them (case and spacing do not matter), phone
    numbers by their digits, so `lookup_text_digest("smith")` finds a lookup of "SMITH".
    """
    words = " ".join(text.split()).upper()
    digits = "".join(ch for ch in words if ch.isdigit())
    key = digits if digits and not any(ch.isalpha() for ch in words) else words
    return salted_hmac(_DIGEST_SALT, key, algorithm="sha256").hexdigest()


def member_lookup_record(*, request: HttpRequest, result: LookupResult) -> AuditEvent:
    """Append the audit row of a lookup that ran: its kind, the members shown, their cards."""
    cards = [m.card_number for m in result.members]
    detail: dict = {"kind": result.kind, "cards": cards, "truncated": result.truncated}
    if result.kind in _IN_CLEAR and cards and result.query.isdigit():  # a scanned card or list
        detail["code"] = result.query
    else:
        detail["text_digest"] = lookup_text_digest(result.query)
        detail["length"] = len(result.query)
    return audit_record(
        kind=AuditKind.LOOKUP,
        request=request,
        actor=request.user,
        object_type="member" if len(cards) == 1 else "",
        object_id=cards[0] if len(cards) == 1 else "",
        row_count=len(cards),
        detail=detail,
        query="",
    )


def member_lookup_refusal_record(
    *, request: HttpRequest, kind: str, wait_seconds: int
) -> AuditEvent:
    """Append the audit row of a lookup refused for going over a limit (nothing was read)."""
    return audit_record(
        kind=AuditKind.LOOKUP,
        request=request,
        actor=request.user,
        row_count=0,
        detail={"kind": kind, "refused": "rate limit", "retry_after": wait_seconds},
        query="",
    )
