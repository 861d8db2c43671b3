"""The purchase-timing features of (member, category) pairs as of a day D, in one SQL CTE.

Shared by the fit (several as-of days, labelled) and the fill (one day, a chunk of members)
so that the model is applied to exactly the features it was fitted on. Days are local
calendar days (settings.TIME_ZONE), as in the category snapshots (apps/segments/sql.py).

A purchase day is a local day on which the member's lines in the category add up to more
than nothing (a day of returns only is not a purchase). History is the 52 weeks (364 days)
before D; the period is [D, D + horizon).

Features, per pair bought at least once in the history:

* ``log_days``: ln(1 + purchase days). Frequency: the strongest single signal on public data
  (issue 18: AUC 0.73 alone).
* ``due_ratio``: min(r, 1), where r = (D − last purchase day) / cycle, the time since the last
  purchase against the member's own mean interval in the category ((last − first) / (days − 1);
  364 days, the whole history, for a single purchase day: all that is known is "at most once a
  year"). Rises as the next purchase comes due.
* ``overdue``: min(max(r − 1, 0), 3). Past the cycle: a member who lapsed. With ``due_ratio``
  this is a linear spline with a knot at "due", so the logistic model can rise to the due
  date and fall after it, which a single linear term in r could not. Capped so that one very
  long gap does not dominate.
* ``irregularity``: coefficient of variation of the intervals (sample standard deviation over
  mean), capped at 2; 1.0 (that of a memoryless, Poisson buyer) under 3 purchase days, when
  it cannot be measured.

``rule_due`` is not a feature: it is the binary rule the model is compared with, "the next
purchase (last day + mean interval) falls in [D, D + horizon)", false without an interval.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from apps.core.clock import local_midnight

HISTORY_DAYS = 364
HORIZON_DAYS = 14
SINGLE_PURCHASE_CYCLE = 364.0  # days: one purchase day in 52 weeks
DEFAULT_IRREGULARITY = 1.0
OVERDUE_CAP = 3.0
IRREGULARITY_CAP = 2.0

FEATURES = ("log_days", "due_ratio", "overdue", "irregularity")

# Expects bound %(days)s (date[]: the as-of days), %(lo)s/%(hi)s (member id range),
# %(start)s/%(end)s (timestamps bounding every line read, for the index), %(tz)s, and the
# constants below. Produces CTE `features(as_of, member_id, category_id, n, last_day,
# cycle, <FEATURES>, rule_due)`.
FEATURES_CTE = """
asof AS (
    SELECT unnest(%(days)s::date[]) AS d
),
purchase_days AS (
    SELECT l.member_id, p.category_id, (l.purchased_at AT TIME ZONE %(tz)s)::date AS day
    FROM baskets_basketline l
    JOIN catalog_product p ON p.id = l.product_id
    WHERE l.member_id >= %(lo)s AND l.member_id < %(hi)s
      AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
    GROUP BY 1, 2, 3
    HAVING sum(l.amount) > 0
),
history AS (
    SELECT a.d, x.member_id, x.category_id, x.day,
           x.day - lag(x.day) OVER (
               PARTITION BY a.d, x.member_id, x.category_id ORDER BY x.day
           ) AS gap
    FROM asof a
    JOIN purchase_days x ON x.day >= a.d - %(history_days)s AND x.day < a.d
),
pairs AS (
    SELECT d, member_id, category_id, count(*) AS n, max(day) AS last_day,
           CASE WHEN count(*) >= 2 THEN (max(day) - min(day))::float8 / (count(*) - 1)
                ELSE %(single_cycle)s::float8 END AS cycle,
           CASE WHEN count(*) >= 3 AND avg(gap) > 0
                THEN least(stddev_samp(gap) / avg(gap), %(irregularity_cap)s)::float8
                ELSE %(default_irregularity)s::float8 END AS irregularity
    FROM history
    GROUP BY d, member_id, category_id
),
features AS (
    SELECT d AS as_of, member_id, category_id, n, last_day, cycle,
           ln(1 + n)::float8 AS log_days,
           least((d - last_day) / cycle, 1.0)::float8 AS due_ratio,
           least(greatest((d - last_day) / cycle - 1.0, 0.0), %(overdue_cap)s)::float8
               AS overdue,
           irregularity,
           (n >= 2 AND cycle >= d - last_day AND cycle < d - last_day + %(horizon)s)
               AS rule_due
    FROM pairs
)
"""


def features_params(
    *, days: list[dt.date], lo: int, hi: int, horizon: int = HORIZON_DAYS, label: bool = False
) -> dict:
    """Bind FEATURES_CTE for these as-of days and members lo <= id < hi.

    With `label`, the lines read reach to the end of the last period, so that the same
    purchase days can label the rows.
    """
    last = max(days) + dt.timedelta(days=horizon if label else 0)
    return {
        "days": list(days),
        "lo": lo,
        "hi": hi,
        "start": local_midnight(min(days) - dt.timedelta(days=HISTORY_DAYS)),
        "end": local_midnight(last),
        "tz": settings.TIME_ZONE,
        "history_days": HISTORY_DAYS,
        "horizon": horizon,
        "single_cycle": SINGLE_PURCHASE_CYCLE,
        "default_irregularity": DEFAULT_IRREGULARITY,
        "overdue_cap": OVERDUE_CAP,
        "irregularity_cap": IRREGULARITY_CAP,
    }
