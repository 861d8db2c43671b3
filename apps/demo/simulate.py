"""The demo's tills: list holders' shopping trips sent through the real checkout service.

A Python loop over transactions is right here, and only here: it plays tills, ringing up
one basket after another through `apps.checkout.services.checkout_record` (request parsed
by `parse_checkout`, as the POS API does), so every redemption, budget check and
manufacturer share is the product's own. The number of checkouts is capped (2,000 by
default over the whole seed), so seeding stays fast at any demo size: a 100,000-member
demo gets a sample cut at the cap, not a slower seed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from apps.campaigns.models import CampaignAudience, CampaignStatus, Offer
from apps.campaigns.validation import offer_products
from apps.catalog.models import Product
from apps.checkout.models import PosTransaction, Redemption, TillToken
from apps.checkout.services import checkout_record, return_record
from apps.checkout.validation import parse_checkout, parse_return
from apps.core.clock import local_midnight
from apps.demo.response import period_chances
from apps.demo.till_try import TILL_NAME, TryTill, demo_till_try
from apps.lists.models import ItemKind, ListItem, ShoppingList

# The demo till a person can try (apps/demo/till_try.py) stays importable from here.
__all__ = [
    "DEMO_PREFIX",
    "TILL_NAME",
    "SimulationResult",
    "TryTill",
    "demo_till_try",
    "tills_simulate",
]

DEMO_PREFIX = "DEMO-"
HISTORY_WEEKS = 8

# Chance that a list holder shops with the list in a whole period (with / without an
# offer on it) and that a due product lands in the basket. Whether a listed offer lands in
# it, and whether a held-out member buys the campaign's product anyway (the baseline the
# holdout measures), depends on the member and the offer: apps.demo.response.
P_SHOP_WITH_OFFER = 0.6
P_SHOP_WITHOUT_OFFER = 0.35
P_TAKE_DUE = 0.5
# A measured test's offer (`eager` campaigns): list holders shop almost always and act on it
# almost always (response.EAGER_BOOST), so that its lift over a half holdout is large enough
# to show on a small demo chain.
P_SHOP_EAGER = 0.95
P_SCAN_LIST = 0.75
ANONYMOUS_SHARE = 0.04


@dataclass
class SimulationResult:
    period_start: dt.date
    checkouts: int = 0
    anonymous: int = 0
    redemptions: int = 0
    discount: Decimal = Decimal("0.00")
    returns: int = 0
    already_done: bool = False


@dataclass
class _Trip:
    when: dt.datetime
    store: str
    scanned: str
    lines: dict[int, int] = field(default_factory=dict)  # product id -> units


# Each member's home store (most baskets) and their most bought products in the weeks
# before the period: the filler of their simulated baskets.
_HOME_STORES_SQL = """
SELECT DISTINCT ON (b.member_id) b.member_id, s.code
FROM baskets_basket b JOIN baskets_store s ON s.id = b.store_id
WHERE b.member_id = ANY(%(members)s)
GROUP BY b.member_id, s.code
ORDER BY b.member_id, count(*) DESC, s.code
"""
_USUAL_PRODUCTS_SQL = """
SELECT member_id, product_id FROM (
    SELECT l.member_id, l.product_id,
           row_number() OVER (
               PARTITION BY l.member_id ORDER BY count(*) DESC, l.product_id
           ) AS n
    FROM baskets_basketline l JOIN catalog_product p ON p.id = l.product_id
    WHERE l.member_id = ANY(%(members)s) AND p.price > 0
      AND l.purchased_at >= %(start)s AND l.purchased_at < %(end)s
    GROUP BY l.member_id, l.product_id
) ranked WHERE n <= 12
ORDER BY member_id, n
"""


def tills_simulate(
    *,
    period_start: dt.date,
    last_day: dt.date,
    tills: dict[str, TillToken],
    seed: int,
    elapsed_share: float,
    max_checkouts: int,
    with_return: bool = False,
    eager: frozenset[int] = frozenset(),
) -> SimulationResult:
    """Ring up a sample of the period's list holders' trips (and a few cardless ones).

    Each sampled holder shops once between the period start and last_day at their home
    store, with some of their listed offer and due products and a few usual ones,
    scanning the list (or, now and then, the card). With `with_return`, the first sale
    that redeemed an offer is brought back the next day, which reverses the offer.
    Whether an offer is taken (or a held-out member buys the product anyway) follows the
    demo's response model on the pair's allocation features (apps.demo.response). Offers of
    the `eager` campaigns (ids) are shopped for and taken almost always.
    """
    prefix = f"{DEMO_PREFIX}{period_start:%y%m%d}-"
    result = SimulationResult(period_start=period_start)
    done = PosTransaction.objects.filter(transaction_id__startswith=prefix)
    if done.exists():
        return _count_done(result, done)

    # Ordered by stable keys, not ids: set-based inserts number rows in plan order, and the
    # draws below must not depend on it (the same demo gives the same checkouts).
    lists = list(
        ShoppingList.objects.filter(period_start=period_start)
        .order_by("member_id")
        .values_list("pk", "member_id", "barcode", "member__card_number")
    )
    if not lists or max_checkouts <= 0:
        return result
    members = [row[1] for row in lists]
    items: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        ListItem.objects.filter(
            shopping_list__period_start=period_start, kind__in=[ItemKind.OFFER, ItemKind.DUE]
        )
        .order_by("shopping_list_id", "kind", "offer_id", "product_id")
        .values_list("shopping_list_id", "kind", "offer_id", "product_id", "min_quantity")
    ):
        items[row[0]].append(row[1:])
    holdouts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for member_id, campaign_id, tier in (
        CampaignAudience.objects.filter(
            member_id__in=members, holdout=True, campaign__status=CampaignStatus.ACTIVE
        )
        .order_by("campaign_id", "member_id")
        .values_list("member_id", "campaign_id", "usage_tier")
    ):
        holdouts[member_id].append((campaign_id, tier))
    offers = {
        (o.campaign_id, o.usage_tier): o
        for o in Offer.objects.filter(campaign__status=CampaignStatus.ACTIVE).select_related(
            "campaign"
        )
    }
    matching = {
        o.pk: list(
            offer_products(o).filter(price__gt=0).order_by("upc").values_list("pk", flat=True)
        )
        for o in offers.values()
    }
    products = dict(Product.objects.filter(price__gt=0).values_list("pk", "upc"))
    prices = dict(Product.objects.filter(price__gt=0).values_list("pk", "price"))
    home, usual = _home_and_usual(members=members, period_start=period_start)
    chances = period_chances(period_start)

    rng = np.random.default_rng([seed, period_start.toordinal()])
    days = (last_day - period_start).days + 1
    eager_offers = {o.pk for o in offers.values() if o.campaign_id in eager}
    with_offer = np.array([any(i[0] == ItemKind.OFFER for i in items[row[0]]) for row in lists])
    with_eager = np.array([any(i[1] in eager_offers for i in items[row[0]]) for row in lists])
    chance = (
        np.select([with_eager, with_offer], [P_SHOP_EAGER, P_SHOP_WITH_OFFER], P_SHOP_WITHOUT_OFFER)
        * elapsed_share
    )
    sampled = np.flatnonzero(rng.random(len(lists)) < chance)

    trips: list[_Trip] = []
    for index in sampled:
        list_id, member_id, barcode, card = lists[index]
        trip = _Trip(
            when=_moment(rng, period_start, days),
            store=home.get(member_id, next(iter(tills))),
            scanned=barcode if rng.random() < P_SCAN_LIST else card,
        )
        for kind, offer_id, product_id, min_quantity in items[list_id]:
            take = chances.take_chance(member_id, offer_id, eager=offer_id in eager_offers)
            if kind == ItemKind.OFFER and matching.get(offer_id) and rng.random() < take:
                choice = matching[offer_id]
                trip.lines[choice[rng.integers(len(choice))]] = min_quantity
            elif kind == ItemKind.DUE and product_id in products and rng.random() < P_TAKE_DUE:
                trip.lines.setdefault(product_id, 1)
        for campaign_id, tier in holdouts[member_id]:
            offer = offers.get((campaign_id, tier))
            buys = chances.holdout_chance(member_id, campaign_id)
            if offer is not None and matching[offer.pk] and rng.random() < buys:
                choice = matching[offer.pk]
                trip.lines.setdefault(choice[rng.integers(len(choice))], offer.min_quantity)
        _add_usual(rng, trip, usual.get(member_id, []), count=int(rng.integers(2, 6)))
        if trip.lines:
            trips.append(trip)
    # Cardless shoppers, rung up with some holder's usual products.
    for _ in range(max(2, round(len(trips) * ANONYMOUS_SHARE)) if trips else 0):
        member_id = members[rng.integers(len(members))]
        trip = _Trip(
            when=_moment(rng, period_start, days),
            store=home.get(member_id, next(iter(tills))),
            scanned="",
        )
        _add_usual(rng, trip, usual.get(member_id, []), count=int(rng.integers(2, 7)))
        if trip.lines:
            trips.append(trip)
    trips = sorted(trips, key=lambda t: (t.when, t.store, t.scanned))[:max_checkouts]

    first_redeemed: tuple[str, dict, dt.datetime] | None = None
    for number, trip in enumerate(trips, start=1):
        body = {
            "transaction_id": f"{prefix}{number:05d}",
            "store": trip.store,
            "scanned": trip.scanned,
            "purchased_at": trip.when.isoformat(),
            "lines": [
                {"upc": products[pk], "quantity": units, "unit_price": f"{prices[pk]:.2f}"}
                for pk, units in trip.lines.items()
            ],
        }
        request, raw, errors = parse_checkout(json.dumps(body).encode(), store_code=trip.store)
        if errors:
            raise ValueError(f"Demo checkout {body['transaction_id']}: {errors}")
        answer = checkout_record(till=tills[trip.store], request=request, raw=raw)
        result.checkouts += 1
        result.anonymous += not trip.scanned
        result.redemptions += len(answer["redemptions"])
        result.discount += sum(Decimal(r["discount"]) for r in answer["redemptions"])
        if first_redeemed is None and answer["redemptions"]:
            first_redeemed = (trip.store, answer, trip.when)

    if with_return and first_redeemed is not None:
        store, sale, when = first_redeemed
        upc = sale["redemptions"][0]["upc"]
        units = next(line["quantity"] for line in sale["lines"] if line["upc"] == upc)
        body = {
            "transaction_id": f"{prefix}R0001",
            "store": store,
            "original_transaction_id": sale["transaction_id"],
            "returned_at": (when + dt.timedelta(days=1)).isoformat(),
            "lines": [{"upc": upc, "quantity": units}],
        }
        request, raw, errors = parse_return(json.dumps(body).encode(), store_code=store)
        if errors:
            raise ValueError(f"Demo return: {errors}")
        return_record(till=tills[store], request=request, raw=raw)
        result.returns = 1
    return result


def _count_done(result: SimulationResult, done) -> SimulationResult:
    sales = done.filter(kind=PosTransaction.Kind.SALE)
    redeemed = Redemption.objects.filter(pos_transaction__in=sales)
    result.already_done = True
    result.checkouts = sales.count()
    result.anonymous = sales.filter(basket__member__isnull=True).count()
    result.redemptions = redeemed.count()
    result.discount = redeemed.aggregate(total=Sum("discount"))["total"] or Decimal("0.00")
    result.returns = done.filter(kind=PosTransaction.Kind.RETURN).count()
    return result


def _home_and_usual(*, members: list[int], period_start: dt.date):
    params = {
        "members": members,
        "start": local_midnight(period_start - dt.timedelta(weeks=HISTORY_WEEKS)),
        "end": local_midnight(period_start),
    }
    usual: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_HOME_STORES_SQL, params)
        home = dict(cursor.fetchall())
        cursor.execute(_USUAL_PRODUCTS_SQL, params)
        for member_id, product_id in cursor.fetchall():
            usual[member_id].append(product_id)
    return home, usual


def _moment(rng, period_start: dt.date, days: int) -> dt.datetime:
    """A random opening-hours moment (8:00-19:59, local) of one of the period's days."""
    day = period_start + dt.timedelta(days=int(rng.integers(days)))
    at = dt.time(int(rng.integers(8, 20)), int(rng.integers(60)))
    return timezone.make_aware(dt.datetime.combine(day, at))


def _add_usual(rng, trip: _Trip, usual: list[int], *, count: int) -> None:
    if not usual:
        return
    for index in rng.permutation(len(usual))[:count]:
        trip.lines.setdefault(usual[index], 1)
