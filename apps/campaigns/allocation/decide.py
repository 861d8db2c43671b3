"""Phase two of allocation: choose each member's offers for a period, greedily by value.

The candidates of the period (scored by phase one) compete under every limit:
- a list holds at most `slots` offers, one per category, and at most `max_discovery` of
  them for categories the member did not buy;
- a campaign's expected cost (probability × cost of each offer it gives, in every period)
  stays within its budget, and an agreement's expected share within its budget cap;
- a member has a campaign's offer in one period only (`limit`).

The candidates are read into NumPy in one binary COPY and walked once in order of expected
value (`greedy.choose`: each is taken if it still fits every limit); the outcomes go back in
one UPDATE. A member's slot freed by a campaign that ran out goes to their next best offer,
because that offer is simply considered after it.

Held-out members go through the same choice: where they would get the offer they are
marked `holdout` (they take the slot as treated members do, but cost nothing), so the
report compares those who got an offer with those who would have.

Decisions already made for the period (`given`, `holdout`) stay: a campaign activated
mid-period competes for the slots, categories and budgets left over. One period is decided
at a time (an advisory lock), so two runs never give the same slot twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
from django.db import connection

from apps.campaigns.allocation.greedy import CODES, Candidates, Fixed, Limits, choose
from apps.campaigns.allocation.rules import AllocationRules
from apps.core.pgcopy import read_columns, write_columns

LOCK_NAMESPACE = 1_840_518  # pg_advisory_xact_lock(namespace, period day) for allocation

LIMIT_SQL = """
UPDATE campaigns_allocation a SET outcome = 'limit'
WHERE a.period_start = %(start)s AND a.outcome = 'candidate'
  AND EXISTS (
      SELECT 1 FROM campaigns_allocation e
      WHERE e.member_id = a.member_id AND e.campaign_id = a.campaign_id
        AND e.period_start < %(start)s AND e.outcome IN ('given', 'holdout')
  )
"""

# The period's undecided candidates. Costs are expected costs: probability × the offer's
# cost (the manufacturer's share for the agreement).
CANDIDATES_SQL = """
SELECT a.id::int8, a.member_id::int8, a.campaign_id::int8, a.category_id::int8,
       a.discovery, a.holdout, a.value::float8,
       (a.probability * a.unit_cost)::float8, (a.probability * a.manufacturer_cost)::float8,
       coalesce(c.agreement_id, -1)::int8
FROM campaigns_allocation a JOIN campaigns_campaign c ON c.id = a.campaign_id
WHERE a.period_start = %(start)s AND a.outcome = 'candidate'
"""
CANDIDATE_COLUMNS = {
    "id": "int8",
    "member": "int8",
    "campaign": "int8",
    "category": "int8",
    "discovery": "bool",
    "holdout": "bool",
    "value": "float8",
    "cost": "float8",
    "maker_cost": "float8",
    "agreement": "int8",
}

# What the period already holds: offers given or held out (they keep their slots).
FIXED_SQL = """
SELECT member_id::int8, category_id::int8, discovery
FROM campaigns_allocation
WHERE period_start = %(start)s AND outcome IN ('given', 'holdout')
"""

# What each campaign and agreement has left: its budget less the expected cost of every
# offer it gave, in every period.
CAMPAIGN_LEFT_SQL = """
SELECT c.id::int8, (c.budget - coalesce(spent.cost, 0))::float8
FROM campaigns_campaign c
LEFT JOIN (
    SELECT campaign_id, sum(probability * unit_cost) AS cost
    FROM campaigns_allocation WHERE outcome = 'given' GROUP BY campaign_id
) spent ON spent.campaign_id = c.id
WHERE c.id IN (
    SELECT DISTINCT campaign_id FROM campaigns_allocation
    WHERE period_start = %(start)s AND outcome = 'candidate'
)
"""
AGREEMENT_LEFT_SQL = """
SELECT ag.id::int8, (ag.budget_cap - coalesce(spent.cost, 0))::float8
FROM agreements_manufactureragreement ag
LEFT JOIN (
    SELECT c.agreement_id, sum(a.probability * a.manufacturer_cost) AS cost
    FROM campaigns_allocation a JOIN campaigns_campaign c ON c.id = a.campaign_id
    WHERE a.outcome = 'given' AND c.agreement_id IS NOT NULL
    GROUP BY c.agreement_id
) spent ON spent.agreement_id = ag.id
WHERE ag.id IN (SELECT agreement_id FROM campaigns_campaign WHERE agreement_id IS NOT NULL)
"""

# The decisions go back in one statement, through a temporary table of (id, outcome code).
WRITE_SQL = f"""
UPDATE campaigns_allocation a
SET outcome = (ARRAY{list(CODES)!r})[d.code + 1]
FROM allocation_decided d
WHERE a.id = d.id
"""


def _pairs(cursor, sql: str, params) -> tuple[np.ndarray, np.ndarray]:
    columns = read_columns(cursor, sql, params, {"id": "int8", "left": "float8"})
    return columns["id"], columns["left"]


def _fixed(cursor, params) -> Fixed:
    rows = read_columns(
        cursor, FIXED_SQL, params, {"member": "int8", "category": "int8", "discovery": "bool"}
    )
    members, index = np.unique(rows["member"], return_inverse=True)
    return Fixed(
        member=members,
        slots_used=np.bincount(index, minlength=len(members)),
        discovery_used=np.bincount(index, weights=rows["discovery"], minlength=len(members)),
        taken_member=rows["member"],
        taken_category=rows["category"],
    )


def allocation_decide(*, period_start: dt.date, rules: AllocationRules) -> Counter:
    """Decide every undecided candidate of the period; return the count per outcome.

    Call it in a transaction: it takes the period's advisory lock until the commit.
    """
    params = {"start": period_start}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, period_start.toordinal()]
        )
        cursor.execute(LIMIT_SQL, params)
        candidates = Candidates(**read_columns(cursor, CANDIDATES_SQL, params, CANDIDATE_COLUMNS))
        campaign, campaign_left = _pairs(cursor, CAMPAIGN_LEFT_SQL, params)
        agreement, agreement_left = _pairs(cursor, AGREEMENT_LEFT_SQL, params)
        limits = Limits(
            slots=rules.slots,
            max_discovery=rules.max_discovery,
            campaign=campaign,
            campaign_left=campaign_left,
            agreement=agreement,
            agreement_left=agreement_left,
        )
        codes = choose(candidates, _fixed(cursor, params), limits)
        cursor.execute("DROP TABLE IF EXISTS allocation_decided")
        cursor.execute("CREATE TEMP TABLE allocation_decided (id int8, code int2) ON COMMIT DROP")
        decided = {"id": ("int8", candidates.id), "code": ("int2", codes.astype(np.int16))}
        write_columns(cursor, "allocation_decided", decided)
        cursor.execute("ANALYZE allocation_decided")
        cursor.execute(WRITE_SQL)
        cursor.execute("DROP TABLE allocation_decided")
        cursor.execute(
            "SELECT outcome, count(*) FROM campaigns_allocation WHERE period_start = %s "
            "GROUP BY outcome",
            [period_start],
        )
        return Counter(dict(cursor.fetchall()))
