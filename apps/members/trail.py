"""A member in the audit trail: by id, never by card number.

An erasure replaces the card number, and the trail must not keep the old one in clear; the
member's id keeps naming the same (by then anonymous) row. Pages addressed by card
(`/desk/member/<card>/`, the privacy pages) are recorded with the card in their path
replaced by `member-<id>`. Every app that records a member's page uses these two.
"""

from __future__ import annotations

import copy

from django.http import HttpRequest

from apps.audit.models import AuditEvent, AuditKind
from apps.audit.services import audit_record
from apps.members.models import Member


def request_without_card(*, request: HttpRequest, member: Member) -> HttpRequest:
    """Return the request with the member's card number in its path replaced by their id."""
    quiet = copy.copy(request)
    quiet.path = request.path.replace(member.card_number, f"member-{member.pk}")
    return quiet


def member_view_record(
    *,
    request: HttpRequest,
    member: Member,
    row_count: int | None = None,
    detail: dict | None = None,
    query: str | None = None,
) -> AuditEvent:
    """Append the MEMBER_VIEW event of a staff user opening a member's full record.

    `query` as in `audit_record`: "" keeps the request's query string out of the trail.
    """
    return audit_record(
        kind=AuditKind.MEMBER_VIEW,
        request=request_without_card(request=request, member=member),
        actor=request.user,
        object_type="member",
        object_id=str(member.pk),
        row_count=row_count,
        detail=detail,
        query=query,
    )
