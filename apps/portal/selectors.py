"""Reads of the manufacturer portal: one SQL statement per figure set, parameters bound.

Every statement returns, next to each figure, the number of distinct members it rests on,
so that `apps.portal.report` can suppress small cells. Only club members' purchases count
(`member_id IS NOT NULL`): anonymous baskets cannot be counted as people.

Brand groups of a category's products, from the agreement's point of view:
`yours` (the manufacturer's products the agreement covers), `national` (every other national
brand) and `store` (the store brand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.agreements.models import AgreementStatus, ManufacturerAgreement
from apps.catalog.models import Category, Manufacturer
from apps.segments.models import SegmentSnapshot

YOURS, NATIONAL, STORE, NONE = "yours", "national", "store", "none"
OTHER = "other"


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included, compared with the equally long days before."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def params(self) -> dict:
        """Local-midnight bounds of the period and of the one before, [from, to)."""
        return {
            "prev_start": _midnight(self.previous.start),
            "start": _midnight(self.start),
            "end": _midnight(self.end + dt.timedelta(days=1)),
            "tz": settings.TIME_ZONE,
        }


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# Agreements -------------------------------------------------------------------------------


def reporting_agreements(*, manufacturer: Manufacturer) -> QuerySet[ManufacturerAgreement]:
    """Return the manufacturer's agreements that include reporting (drafts are no deal yet)."""
    return (
        ManufacturerAgreement.objects.filter(manufacturer=manufacturer, reporting_included=True)
        .exclude(status=AgreementStatus.DRAFT)
        .select_related("manufacturer")
        .prefetch_related("categories")
        .order_by("-valid_from", "name")
    )


def manufacturer_agreements(*, manufacturer: Manufacturer) -> QuerySet[ManufacturerAgreement]:
    """Return all of the manufacturer's agreements, newest first."""
    return (
        ManufacturerAgreement.objects.filter(manufacturer=manufacturer)
        .prefetch_related("categories")
        .order_by("-valid_from", "name")
    )


def agreement_has_reporting(agreement: ManufacturerAgreement) -> bool:
    """Return whether the deal gives report access: reporting included, and not a draft."""
    return agreement.reporting_included and agreement.status != AgreementStatus.DRAFT


def manufacturers_with_agreements() -> QuerySet[Manufacturer]:
    """Return the manufacturers with at least one agreement, flagged when one has reporting."""
    reporting = ManufacturerAgreement.objects.filter(
        manufacturer=OuterRef("pk"), reporting_included=True
    ).exclude(status=AgreementStatus.DRAFT)
    return (
        Manufacturer.objects.filter(agreements__isnull=False)
        .distinct()
        .annotate(has_reporting=Exists(reporting))
        .order_by("name")
    )


def agreement_categories(*, agreement: ManufacturerAgreement) -> list[Category]:
    """Return the agreement's categories; with none named, those of the products it covers."""
    named = list(agreement.categories.all())
    if named:
        return sorted(named, key=lambda c: c.name)
    products = agreement.manufacturer.products.all()
    if agreement.brands:
        brands = Q()
        for brand in agreement.brands:
            brands |= Q(brand__iexact=brand)
        products = products.filter(brands)
    return list(Category.objects.filter(pk__in=products.values("category_id")).order_by("name"))


def _scope_params(agreement: ManufacturerAgreement, categories: list[Category]) -> dict:
    return {
        "manufacturer": agreement.manufacturer_id,
        "brands": [b.lower() for b in agreement.brands],
        "categories": [c.pk for c in categories],
        "agreement": agreement.pk,
    }


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
)"""


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Redemptions ------------------------------------------------------------------------------

_REDEMPTIONS_BY_CATEGORY = """
SELECT CASE WHEN p.category_id = ANY(%(categories)s) THEN p.category_id END AS category,
       count(*) AS redemptions, sum(r.quantity) AS units,
       sum(r.discount) AS discount, sum(r.manufacturer_share) AS funded,
       count(DISTINCT r.member_id) AS members,
       GROUPING(CASE WHEN p.category_id = ANY(%(categories)s) THEN p.category_id END) AS is_all
FROM checkout_redemption r
JOIN baskets_basket b ON b.id = r.basket_id
JOIN catalog_product p ON p.id = r.product_id
WHERE r.agreement_id = %(agreement)s AND r.reversed_at IS NULL
  AND b.purchased_at >= %(start)s AND b.purchased_at < %(end)s
GROUP BY GROUPING SETS ((CASE WHEN p.category_id = ANY(%(categories)s) THEN p.category_id END),
                        ())
"""


def redemptions_by_category(
    *, agreement: ManufacturerAgreement, categories: list[Category], period: Period
) -> list[tuple]:
    """Return (category, redemptions, units, discount, funded, members) where category is a
    category id, OTHER for products outside the given categories, or None for all.

    Redemptions reversed by a return do not count; the day is the sale's.
    """
    rows = _fetch(
        _REDEMPTIONS_BY_CATEGORY,
        {"agreement": agreement.pk, "categories": [c.pk for c in categories], **period.params()},
    )
    return [
        (None if is_all else OTHER if cat is None else cat, *figures)
        for cat, *figures, is_all in rows
    ]


_REDEMPTIONS_BY_WEEK = """
SELECT date_trunc('week', b.purchased_at AT TIME ZONE %(tz)s)::date AS week,
       count(*) AS redemptions, sum(r.quantity) AS units,
       sum(r.discount) AS discount, sum(r.manufacturer_share) AS funded,
       count(DISTINCT r.member_id) AS members
FROM checkout_redemption r
JOIN baskets_basket b ON b.id = r.basket_id
WHERE r.agreement_id = %(agreement)s AND r.reversed_at IS NULL
  AND b.purchased_at >= %(start)s AND b.purchased_at < %(end)s
GROUP BY GROUPING SETS ((date_trunc('week', b.purchased_at AT TIME ZONE %(tz)s)::date), ())
"""


def redemptions_by_week(*, agreement: ManufacturerAgreement, period: Period) -> list[tuple]:
    """Return (Monday of the week or None for all, redemptions, units, discount, funded,
    members)."""
    return _fetch(_REDEMPTIONS_BY_WEEK, {"agreement": agreement.pk, **period.params()})


# Category sales by brand group ---------------------------------------------------------------

_SALES_BY_GROUP = f"""
WITH {_SCOPE}
SELECT s.category_id, s.grp, sum(l.amount) AS sales, count(DISTINCT l.member_id) AS members
FROM baskets_basketline l
JOIN scope s ON s.product_id = l.product_id
WHERE l.member_id IS NOT NULL AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
GROUP BY GROUPING SETS ((s.category_id, s.grp), (s.category_id), (s.grp), ())
"""


def sales_by_brand_group(
    *, agreement: ManufacturerAgreement, categories: list[Category], period: Period
) -> list[tuple]:
    """Return (category id or None, group or None, member sales, members): every cell and
    margin of the groups × categories table."""
    return _fetch(_SALES_BY_GROUP, {**_scope_params(agreement, categories), **period.params()})


# Buyers of the agreement's brands by loyalty × usage cell -------------------------------------

_BUYERS_BY_CELL = f"""
WITH {_SCOPE},
snapshot AS (
    -- Each category's latest snapshot ending by the period's end, else its latest at all.
    SELECT DISTINCT ON (category_id) id, category_id
    FROM segments_segmentsnapshot
    WHERE category_id = ANY(%(categories)s)
    ORDER BY category_id, (window_end <= %(end_day)s) DESC, window_end DESC, computed_at DESC
),
buyers AS (
    SELECT l.member_id, s.category_id, sum(l.amount) AS spend
    FROM baskets_basketline l
    JOIN scope s ON s.product_id = l.product_id AND s.grp = 'yours'
    WHERE l.member_id IS NOT NULL AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
    GROUP BY l.member_id, s.category_id
),
cells AS (
    SELECT b.category_id, coalesce(m.loyalty, 'none') AS loyalty,
           coalesce(m.usage_tier, 0) AS tier, b.spend
    FROM buyers b
    LEFT JOIN snapshot sn ON sn.category_id = b.category_id
    LEFT JOIN segments_segmentmember m ON m.snapshot_id = sn.id AND m.member_id = b.member_id
)
SELECT category_id, loyalty, tier, sum(spend) AS spend, count(*) AS members,
       GROUPING(loyalty) AS all_loyalty, GROUPING(tier) AS all_tiers
FROM cells
GROUP BY GROUPING SETS ((category_id, loyalty, tier), (category_id, loyalty),
                        (category_id, tier), (category_id))
"""


def buyers_by_cell(
    *, agreement: ManufacturerAgreement, categories: list[Category], period: Period
) -> list[tuple]:
    """Return (category id, loyalty or None, usage tier or None, spend, members).

    Buyers of the agreement's brands in the period, placed in their cell of the category's
    snapshot; loyalty 'none' / tier 0 for buyers the snapshot does not hold.
    """
    rows = _fetch(
        _BUYERS_BY_CELL,
        {
            **_scope_params(agreement, categories),
            **period.params(),
            "end_day": period.end + dt.timedelta(days=1),
        },
    )
    return [
        (cat, None if all_l else loyalty, None if all_t else tier, spend, members)
        for cat, loyalty, tier, spend, members, all_l, all_t in rows
    ]


def snapshots_used(*, categories: list[Category], period: Period) -> dict[int, SegmentSnapshot]:
    """Return the snapshot `buyers_by_cell` places each category's buyers with."""
    fits = ExpressionWrapper(
        Q(window_end__lte=period.end + dt.timedelta(days=1)), output_field=BooleanField()
    )
    snapshots = (
        SegmentSnapshot.objects.filter(category__in=categories)
        .annotate(fits=fits)
        .order_by("category_id", "-fits", "-window_end", "-computed_at")
        .distinct("category_id")
    )
    return {s.category_id: s for s in snapshots}


# Switching between brand groups ---------------------------------------------------------------

_SWITCHING = f"""
WITH {_SCOPE},
spend AS (
    SELECT l.member_id, s.category_id, l.purchased_at >= %(start)s AS now, s.grp,
           sum(l.amount) AS amount
    FROM baskets_basketline l
    JOIN scope s ON s.product_id = l.product_id
    WHERE l.member_id IS NOT NULL
      AND l.purchased_at >= %(prev_start)s AND l.purchased_at < %(end)s
    GROUP BY 1, 2, 3, 4
),
main AS (
    -- Each buyer's main group in a period: where most of their category money went.
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
SELECT category_id, before, after, count(*) AS members,
       GROUPING(before) AS all_before, GROUPING(after) AS all_after
FROM pairs
GROUP BY GROUPING SETS ((category_id, before, after), (category_id, before),
                        (category_id, after), (category_id))
"""


def brand_switching(
    *, agreement: ManufacturerAgreement, categories: list[Category], period: Period
) -> list[tuple]:
    """Return (category id, group before or None, group now or None, members).

    A buyer's group in each period is the one they spent most on in the category ('none'
    when they did not buy it), so the table is previous period → this period.
    """
    rows = _fetch(_SWITCHING, {**_scope_params(agreement, categories), **period.params()})
    return [
        (cat, None if all_b else before, None if all_a else after, members)
        for cat, before, after, members, all_b, all_a in rows
    ]


# New, lost and retained buyers of the agreement's brands ---------------------------------------

_BUYER_FLOW = f"""
WITH {_SCOPE},
per_member AS (
    SELECT l.member_id, s.category_id,
           bool_or(l.purchased_at < %(start)s) AS before,
           bool_or(l.purchased_at >= %(start)s) AS now,
           coalesce(sum(l.amount) FILTER (WHERE l.purchased_at >= %(start)s), 0) AS spend_now,
           coalesce(sum(l.amount) FILTER (WHERE l.purchased_at < %(start)s), 0) AS spend_before
    FROM baskets_basketline l
    JOIN scope s ON s.product_id = l.product_id AND s.grp = 'yours'
    WHERE l.member_id IS NOT NULL
      AND l.purchased_at >= %(prev_start)s AND l.purchased_at < %(end)s
    -- Per category, and across all the agreement's categories (category NULL).
    GROUP BY GROUPING SETS ((l.member_id, s.category_id), (l.member_id))
),
classified AS (
    SELECT category_id,
           CASE WHEN before AND now THEN 'retained' WHEN now THEN 'new' ELSE 'lost' END
               AS status,
           spend_now, spend_before
    FROM per_member
)
SELECT category_id, status, count(*) AS members, sum(spend_now), sum(spend_before),
       GROUPING(status) AS all_status
FROM classified
GROUP BY GROUPING SETS ((category_id, status), (category_id))
"""


def buyer_flow(
    *, agreement: ManufacturerAgreement, categories: list[Category], period: Period
) -> list[tuple]:
    """Return (category id or None for all, status or None, members, spend now, spend before).

    New: bought the agreement's brands in the period but not in the one before; lost: the
    other way round; retained: in both.
    """
    rows = _fetch(_BUYER_FLOW, {**_scope_params(agreement, categories), **period.params()})
    return [
        (cat, None if all_s else status, members, now, before)
        for cat, status, members, now, before, all_s in rows
    ]
