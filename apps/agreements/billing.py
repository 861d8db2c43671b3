"""What a manufacturer sees of a statement's lines: per week and store, never per redemption.

A statement is an invoice and stays exact, but billing needs no more than counts and money
per week and store: a line per redemption (its day, time and id) would single out one
shopper's purchase, which the portal's privacy layer exists to prevent. Marketing keeps the
per-redemption lines (`selectors.statement_lines`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from apps.agreements.models import SettlementStatement
from apps.agreements.selectors import DRAFT_LINES, SENT_LINES, _period_params, _rows

# A charge belongs to the week of the sale, a credit to the week of the return.
WEEK_STORE_SQL = """
WITH lines AS ({lines}), tagged AS (
    SELECT CASE WHEN l.kind = 'credit' THEN 'credit' WHEN l.late THEN 'late' ELSE 'period' END
               AS section,
           date_trunc('week', (CASE WHEN l.kind = 'credit' THEN r.reversed_at
                                    ELSE r.purchased_at END) AT TIME ZONE %(tz)s)::date AS week,
           s.code AS store, r.quantity, l.kind, l.discount, l.share
    FROM lines l
    JOIN checkout_redemption r ON r.id = l.redemption_id
    JOIN baskets_store s ON s.id = r.store_id
)
SELECT section, week, store, count(*) AS redemptions, sum(quantity) AS units,
       sum(discount) AS discount, sum(share) AS share,
       count(*) FILTER (WHERE share = 0 AND kind = 'charge') AS not_charged
FROM tagged
GROUP BY section, week, store
ORDER BY CASE section WHEN 'period' THEN 1 WHEN 'late' THEN 2 ELSE 3 END, week, store
"""

WEEK_STORE_COLUMNS = [
    "statement",
    "section",
    "week_from",
    "store",
    "redemptions",
    "units",
    "discount",
    "manufacturer_share",
    "not_charged_beyond_cap",
    "amount",
]


def statement_week_store_lines(*, statement: SettlementStatement) -> list[dict]:
    """Return the statement's claim per section, week (Monday) and store, with its money."""
    lines = DRAFT_LINES if statement.is_draft else SENT_LINES
    params = _period_params(statement.agreement_id, statement.period_start, statement.period_end)
    params |= {"statement_id": statement.pk, "tz": settings.TIME_ZONE}
    return _rows(WEEK_STORE_SQL.format(lines=lines), params)


def reversed_since_by_week(rows: list[dict]) -> list[dict]:
    """Group the reversals after sending by the week of the return (and where credited)."""
    found: dict[tuple[dt.date, str | None], dict] = {}
    for row in rows:
        day = timezone.localdate(row["reversed_at"])
        week = day - dt.timedelta(days=day.weekday())
        entry = found.setdefault(
            (week, row["credited_number"]),
            {"week": week, "redemptions": 0, "discount": Decimal(0), "share": Decimal(0),
             "credited_number": row["credited_number"]},
        )  # fmt: skip
        entry["redemptions"] += 1
        entry["discount"] += row["discount"]
        entry["share"] += row["share"]
    return [found[k] for k in sorted(found, key=lambda k: (k[0], k[1] or ""))]
