"""Writes of the access pages: the audit trail of each view and export of a member's record.

The events name the member by id only. The trail's `path` is the page's path with the card
number replaced by the id: an erasure must not find the old card number in the trail.
"""

from __future__ import annotations

from django.http import HttpRequest

from apps.audit.models import AuditEvent, AuditKind
from apps.audit.services import audit_record
from apps.members.models import Member
from apps.members.trail import member_view_record, request_without_card


def _held(counts: dict[str, int]) -> dict[str, int]:
    """The tables that hold rows, with their counts (the empty ones are the rest)."""
    return {model: n for model, n in counts.items() if n}


def access_view_record(
    *, request: HttpRequest, member: Member, counts: dict[str, int]
) -> AuditEvent:
    """Append the MEMBER_VIEW event of the privacy officer's member page."""
    return member_view_record(
        request=request,
        member=member,
        row_count=sum(counts.values()),
        detail={"page": "privacy member page", "rows": _held(counts)},
        query="",
    )


def access_export_record(
    *, request: HttpRequest, member: Member, fmt: str, counts: dict[str, int]
) -> AuditEvent:
    """Append the ACCESS_EXPORT event of one export (its format and row counts)."""
    return audit_record(
        kind=AuditKind.ACCESS_EXPORT,
        request=request_without_card(request=request, member=member),
        actor=request.user,
        object_type="member",
        object_id=str(member.pk),
        row_count=sum(counts.values()),
        detail={"format": fmt, "rows": _held(counts)},
        query="",
    )
