"""Points month by month: earned, spent, converted and expired, for the points page's chart.

One grouped statement over the ledger's entries of the last 12 months (the current one
included, so far), each counted in the local month of its `created_at`:
- earned: earn + bonus + import (an opening balance counts in the month it was imported,
  when it came into this programme);
- spent: redeem; converted: convert (the year-end rebate); expired: expire;
all as positive numbers. Reversals (returns) and staff adjustments are corrections, in
none of the four. Months without entries are zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.utils import timezone

MONTHS = 12

MONTHLY_SQL = """
SELECT date_trunc('month', created_at AT TIME ZONE %(tz)s)::date AS month,
       coalesce(sum(points) FILTER (WHERE kind IN ('earn', 'bonus', 'import')), 0)::bigint,
       coalesce(-sum(points) FILTER (WHERE kind = 'redeem'), 0)::bigint,
       coalesce(-sum(points) FILTER (WHERE kind = 'convert'), 0)::bigint,
       coalesce(-sum(points) FILTER (WHERE kind = 'expire'), 0)::bigint
FROM rewards_pointsentry
WHERE created_at >= %(start)s AND created_at < %(end)s
  AND kind IN ('earn', 'bonus', 'import', 'redeem', 'convert', 'expire')
GROUP BY 1
ORDER BY 1
"""


@dataclass(frozen=True)
class PointsMonth:
    month: dt.date  # its first day
    earned: int = 0
    spent: int = 0
    converted: int = 0
    expired: int = 0


def points_by_month(*, today: dt.date | None = None) -> list[PointsMonth]:
    """Return the last MONTHS local months up to `today`'s (default: the local date)."""
    today = today or timezone.localdate()
    first = today.replace(day=1) - relativedelta(months=MONTHS - 1)
    months = [first + relativedelta(months=i) for i in range(MONTHS)]
    local = ZoneInfo(settings.TIME_ZONE)  # the statement's months are in it too
    params = {
        "tz": settings.TIME_ZONE,
        "start": dt.datetime.combine(first, dt.time(), tzinfo=local),
        "end": dt.datetime.combine(months[-1] + relativedelta(months=1), dt.time(), tzinfo=local),
    }
    with connection.cursor() as cursor:
        cursor.execute(MONTHLY_SQL, params)
        found = {row[0]: PointsMonth(*row) for row in cursor.fetchall()}
    return [found.get(month, PointsMonth(month)) for month in months]
