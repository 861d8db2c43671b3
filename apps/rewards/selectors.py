"""Reads of the ledger for the pages: a member's points at a glance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from apps.rewards.models import PointsBalance, PointsEntry

EXPIRING_DAYS = 60  # "expiring soon": what the member page and the cashier screen show
RECENT = 8

# What is left of each unexpired lot whose last day falls in the window, by day.
EXPIRING_SQL = """
SELECT e.valid_until, sum(e.points - coalesce(u.used, 0))::int
FROM rewards_pointsentry e
LEFT JOIN LATERAL (SELECT sum(points) AS used FROM rewards_lotuse WHERE lot_id = e.id) u ON TRUE
WHERE e.member_id = %(member)s AND e.points > 0
  AND e.valid_until >= %(today)s AND e.valid_until < %(until)s
GROUP BY e.valid_until HAVING sum(e.points - coalesce(u.used, 0)) > 0
ORDER BY e.valid_until
"""


@dataclass(frozen=True)
class PointsSummary:
    balance: int
    expiring: list[tuple[dt.date, int]] = field(default_factory=list)
    recent: list[PointsEntry] = field(default_factory=list)

    @property
    def expiring_total(self) -> int:
        return sum(points for _, points in self.expiring)


def points_summary(*, member_id: int, today: dt.date | None = None) -> PointsSummary:
    """Balance, points expiring in the next EXPIRING_DAYS (by day), the last movements."""
    today = today or timezone.localdate()
    balance = PointsBalance.objects.filter(member_id=member_id).values_list("points", flat=True)
    params = {
        "member": member_id,
        "today": today,
        "until": today + dt.timedelta(days=EXPIRING_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(EXPIRING_SQL, params)
        expiring = cursor.fetchall()
    recent = list(
        PointsEntry.objects.filter(member_id=member_id)
        .select_related("user")
        .order_by("-created_at", "-id")[:RECENT]
    )
    return PointsSummary(balance=next(iter(balance), 0), expiring=expiring, recent=recent)
