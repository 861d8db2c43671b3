"""The exact figures of one release, with each member's contribution bounded.

One SQL statement per figure set, parameters bound. Only club members' purchases count
(`member_id IS NOT NULL`): anonymous baskets cannot be counted as people. These figures
never leave the release layer: `apps.portal.services` adds noise to them and stores the
result, and every page, chart and export reads that stored result.

Bounding one member's contribution (the unit of privacy is one member):

* A count counts a member once per figure (distinct members, or one row per member).
* A sum of money adds each member's own total for the figure, clamped to [0, cap]: the
  published cap (`PORTAL_DP_MONEY_CAP`), so one member moves a money figure by at most cap.
* `Plan.count_sensitivity` / `money_sensitivity` count the figures one member can touch at
  most, from the structure of the report alone (categories, groups, cells), never from the
  data: that is the L1 bound the noise is calibrated to.

Brand groups of a category's products, from the agreement's point of view: `yours` (the
manufacturer's products the agreement covers), `national` (every other national brand) and
`store` (the store brand).

Each member's figures are summed per member first, grouped by the lines' `owner_id` (the
member on a member's lines, and the cluster's distribution column, so the sums run shard by
shard), in materialized CTEs; the roll-ups (GROUPING SETS) run on that small result, as a
cluster cannot roll up sharded rows (docs/scale.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from apps.agreements.models import ManufacturerAgreement
from apps.catalog.models import Category
from apps.portal.periods import Period

YOURS, NATIONAL, STORE, NONE = "yours", "national", "store", "none"
GROUPS = [YOURS, NATIONAL, STORE]
MAIN_GROUPS = [YOURS, NATIONAL, STORE, NONE]
LOYALTIES = ["national", "swinger", "store", NONE]
TIERS = [1, 2, 3, 0]
STATUSES = ["new", "retained", "lost"]
TOTAL, OTHER, ALL = "total", "other", "all"


def key(*parts) -> str:
    """Return the stored key of a figure: its table, row, column and measure."""
    return "/".join(str(p) for p in parts)


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _cents(amount) -> int:
    return int((Decimal(amount or 0) * 100).to_integral_value())


# The brand group of each product of the categories. Mirrors the checkout's coverage rule
# (apps.checkout.services._agreement_covers): the manufacturer's products, of the named
# brands if any (case-insensitive).
_SCOPE = """
scope AS (
    SELECT p.id AS product_id, p.category_id,
           CASE WHEN p.manufacturer_id = %(manufacturer)s
                     AND (cardinality(%(brands)s::text[]) = 0
                          OR lower(p.brand) = ANY(%(brands)s::text[]))
                THEN 'yours'
                WHEN p.brand_type = 'national' THEN 'national'
                ELSE 'store'
           END AS grp
    FROM catalog_product p
    WHERE p.category_id = ANY(%(categories)s)
),
kept AS MATERIALIZED (
    -- Each member's categories that count: at most max_categories of the agreement's, those
    -- they spent most on over the two months (a function of their own data only, so one
    -- member still changes figures of at most max_categories categories).
    SELECT member_id, category_id FROM (
        SELECT l.owner_id AS member_id, s.category_id,
               row_number() OVER (PARTITION BY l.owner_id
                                  ORDER BY sum(l.amount) DESC, s.category_id) AS n
        FROM baskets_basketline l
        JOIN scope s ON s.product_id = l.product_id
        WHERE l.member_id IS NOT NULL
          AND l.purchased_at >= %(prev_start)s AND l.purchased_at < %(end)s
        GROUP BY l.owner_id, s.category_id
    ) ranked
    WHERE n <= %(max_categories)s
)"""
KEPT = "JOIN kept k ON k.member_id = l.member_id AND k.category_id = s.category_id"

# Redemptions (billing: exact, as on the statements) and the members behind them (counted).
_REDEMPTIONS = f"""
WITH {_SCOPE}
SELECT CASE WHEN p.category_id = ANY(%(categories)s) THEN p.category_id::text ELSE 'other' END,
       date_trunc('week', r.purchased_at AT TIME ZONE %(tz)s)::date AS week,
       count(*), sum(r.quantity), sum(r.discount), sum(r.manufacturer_share),
       sum(r.bonus_points), count(DISTINCT r.member_id),
       count(DISTINCT CASE WHEN k.member_id IS NOT NULL THEN r.member_id END),
       GROUPING(CASE WHEN p.category_id = ANY(%(categories)s) THEN p.category_id::text
                     ELSE 'other' END) AS all_categories,
       GROUPING(date_trunc('week', r.purchased_at AT TIME ZONE %(tz)s)::date) AS all_weeks
FROM checkout_redemption r
JOIN catalog_product p ON p.id = r.product_id
LEFT JOIN kept k ON k.member_id = r.member_id AND k.category_id = p.category_id
WHERE r.agreement_id = %(agreement)s AND r.reversed_at IS NULL
  AND r.purchased_at >= %(start)s AND r.purchased_at < %(end)s
GROUP BY GROUPING SETS (
    (CASE WHEN p.category_id = ANY(%(categories)s) THEN p.category_id::text ELSE 'other' END),
    (date_trunc('week', r.purchased_at AT TIME ZONE %(tz)s)::date), ())
"""

# Member sales by group × category with both margins; a member's own total per figure,
# clamped to the cap.
_SALES = f"""
WITH {_SCOPE},
base AS MATERIALIZED (
    SELECT l.owner_id AS member_id, s.category_id, s.grp, sum(l.amount) AS spend
    FROM baskets_basketline l
    JOIN scope s ON s.product_id = l.product_id
    {KEPT}
    WHERE l.member_id IS NOT NULL AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
    GROUP BY l.owner_id, s.category_id, s.grp
),
per_member AS (
    SELECT member_id, category_id, grp, sum(spend) AS spend,
           GROUPING(category_id) AS all_c, GROUPING(grp) AS all_g
    FROM base
    GROUP BY GROUPING SETS ((member_id, category_id, grp), (member_id, category_id),
                            (member_id, grp), (member_id))
)
SELECT CASE WHEN all_c = 1 THEN 'total' ELSE category_id::text END,
       CASE WHEN all_g = 1 THEN 'total' ELSE grp END,
       count(*), sum(least(greatest(spend, 0), %(cap)s))
FROM per_member
GROUP BY all_c, all_g, category_id, grp
"""

# Buyers of the agreement's brands by loyalty × usage cell of the category's snapshot.
_CELLS = f"""
WITH {_SCOPE},
snapshot AS MATERIALIZED (
    -- Each category's latest snapshot ending by the period's end, else its latest at all.
    SELECT DISTINCT ON (category_id) id, category_id, window_start, window_end
    FROM segments_segmentsnapshot
    WHERE category_id = ANY(%(categories)s)
    ORDER BY category_id, (window_end <= %(end_day)s) DESC, window_end DESC, computed_at DESC
),
buyers AS MATERIALIZED (
    SELECT DISTINCT l.owner_id AS member_id, s.category_id
    FROM baskets_basketline l
    JOIN scope s ON s.product_id = l.product_id AND s.grp = 'yours'
    {KEPT}
    WHERE l.member_id IS NOT NULL AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
),
cells AS MATERIALIZED (
    SELECT b.category_id, coalesce(m.loyalty, 'none') AS loyalty,
           coalesce(m.usage_tier, 0) AS tier
    FROM buyers b
    LEFT JOIN snapshot sn ON sn.category_id = b.category_id
    LEFT JOIN segments_segmentmember m ON m.snapshot_id = sn.id AND m.member_id = b.member_id
)
SELECT category_id, CASE WHEN GROUPING(loyalty) = 1 THEN 'total' ELSE loyalty END,
       CASE WHEN GROUPING(tier) = 1 THEN 'total' ELSE tier::text END,
       count(*)
FROM cells
GROUP BY GROUPING SETS ((category_id, loyalty, tier), (category_id, loyalty),
                        (category_id, tier))
"""

_SNAPSHOTS = """
SELECT DISTINCT ON (category_id) category_id, window_start, window_end
FROM segments_segmentsnapshot
WHERE category_id = ANY(%(categories)s)
ORDER BY category_id, (window_end <= %(end_day)s) DESC, window_end DESC, computed_at DESC
"""

# Each buyer's main group (most money in the category) the month before → this month.
_SWITCHING = f"""
WITH {_SCOPE},
spend AS MATERIALIZED (
    SELECT l.owner_id AS member_id, s.category_id, l.purchased_at >= %(start)s AS now, s.grp,
           sum(l.amount) AS amount
    FROM baskets_basketline l
    JOIN scope s ON s.product_id = l.product_id
    {KEPT}
    WHERE l.member_id IS NOT NULL
      AND l.purchased_at >= %(prev_start)s AND l.purchased_at < %(end)s
    GROUP BY 1, 2, 3, 4
),
main AS (
    SELECT DISTINCT ON (member_id, category_id, now) member_id, category_id, now, grp
    FROM spend
    ORDER BY member_id, category_id, now, amount DESC,
             array_position(ARRAY['yours', 'national', 'store'], grp)
),
pairs AS (
    SELECT coalesce(b.category_id, a.category_id) AS category_id,
           coalesce(b.grp, 'none') AS before, coalesce(a.grp, 'none') AS after
    FROM (SELECT * FROM main WHERE NOT now) b
    FULL JOIN (SELECT * FROM main WHERE now) a
      ON a.member_id = b.member_id AND a.category_id = b.category_id
)
SELECT category_id, CASE WHEN GROUPING(before) = 1 THEN 'total' ELSE before END,
       CASE WHEN GROUPING(after) = 1 THEN 'total' ELSE after END, count(*)
FROM pairs
GROUP BY GROUPING SETS ((category_id, before, after), (category_id, before),
                        (category_id, after), (category_id))
"""

# New / retained / lost buyers of the agreement's brands, per category and across them.
_FLOW = f"""
WITH {_SCOPE},
base AS MATERIALIZED (
    SELECT l.owner_id AS member_id, s.category_id,
           bool_or(l.purchased_at < %(start)s) AS before,
           bool_or(l.purchased_at >= %(start)s) AS now,
           sum(l.amount) FILTER (WHERE l.purchased_at >= %(start)s) AS spend_now,
           sum(l.amount) FILTER (WHERE l.purchased_at < %(start)s) AS spend_before
    FROM baskets_basketline l
    JOIN scope s ON s.product_id = l.product_id AND s.grp = 'yours'
    {KEPT}
    WHERE l.member_id IS NOT NULL
      AND l.purchased_at >= %(prev_start)s AND l.purchased_at < %(end)s
    GROUP BY l.owner_id, s.category_id
),
per_member AS (
    SELECT member_id, category_id, GROUPING(category_id) AS all_c,
           bool_or(before) AS before, bool_or(now) AS now,
           least(greatest(coalesce(sum(spend_now), 0), 0), %(cap)s) AS spend_now,
           least(greatest(coalesce(sum(spend_before), 0), 0), %(cap)s) AS spend_before
    FROM base
    GROUP BY GROUPING SETS ((member_id, category_id), (member_id))
)
SELECT CASE WHEN all_c = 1 THEN 'all' ELSE category_id::text END,
       CASE WHEN before AND now THEN 'retained' WHEN now THEN 'new' ELSE 'lost' END,
       count(*), sum(spend_now), sum(spend_before)
FROM per_member
GROUP BY 1, 2
"""


@dataclass
class Plan:
    """What one release publishes: exact billing figures, and bounded counts and sums.

    `basis` names, for each money figure, the count figure of the same members: a money
    figure is withheld whenever its count is.
    """

    categories: list[tuple[int, str]]
    weeks: list[dt.date]
    max_categories: int
    exact: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    money: dict[str, int] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def count_sensitivity(self) -> int:
        """Return how many count figures one member can change (each by at most 1)."""
        c = min(len(self.categories), self.max_categories)
        # A member counts in c kept categories at most. Redemption members: c categories,
        # other, all; sales buyers: 3c cells + 3 groups + c categories + 1; cells 3 per
        # category (cell, loyalty, tier; the all-cells figure is the sales table's);
        # switching 4 per category; flow 2 per row (a status, the row), c rows and all.
        return (c + 2) + (4 * c + 4) + 3 * c + 4 * c + 2 * (c + 1)

    @property
    def money_sensitivity(self) -> int:
        """Return how many money figures one member can change (each by at most the cap)."""
        c = min(len(self.categories), self.max_categories)
        # Sales as the buyers; flow: a retained buyer moves 2 per row.
        return (4 * c + 4) + 2 * (c + 1)


def weeks_of(period: Period) -> list[dt.date]:
    """Return the Mondays of the weeks that overlap the period."""
    first = period.start - dt.timedelta(days=period.start.weekday())
    return [first + dt.timedelta(weeks=n) for n in range((period.end - first).days // 7 + 1)]


def agreement_plan(
    *,
    agreement: ManufacturerAgreement,
    categories: list[Category],
    period: Period,
    cap: Decimal,
    max_categories: int,
) -> Plan:
    """Return the exact, bounded figures of the agreement's report for the month."""
    ids = [c.pk for c in categories]
    plan = Plan(
        categories=[(c.pk, c.name) for c in categories],
        weeks=weeks_of(period),
        max_categories=max_categories,
    )
    end_day = period.end + dt.timedelta(days=1)
    scope = {
        "manufacturer": agreement.manufacturer_id,
        "brands": [b.lower() for b in agreement.brands],
        "categories": ids,
        "agreement": agreement.pk,
        "cap": cap,
        "max_categories": max_categories,
        "end_day": end_day,
        **period.params(),
    }
    _redemptions(plan, scope, ids)
    for cat, grp, members, spend in _fetch(_SALES, scope):
        plan.counts[key("sales", grp, cat, "buyers")] = members
        plan.money[key("sales", grp, cat, "sales")] = _cents(spend)
    for cat in ids:
        for table, rows, cols in (("cells", LOYALTIES, TIERS), ("switch", MAIN_GROUPS,
                                                                  MAIN_GROUPS)):  # fmt: skip
            for r in [*rows, TOTAL]:
                for c in [*cols, TOTAL]:
                    if _present(table, r, c):
                        plan.counts[key(table, cat, r, c, "buyers")] = 0
        for r in [*STATUSES, TOTAL]:
            plan.counts[key("flow", cat, r, "buyers")] = 0
    for r in [*STATUSES, TOTAL]:
        plan.counts[key("flow", ALL, r, "buyers")] = 0
    for cat, loyalty, tier, members in _fetch(_CELLS, scope):
        if _present("cells", loyalty, tier if tier == TOTAL else int(tier)):
            plan.counts[key("cells", cat, loyalty, tier, "buyers")] = members
    for cat, before, after, members in _fetch(_SWITCHING, scope):
        plan.counts[key("switch", cat, before, after, "buyers")] = members
    _flow(plan, scope)
    _fill_sales(plan, ids)
    for money_key in plan.money:
        plan.basis[money_key] = _basis(money_key)
    for cat, start, end in _fetch(_SNAPSHOTS, {"categories": ids, "end_day": end_day}):
        last = end - dt.timedelta(days=1)
        plan.notes[key("snapshot", cat)] = (
            f"Cells from the segment snapshot of {start:%b %-d, %Y} – {last:%b %-d, %Y}."
        )
    return plan


def _present(table: str, row, col) -> bool:
    """Whether a cross-table entry can hold anyone; the all-cells figure is the sales one."""
    if row == TOTAL and col == TOTAL:
        return table == "switch"
    if table == "cells":
        # Buyers outside the snapshot have no usage tier, and everyone else has one: their
        # one cell is also their row and their column (one figure, released once).
        if (row, col) in ((NONE, TOTAL), (TOTAL, 0)):
            return False
        return row == TOTAL or col == TOTAL or (row == NONE) == (col == 0)
    return not (row == NONE and col == NONE)


def _redemptions(plan: Plan, scope: dict, ids: list[int]) -> None:
    rows = [*(str(i) for i in ids), OTHER, TOTAL]
    for row in rows:
        plan.counts[key("red_cat", row, "members")] = 0
    for table, row in [*(("red_cat", r) for r in rows),
                       *(("red_week", w.isoformat()) for w in plan.weeks),
                       ("red_week", TOTAL)]:  # fmt: skip
        for measure in ("redemptions", "units", "discount", "funded", "bonus_points"):
            plan.exact[key(table, row, measure)] = "0"
    for row in _fetch(_REDEMPTIONS, scope):
        cat, week, n, units, discount, funded, bonus, members, kept, all_c, all_w = row
        figures = {
            "redemptions": n, "units": units, "discount": discount, "funded": funded,
            "bonus_points": bonus,
        }  # fmt: skip
        if all_c and all_w:
            places = [("red_cat", TOTAL), ("red_week", TOTAL)]
            plan.counts[key("red_cat", TOTAL, "members")] = members
        elif all_w:
            places = [("red_cat", cat)]
            plan.counts[key("red_cat", cat, "members")] = members if cat == OTHER else kept
        else:
            places = [("red_week", week.isoformat())]
        for table, row in places:
            for measure, value in figures.items():
                plan.exact[key(table, row, measure)] = str(0 if value is None else value)


def _flow(plan: Plan, scope: dict) -> None:
    totals: dict[str, int] = {}
    for row in [*(str(c) for c, _ in plan.categories), ALL]:
        for measure in ("new/spend_now", "retained/spend_now", "retained/spend_before",
                        "lost/spend_before"):  # fmt: skip
            plan.money[key("flow", row, measure)] = 0
    for row, status, members, now, before in _fetch(_FLOW, scope):
        plan.counts[key("flow", row, status, "buyers")] = members
        totals[row] = totals.get(row, 0) + members
        if status in ("new", "retained"):
            plan.money[key("flow", row, status, "spend_now")] = _cents(now)
        if status in ("retained", "lost"):
            plan.money[key("flow", row, status, "spend_before")] = _cents(before)
    for row, members in totals.items():
        plan.counts[key("flow", row, TOTAL, "buyers")] = members


def _fill_sales(plan: Plan, ids: list[int]) -> None:
    for grp in [*GROUPS, TOTAL]:
        for cat in [*ids, TOTAL]:
            plan.counts.setdefault(key("sales", grp, cat, "buyers"), 0)
            plan.money.setdefault(key("sales", grp, cat, "sales"), 0)


def _basis(money_key: str) -> str:
    parts = money_key.split("/")
    if parts[0] == "flow":
        return key("flow", parts[1], parts[2], "buyers")
    return key(*parts[:-1], "buyers")
