"""Reads of rebate certificates: a member's open ones, for their list and the desk.

A certificate is open while it is unexpired and not used at the till: no use of it
(`CertificateUse`, written by the till's tenders) that a return has not given back.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from apps.core import rows
from apps.rewards.models import CertificateUse, RebateCertificate


def open_certificates(
    *, member_id: int, on: dt.date, issued_by: dt.date | None = None
) -> QuerySet[RebateCertificate]:
    """The member's certificates usable on `on` (last day not passed, no live use), issued
    on or before `issued_by` when given (a list shows none issued after its period);
    earliest last day first."""
    live_uses = CertificateUse.objects.filter(reversed_at__isnull=True).values("certificate_id")
    certificates = RebateCertificate.objects.filter(
        member_id=member_id, valid_until__gte=on
    ).exclude(pk__in=live_uses)
    if issued_by is not None:
        certificates = certificates.filter(issued_on__lte=issued_by)
    return certificates.order_by("valid_until", "code")


_OPEN_SQL = f"""
SELECT {rows.columns(RebateCertificate)} FROM rewards_rebatecertificate
WHERE rewards_rebatecertificate.member_id = %s AND rewards_rebatecertificate.valid_until >= %s
  AND rewards_rebatecertificate.issued_on <= %s
  AND NOT (rewards_rebatecertificate.id IN (
    SELECT U0.certificate_id FROM rewards_certificateuse U0 WHERE U0.reversed_at IS NULL))
ORDER BY rewards_rebatecertificate.valid_until, rewards_rebatecertificate.code
"""


def open_certificates_listed(
    *, member_id: int, on: dt.date, issued_by: dt.date | None = None
) -> list[RebateCertificate]:
    """`open_certificates` as a list, its SQL written out (apps/core/rows.py): the cashier's
    screen reads it on every scan, and the ORM's building of it cost more than running it.
    No `issued_by` is no bound (date's maximum): one statement text either way."""
    issued_by = dt.date.max if issued_by is None else issued_by
    return list(rows.Rows(RebateCertificate, _OPEN_SQL, [member_id, on, issued_by]))


def list_certificates(shopping_list, *, today: dt.date) -> list[RebateCertificate]:
    """The open certificates a list shows: usable on its first day (or today, if later) and
    issued by its last day; read live, so one used at the till leaves the list."""
    return open_certificates_listed(
        member_id=shopping_list.member_id,
        on=max(today, shopping_list.period_start),
        issued_by=shopping_list.period_end - dt.timedelta(days=1),
    )
