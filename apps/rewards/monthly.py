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
from django.db import connection, transaction
from django.utils import timezone

MONTHS = 12

# A month is found by bisecting the 13 local-midnight boundaries (computed in Python, so
# daylight saving is right): width_bucket is 1 for the first month. Converting each
# entry's time to the local zone and truncating it instead took twice as long (2.1 s
# against 0.9 s for 2.5 M entries in the window, on this 2-core machine).
MONTHLY_SQL = """
SELECT width_bucket(created_at, %(bounds)s::timestamptz[]) AS month,
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
    local = ZoneInfo(settings.TIME_ZONE)
    bounds = [
        dt.datetime.combine(first + relativedelta(months=i), dt.time(), tzinfo=local)
        for i in range(MONTHS + 1)
    ]
    params = {"bounds": bounds, "start": bounds[0], "end": bounds[-1]}
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiling costs more than it saves here, as for the dashboard's statements.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(MONTHLY_SQL, params)
        found = {months[bucket - 1]: row for bucket, *row in cursor.fetchall()}
    return [PointsMonth(month, *found.get(month, ())) for month in months]
