"""Points for a sale, and the points a return takes back, by the earning rule.

A sale's points: its eligible spend (what the member paid, after discounts, on lines
outside the rule's excluded categories) times the rule's points per dollar times the
member's tier multiplier (apps.rewards.tiers; 1 without a tier), rounded down to a whole
point, once per basket, after the multiplier. The multiplier is stored on the entry. A
return takes back exactly what the kept goods no longer earn: the sale's points less those
its eligible spend, net of every return so far, earns by the same rule and multiplier (the
ones the sale earned under, even if the rule or the member's tier changed since). So after
returning everything, every point the sale earned is gone; never more.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from apps.baskets.models import Basket, BasketLine
from apps.rewards.ledger import BALANCE_LOCK_SQL, Movement, balance_locked, entry_record
from apps.rewards.models import EntryKind, PointsEntry

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class PointsAnswer:
    """What the till is told: the points this transaction moved and the balance after."""

    points: int
    balance: int

    def as_dict(self, field: str) -> dict:
        return {field: self.points, "balance": self.balance}


@dataclass(frozen=True)
class Rule:
    id: int
    points_per_dollar: Decimal
    excluded: frozenset[int]

    def eligible(self, lines: list[tuple[int, Decimal]]) -> Decimal:
        """What (category, amount) lines paid outside the excluded categories."""
        return sum((amount for category, amount in lines if category not in self.excluded), ZERO)

    def points(self, spend: Decimal, multiplier: Decimal = ONE) -> int:
        """Whole points for an eligible spend at a tier multiplier, rounded down once
        (never below zero)."""
        return max(0, math.floor(spend * self.points_per_dollar * multiplier))


# The rule, and the member's tier multiplier read in the same statement (NULL: no tier, 1;
# a sale reads both with its balance lock instead: EARN_LOCK_SQL).
RULE_SQL = """
SELECT r.id, r.points_per_dollar,
       coalesce(array_agg(x.category_id) FILTER (WHERE x.category_id IS NOT NULL), '{{}}'),
       (SELECT t.multiplier FROM rewards_membertier mt
        JOIN rewards_tier t ON t.id = mt.tier_id WHERE mt.member_id = %s)
FROM rewards_earningrule r
LEFT JOIN rewards_earningrule_excluded_categories x ON x.earningrule_id = r.id
WHERE {where}
GROUP BY r.id ORDER BY r.starts_on DESC, r.id DESC LIMIT 1
"""


# A sale's points, first statement: the member's balance locked (ledger.BALANCE_LOCK_SQL),
# with the rule in force on the day and the member's tier multiplier (RULE_SQL's) read in
# the same statement: they cost a statement of their own before the lock. Read with the
# statement's snapshot, as they were before the lock; the balance is the locked row's
# latest. Whether a lot lapsed stays a statement of its own, after the lock
# (ledger.balance_locked says why). On a cluster the balance and the tier are on the
# member's shard; the rule and the tiers are reference tables.
EARN_LOCK_SQL = f"""
WITH balance AS ({BALANCE_LOCK_SQL})
SELECT b.points, r.id, r.points_per_dollar, r.excluded,
       (SELECT t.multiplier FROM rewards_membertier mt
        JOIN rewards_tier t ON t.id = mt.tier_id WHERE mt.member_id = %(member)s)
FROM balance b
LEFT JOIN LATERAL (
    SELECT r.id, r.points_per_dollar,
           coalesce(array_agg(x.category_id) FILTER (WHERE x.category_id IS NOT NULL), '{{}}')
               AS excluded
    FROM rewards_earningrule r
    LEFT JOIN rewards_earningrule_excluded_categories x ON x.earningrule_id = r.id
    WHERE r.starts_on <= %(day)s
    GROUP BY r.id ORDER BY r.starts_on DESC, r.id DESC LIMIT 1
) r ON TRUE
"""


def _earn_lock(day: dt.date, member_id: int) -> tuple[int, Rule | None, Decimal]:
    """Lock the member's balance; return it, the rule in force on `day` and the member's
    tier multiplier now (1 without a tier)."""
    with connection.cursor() as cursor:
        cursor.execute(EARN_LOCK_SQL, {"member": member_id, "day": day})
        locked, rule_id, per_dollar, excluded, multiplier = cursor.fetchone()
    rule = Rule(rule_id, per_dollar, frozenset(excluded)) if rule_id is not None else None
    return locked, rule, multiplier or ONE


def _rule_row(where: str, param, member_id: int | None = None) -> tuple[Rule | None, Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(RULE_SQL.format(where=where), [member_id, param])
        row = cursor.fetchone()
    if row is None:
        return None, ONE
    return Rule(row[0], row[1], frozenset(row[2])), row[3] or ONE


def _rule(where: str, param) -> Rule | None:
    return _rule_row(where, param)[0]


def rule_for(day: dt.date) -> Rule | None:
    """The rule in force on `day` (the latest started), or None: no programme, no points."""
    return _rule("r.starts_on <= %s", day)


def basket_lines(basket_id: int) -> list[tuple[int, Decimal]]:
    """A recorded basket's (category, amount) lines (a return's: negative, its refunds)."""
    return list(
        BasketLine.objects.filter(basket_id=basket_id).values_list("product__category_id", "amount")
    )


def points_earn_for_sale(
    *, member_id: int | None, basket_id: int, lines: list[tuple[int, Decimal]],
    at: dt.datetime, day: dt.date,
) -> PointsAnswer | None:  # fmt: skip
    """Record the points a member's sale earns (once per basket); None without a member.

    `lines`: the sale's (category, amount paid) lines, as the till recorded them. The
    balance is locked first, with the rule and the multiplier read (EARN_LOCK_SQL).
    """
    if member_id is None:
        return None
    locked, rule, multiplier = _earn_lock(day, member_id)
    spend = rule.eligible(lines) if rule is not None else ZERO
    points = rule.points(spend, multiplier) if rule is not None else 0
    if points == 0:
        return PointsAnswer(0, balance_locked(member_id, at=at, locked=locked))
    entry_id, balance = entry_record(
        Movement(
            member_id=member_id,
            kind=EntryKind.EARN,
            points=points,
            key=f"earn:{basket_id}",
            at=at,
            basket_id=basket_id,
            rule_id=rule.id,
            basis=spend,
            multiplier=multiplier,
        ),
        locked=locked,
    )
    return PointsAnswer(points if entry_id is not None else 0, balance)


def points_reverse_for_return(
    *, sale_basket: Basket, return_baskets: list[Basket], at: dt.datetime
) -> PointsAnswer | None:
    """Take back what the returned goods earned; None without a member.

    `return_baskets`: every return of the sale so far, this one last (its key makes the
    reversal happen once).
    """
    member_id = sale_basket.member_id
    if member_id is None:
        return None
    balance = balance_locked(member_id, at=at)
    earned = PointsEntry.objects.filter(kind=EntryKind.EARN, basket=sale_basket).first()
    if earned is None:
        return PointsAnswer(0, balance)
    rule = _rule("r.id = %s", earned.rule_id)
    refunds = [-rule.eligible(basket_lines(basket.pk)) for basket in return_baskets]
    reversed_before = -(earned.reversals.aggregate(points=Sum("points"))["points"] or 0)
    kept = earned.basis - sum(refunds, ZERO)
    # The multiplier the sale earned under (none stored: backfilled, 1), not today's tier.
    multiplier = earned.multiplier or ONE
    points = earned.points - reversed_before - rule.points(kept, multiplier)
    if points <= 0:
        return PointsAnswer(0, balance)
    this_return = return_baskets[-1]
    entry_id, balance_after = entry_record(
        Movement(
            member_id=member_id,
            kind=EntryKind.REVERSE,
            points=-points,
            key=f"reverse:{this_return.pk}",
            at=at,
            basket_id=this_return.pk,
            rule_id=earned.rule_id,
            basis=refunds[-1],
            reverses_id=earned.pk,
            prefer_lot=earned.pk,
            multiplier=multiplier,
        )
    )
    return PointsAnswer(points if entry_id is not None else 0, balance_after)
