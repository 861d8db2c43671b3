"""Phase two of allocation: choose each member's offers for a period, greedily by value.

The candidates of the period (scored by phase one) compete under every limit:
- a list holds at most `slots` offers, one per category, and at most `max_discovery` of
  them for categories the member did not buy;
- a campaign's expected cost (probability × cost of each offer it gives, in every period)
  stays within its budget, and an agreement's expected share within its budget cap;
- a member has a campaign's offer in one period only (`limit`).

Each round is a few set-based statements: every member takes their best candidates by
expected value within the list's limits; then each campaign keeps its selected members in
order of value while its remaining budget lasts, and each agreement likewise. A campaign or
agreement that ran out is settled: what it kept is given, the rest of its candidates are
refused. The next round lets members fill the slots that freed up. When a round cuts
nothing, the selection is final and the rest is outranked. A campaign settles at most once,
so rounds are bounded by the campaigns; MAX_ROUNDS caps them anyway.

Held-out members go through the same choice: where they would get the offer they are
marked `holdout` (they count in the ranking as treated members do, but cost nothing), so
the report compares those who got an offer with those who would have.

Decisions already made for the period (`given`, `holdout`) stay: a campaign activated
mid-period competes for the slots, categories and budgets left over. One period is decided
at a time (an advisory lock), so two runs never give the same slot twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import connection

from apps.campaigns.allocation.rules import AllocationRules

MAX_ROUNDS = 25
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

# One round's verdict per selected candidate, into a temporary table: keep, budget or
# agreement. Costs are expected costs: probability × the offer's cost (manufacturer's
# share for the agreement); held-out rows cost nothing but sit at their place in the order,
# so they are kept exactly when a treated member of the same value would be.
ROUND_SQL = """
CREATE TEMP TABLE allocation_round ON COMMIT DROP AS
WITH fixed AS (
    SELECT member_id, count(*) AS n, count(*) FILTER (WHERE discovery) AS n_discovery,
           array_agg(category_id) AS categories
    FROM campaigns_allocation
    WHERE period_start = %(start)s AND outcome IN ('given', 'holdout')
    GROUP BY member_id
), pool AS (
    SELECT a.id, a.member_id, a.campaign_id, a.category_id, a.discovery, a.holdout, a.value,
           a.probability * a.unit_cost AS cost, a.probability * a.manufacturer_cost AS maker_cost,
           coalesce(f.n, 0) AS fixed_n, coalesce(f.n_discovery, 0) AS fixed_discovery
    FROM campaigns_allocation a
    LEFT JOIN fixed f ON f.member_id = a.member_id
    WHERE a.period_start = %(start)s AND a.outcome = 'candidate'
      AND NOT (a.category_id = ANY(coalesce(f.categories, '{}')))
), best_in_category AS (
    SELECT * FROM (
        SELECT p.*, row_number() OVER (
            PARTITION BY p.member_id, p.category_id ORDER BY p.value DESC, p.id) AS n
        FROM pool p
    ) ranked WHERE n = 1
), within_discovery AS (
    SELECT * FROM (
        SELECT b.*, row_number() OVER (
            PARTITION BY b.member_id, b.discovery ORDER BY b.value DESC, b.id) AS n_kind
        FROM best_in_category b
    ) ranked WHERE NOT discovery OR n_kind <= %(max_discovery)s - fixed_discovery
), selected AS (
    SELECT * FROM (
        SELECT w.*, row_number() OVER (PARTITION BY w.member_id ORDER BY w.value DESC, w.id)
            AS n_slot
        FROM within_discovery w
    ) ranked WHERE n_slot <= %(slots)s - fixed_n
), campaign_spent AS MATERIALIZED (
    SELECT campaign_id, sum(probability * unit_cost) AS spent
    FROM campaigns_allocation WHERE outcome = 'given' GROUP BY campaign_id
), by_campaign AS (
    SELECT s.*, c.agreement_id,
           c.budget - coalesce(cs.spent, 0) AS remaining,
           sum(CASE WHEN s.holdout THEN 0 ELSE s.cost END) OVER (
               PARTITION BY s.campaign_id ORDER BY s.value DESC, s.id
               ROWS UNBOUNDED PRECEDING) AS running
    FROM selected s
    JOIN campaigns_campaign c ON c.id = s.campaign_id
    LEFT JOIN campaign_spent cs ON cs.campaign_id = s.campaign_id
), agreement_spent AS MATERIALIZED (
    SELECT c.agreement_id, sum(a.probability * a.manufacturer_cost) AS spent
    FROM campaigns_allocation a JOIN campaigns_campaign c ON c.id = a.campaign_id
    WHERE a.outcome = 'given' AND c.agreement_id IS NOT NULL
    GROUP BY c.agreement_id
), by_agreement AS (
    SELECT b.*, ag.budget_cap - coalesce(sp.spent, 0) AS agreement_remaining,
           sum(CASE WHEN b.holdout THEN 0 ELSE b.maker_cost END) OVER (
               PARTITION BY b.agreement_id ORDER BY b.value DESC, b.id
               ROWS UNBOUNDED PRECEDING) AS agreement_running
    FROM by_campaign b
    LEFT JOIN agreements_manufactureragreement ag ON ag.id = b.agreement_id
    LEFT JOIN agreement_spent sp ON sp.agreement_id = b.agreement_id
    WHERE b.running <= b.remaining
)
SELECT b.id, b.campaign_id, b.agreement_id, b.holdout,
       CASE WHEN b.running > b.remaining THEN 'budget'
            WHEN a.agreement_remaining IS NOT NULL
                 AND a.agreement_running > a.agreement_remaining THEN 'agreement'
            ELSE 'keep' END AS verdict
FROM by_campaign b LEFT JOIN by_agreement a ON a.id = b.id
"""

VERDICTS_SQL = "SELECT verdict, count(*) FROM allocation_round GROUP BY verdict"

# A campaign or agreement that ran out this round: the kept rows of its campaigns become
# decisions, every other candidate of its campaigns is refused with the reason.
SETTLE_SQL = """
WITH spent_campaigns AS (
    SELECT DISTINCT campaign_id FROM allocation_round WHERE verdict = 'budget'
), spent_agreements AS (
    SELECT DISTINCT agreement_id FROM allocation_round WHERE verdict = 'agreement'
), settled AS (
    SELECT c.id AS campaign_id,
           CASE WHEN c.id IN (SELECT campaign_id FROM spent_campaigns) THEN 'budget'
                ELSE 'agreement' END AS reason
    FROM campaigns_campaign c
    WHERE c.id IN (SELECT campaign_id FROM spent_campaigns)
       OR c.agreement_id IN (SELECT agreement_id FROM spent_agreements)
)
UPDATE campaigns_allocation a
SET outcome = CASE WHEN a.id IN (SELECT id FROM allocation_round WHERE verdict = 'keep')
                   THEN CASE WHEN a.holdout THEN 'holdout' ELSE 'given' END
                   ELSE s.reason END
FROM settled s
WHERE a.period_start = %(start)s AND a.outcome = 'candidate' AND a.campaign_id = s.campaign_id
"""

# A round that cut nothing is final: the selected rows are given (or held out), the other
# candidates outranked.
FINAL_SQL = """
UPDATE campaigns_allocation a
SET outcome = CASE
    WHEN a.id IN (SELECT id FROM allocation_round WHERE verdict = 'keep')
        THEN CASE WHEN a.holdout THEN 'holdout' ELSE 'given' END
    WHEN a.id IN (SELECT id FROM allocation_round WHERE verdict = 'budget') THEN 'budget'
    WHEN a.id IN (SELECT id FROM allocation_round WHERE verdict = 'agreement') THEN 'agreement'
    ELSE 'outranked' END
WHERE a.period_start = %(start)s AND a.outcome = 'candidate'
"""


def allocation_decide(*, period_start: dt.date, rules: AllocationRules) -> Counter:
    """Decide every undecided candidate of the period; return the count per outcome.

    Call it in a transaction: it takes the period's advisory lock until the commit.
    """
    params = {
        "start": period_start,
        "slots": rules.slots,
        "max_discovery": rules.max_discovery,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, period_start.toordinal()]
        )
        # Phase one has just bulk-inserted the candidates: without fresh statistics the
        # planner takes 600 k rows for a few dozen and re-runs the spend sums per row
        # (97 s instead of 32 s on 20 k members in bench/bench_allocation.py).
        cursor.execute("ANALYZE campaigns_allocation")
        cursor.execute(LIMIT_SQL, params)
        decided = Counter({"limit": cursor.rowcount})
        for round_number in range(1, MAX_ROUNDS + 1):
            cursor.execute("DROP TABLE IF EXISTS allocation_round")
            cursor.execute(ROUND_SQL, params)
            cursor.execute(VERDICTS_SQL)
            verdicts = dict(cursor.fetchall())
            if round_number == MAX_ROUNDS or not (
                verdicts.get("budget") or verdicts.get("agreement")
            ):
                cursor.execute(FINAL_SQL, params)
                break
            cursor.execute(SETTLE_SQL, params)
        cursor.execute("DROP TABLE IF EXISTS allocation_round")
        cursor.execute(
            "SELECT outcome, count(*) FROM campaigns_allocation WHERE period_start = %s "
            "GROUP BY outcome",
            [period_start],
        )
        decided.update(dict(cursor.fetchall()))
    return decided
