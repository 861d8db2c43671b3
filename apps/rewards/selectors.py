"""Reads of the ledger for the pages: a member's points at a glance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.core import rows
from apps.rewards.models import PointsEntry, RebateCertificate
from apps.rewards.tiers import spend_window

EXPIRING_DAYS = 60  # "expiring soon": what the member page and the cashier screen show
RECENT = 8

# What is left of each unexpired lot whose last day falls in the window, by day. The lots
# through points_member_lot (member, last day); the member named in the LATERAL too, so that
# a cluster asks the member's shard alone (joined only, Citus asked every shard).
EXPIRING_SQL = """
SELECT e.valid_until, sum(e.points - coalesce(u.used, 0))::int
FROM rewards_pointsentry e
LEFT JOIN LATERAL (SELECT sum(points) AS used FROM rewards_lotuse
        WHERE member_id = %(member)s AND lot_id = e.id) u ON TRUE
WHERE e.member_id = %(member)s AND e.points > 0
  AND e.valid_until >= %(today)s AND e.valid_until < %(until)s
GROUP BY e.valid_until HAVING sum(e.points - coalesce(u.used, 0)) > 0
ORDER BY e.valid_until
"""


@dataclass(frozen=True)
class TierStanding:
    """A member's tier, the trailing 12-month spend behind it, and the next tier up."""

    name: str
    spend: Decimal
    next_name: str | None = None
    next_spend: Decimal | None = None  # the next tier's threshold

    @property
    def more(self) -> Decimal | None:
        """What is left to spend, within 12 months, to reach the next tier."""
        return None if self.next_spend is None else max(self.next_spend - self.spend, Decimal(0))


def _standing(name, spend, next_name, next_spend) -> TierStanding | None:
    return None if name is None else TierStanding(name, spend, next_name, next_spend)


# A member's balance and tier in one statement (the pages' query counts stay as they were):
# the tier of the last nightly recompute (rewards.tiers), or the lowest without a row, and
# the next one above both the spend and the tier held.
BALANCE_TIER_SQL = """
SELECT (SELECT points FROM rewards_pointsbalance WHERE member_id = %(member)s),
       t.name, coalesce(mt.spend, 0), nt.name, nt.min_spend
FROM (SELECT 1) one
LEFT JOIN rewards_membertier mt ON mt.member_id = %(member)s
LEFT JOIN rewards_tier t
    ON t.id = coalesce(mt.tier_id, (SELECT id FROM rewards_tier ORDER BY min_spend LIMIT 1))
LEFT JOIN LATERAL (
    SELECT name, min_spend FROM rewards_tier
    WHERE min_spend > greatest(coalesce(mt.spend, 0), t.min_spend) ORDER BY min_spend LIMIT 1
) nt ON TRUE
"""


@dataclass(frozen=True)
class PointsSummary:
    balance: int
    expiring: list[tuple[dt.date, int]] = field(default_factory=list)
    recent: list[PointsEntry] = field(default_factory=list)
    tier: TierStanding | None = None  # None: the chain has no tiers

    @property
    def expiring_total(self) -> int:
        return sum(points for _, points in self.expiring)


def _expiry_window(*, member_id: int, today: dt.date) -> dict:
    """The parameters of the points reads: the member, today, and the last day of the
    EXPIRING_DAYS window that the screens show as expiring soon."""
    return {"member": member_id, "today": today, "until": today + dt.timedelta(days=EXPIRING_DAYS)}


def points_summary(
    *, member_id: int, today: dt.date | None = None, recent: bool = True
) -> PointsSummary:
    """Balance, points expiring in the next EXPIRING_DAYS (by day), the last movements.

    `recent=False` leaves the movements out (one statement fewer): the cashier's screen shows
    only the balance, the tier and what expires soon.
    """
    today = today or timezone.localdate()
    params = _expiry_window(member_id=member_id, today=today)
    with connection.cursor() as cursor:
        cursor.execute(BALANCE_TIER_SQL, params)
        balance, *tier = cursor.fetchone()
        cursor.execute(EXPIRING_SQL, params)
        expiring = cursor.fetchall()
    movements = (
        list(
            PointsEntry.objects.filter(member_id=member_id)
            .select_related("user")
            .order_by("-created_at", "-id")[:RECENT]
        )
        if recent
        else []
    )
    return PointsSummary(
        balance=balance or 0, expiring=expiring, recent=movements, tier=_standing(*tier)
    )


# The cashier's screen in one statement (one round trip instead of three): the balance and
# tier row, the lots expiring soon folded into two arrays beside it (by day), and the open
# rebate certificates as the rows (one row with NULL certificate columns when none). The
# same figures as points_summary(recent=False) and open_certificates_listed, which stay the
# oracle (tests/rewards). Every per-member table is named with the member: on a cluster, one
# shard. A use carries its certificate's member (apps/core/placement.py), so naming the
# member there leaves the same uses.
TILL_POINTS_SQL = f"""
SELECT bt.*, ex.days, ex.points, oc.*
FROM ({BALANCE_TIER_SQL}) bt
CROSS JOIN (
    SELECT array_agg(e.day ORDER BY e.day) AS days, array_agg(e.points ORDER BY e.day) AS points
    FROM ({EXPIRING_SQL}) e (day, points)
) ex
LEFT JOIN LATERAL (
    SELECT {rows.columns(RebateCertificate)},
           row_number() OVER (ORDER BY rewards_rebatecertificate.valid_until,
                                       rewards_rebatecertificate.code) AS certificate_rank
    FROM rewards_rebatecertificate
    WHERE rewards_rebatecertificate.member_id = %(member)s
      AND rewards_rebatecertificate.valid_until >= %(today)s
      AND NOT EXISTS (
        SELECT 1 FROM rewards_certificateuse u
        WHERE u.member_id = %(member)s AND u.certificate_id = rewards_rebatecertificate.id
          AND u.reversed_at IS NULL)
) oc ON TRUE
ORDER BY oc.certificate_rank
"""
_TILL_HEAD = 7  # balance, the tier's four columns, the expiring days and points


def till_points(
    *, member_id: int, today: dt.date | None = None
) -> tuple[PointsSummary, list[RebateCertificate]]:
    """The cashier screen's points line (balance, tier, what expires in the next
    EXPIRING_DAYS, no movements) and the open rebate certificates usable today: one query."""
    today = today or timezone.localdate()
    params = _expiry_window(member_id=member_id, today=today)
    with connection.cursor() as cursor:
        cursor.execute(TILL_POINTS_SQL, params)
        fetched = cursor.fetchall()
    balance, *tier, days, points = fetched[0][:_TILL_HEAD]
    certificates = [
        rows.instance(RebateCertificate, row, _TILL_HEAD)
        for row in fetched
        if row[_TILL_HEAD] is not None
    ]
    summary = PointsSummary(
        balance=balance or 0,
        expiring=list(zip(days or [], points or [], strict=True)),
        tier=_standing(*tier),
    )
    return summary, certificates


# The same as of a moment: only what the ledger held then (it is append-only, so a list
# printed for a period shows the same figures whenever it is opened again).
# With the tier the member's spend of the 365 days before that day reaches, as the nightly
# recompute of that day places it (rewards.tiers; baskets are history, so this too reads the
# same whenever the list is opened again), and the next tier up.
AS_OF_SQL = """
SELECT (SELECT coalesce(sum(points), 0)::int FROM rewards_pointsentry
        WHERE member_id = %(member)s AND created_at < %(as_of)s),
       t.name, s.spend, nt.name, nt.min_spend
FROM (
    SELECT coalesce(sum(total_amount), 0) AS spend FROM baskets_basket
    WHERE member_id = %(member)s AND purchased_at >= %(year_ago)s AND purchased_at < %(as_of)s
) s
LEFT JOIN LATERAL (
    SELECT name, min_spend FROM rewards_tier
    WHERE min_spend <= greatest(s.spend, (SELECT min(min_spend) FROM rewards_tier))
    ORDER BY min_spend DESC LIMIT 1
) t ON TRUE
LEFT JOIN LATERAL (
    SELECT name, min_spend FROM rewards_tier
    WHERE min_spend > greatest(s.spend, t.min_spend) ORDER BY min_spend LIMIT 1
) nt ON TRUE
"""
EXPIRING_AS_OF_SQL = """
SELECT e.valid_until, sum(e.points - coalesce(u.used, 0))::int
FROM rewards_pointsentry e
LEFT JOIN LATERAL (
    SELECT sum(lu.points) AS used FROM rewards_lotuse lu
    JOIN rewards_pointsentry c
        ON c.member_id = lu.member_id AND c.id = lu.consumer_id
    WHERE lu.member_id = e.member_id AND lu.lot_id = e.id AND c.created_at < %(as_of)s
) u ON TRUE
WHERE e.member_id = %(member)s AND e.points > 0 AND e.created_at < %(as_of)s
  AND e.valid_until >= %(today)s AND e.valid_until < %(until)s
GROUP BY e.valid_until HAVING sum(e.points - coalesce(u.used, 0)) > 0
ORDER BY e.valid_until
"""


def points_as_of(*, member_id: int, as_of: dt.datetime, days: int = EXPIRING_DAYS) -> PointsSummary:
    """The balance at `as_of`, what was due to expire in the `days` after it, and the tier
    the spend of the 365 days before reached."""
    today = timezone.localdate(as_of)
    params = {
        "member": member_id,
        "as_of": as_of,
        "year_ago": spend_window(today)[0],
        "today": today,
        "until": today + dt.timedelta(days=days),
    }
    with connection.cursor() as cursor:
        cursor.execute(AS_OF_SQL, params)
        balance, *tier = cursor.fetchone()
        cursor.execute(EXPIRING_AS_OF_SQL, params)
        expiring = cursor.fetchall()
    return PointsSummary(balance=balance, expiring=expiring, tier=_standing(*tier))


# The programme's figures for finance: what is owed and how much of it will likely lapse.
# Breakage: of the points in lots whose last day has passed, the share never spent (expired,
# or waiting for tonight's expiry). Points of such lots not expired yet are not owed.
LIABILITY_SQL = """
WITH lapsed AS (
    SELECT e.points,
           e.points - coalesce(spent.points, 0) AS unspent,
           e.points - coalesce(used.points, 0) AS waiting
    FROM rewards_pointsentry e
    LEFT JOIN LATERAL (
        SELECT sum(lu.points) AS points FROM rewards_lotuse lu
        JOIN rewards_pointsentry c
        ON c.member_id = lu.member_id AND c.id = lu.consumer_id
        WHERE lu.member_id = e.member_id AND lu.lot_id = e.id AND c.kind <> 'expire'
    ) spent ON TRUE
    LEFT JOIN LATERAL (
        SELECT sum(points) AS points FROM rewards_lotuse
        WHERE member_id = e.member_id AND lot_id = e.id
    ) used ON TRUE
    WHERE e.points > 0 AND e.valid_until < %(today)s
)
SELECT
    (SELECT coalesce(sum(points), 0) FROM rewards_pointsbalance WHERE points > 0)::bigint
        - (SELECT coalesce(sum(waiting), 0) FROM lapsed)::bigint,
    (SELECT count(*) FROM rewards_pointsbalance WHERE points > 0),
    (SELECT coalesce(sum(points), 0) FROM lapsed)::bigint,
    (SELECT coalesce(sum(unspent), 0) FROM lapsed)::bigint
"""


@dataclass(frozen=True)
class Liability:
    outstanding: int  # points members hold
    members: int
    lapsed_lots: int  # points of lots past their last day
    expired: int  # of which never spent (expired, or expiring tonight)
    point_value: Decimal  # dollars a point

    @property
    def breakage(self) -> float | None:
        """The share of points that lapse unspent, from the chain's own history."""
        return self.expired / self.lapsed_lots if self.lapsed_lots else None

    @property
    def face_value(self) -> Decimal:
        return (self.outstanding * self.point_value).quantize(Decimal("0.01"))

    @property
    def expected_cost(self) -> Decimal:
        """What the outstanding points will likely cost: face value less expected breakage."""
        share = Decimal(str(1 - (self.breakage or 0)))
        return (self.face_value * share).quantize(Decimal("0.01"))


def points_liability(*, today: dt.date | None = None) -> Liability:
    with connection.cursor() as cursor:
        cursor.execute(LIABILITY_SQL, {"today": today or timezone.localdate()})
        outstanding, members, lapsed, expired = cursor.fetchone()
    value = Decimal(settings.CRM_POINT_VALUE_CENTS) / 100
    return Liability(int(outstanding), members, int(lapsed), int(expired), value)


def earning_rules() -> list:
    """Every version of the earning rule, newest start first, with its exclusions."""
    from apps.rewards.models import EarningRule

    return list(
        EarningRule.objects.prefetch_related("excluded_categories").order_by("-starts_on", "-id")
    )
