"""Writes of the audit trail (the triggers of migration 0002 write the database-side rows)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from apps.audit.models import AuditEvent
from apps.core import rows


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client's address: the proxy's last X-Forwarded-For hop when behind one.

    Only behind a TLS proxy (SECURE_PROXY_SSL_HEADER set) is the header trusted, and only
    its last entry, the one our proxy appended; a client can write the others.
    """
    if request is None:
        return None
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor=None,
    actor_name: str = "",
    object_type: str = "",
    object_id: str = "",
    row_count: int | None = None,
    detail: dict | None = None,
    query: str | None = None,
) -> AuditEvent:
    """Append one event; the request gives the address, path and query string.

    `query` replaces the request's query string, for events whose query holds what the
    trail must not keep in clear (a member's name typed at the till). One written-out
    `INSERT … RETURNING` (apps/core/rows.py): every cashier lookup writes one, and the
    ORM's building of it cost more CPU than PostgreSQL's running it.
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    if actor is not None and not actor_name:
        actor_name = actor.get_username()
    return rows.insert(
        AuditEvent,
        kind=kind,
        actor_id=actor.pk if actor is not None else None,
        actor_name=actor_name[:150],
        ip_address=client_ip(request),
        path=request.path[:500] if request is not None else "",
        query=query
        if query is not None
        else (request.META.get("QUERY_STRING", "") if request is not None else ""),
        object_type=object_type,
        object_id=str(object_id),
        row_count=row_count,
        detail=detail or {},
    )


def audit_export_count(*, event_id: int, row_count: int) -> None:
    """Fill in the row count of a streamed export once it has been sent (allowed once)."""
    AuditEvent.objects.filter(pk=event_id, row_count__isnull=True).update(row_count=row_count)
