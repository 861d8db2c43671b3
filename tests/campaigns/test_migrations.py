"""The data migrations of issue 15 on rows made before them: offers get a text for
shoppers built from the offer, lists already made say it instead of the campaign's name,
and their rewards count coupons in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import CategoryFactory, MemberFactory, ProductFactory

BEFORE = [("campaigns", "0002_goal_convert_either_way"), ("lists", "0004_content_months")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.slow
def test_existing_offers_and_lists_get_words_for_shoppers(transactional_db):
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Campaign, Offer = old.get_model("campaigns", "Campaign"), old.get_model("campaigns", "Offer")
    chews = CategoryFactory(name="Dog Chews", department="Pet")
    ProductFactory(upc="000000000101", name="Field Hound Chews 12oz", category=chews)
    campaign = Campaign.objects.create(
        name="NC Field Hound Dog Chews switch", goal="convert", category_id=chews.pk,
        target_cells=["national-3"], valid_from=dt.date(2026, 11, 23),
        valid_until=dt.date(2026, 12, 20), budget=Decimal("100"), holdout_seed=1,
    )  # fmt: skip
    made = {}
    for tier, fields in {
        3: {"applies_to": "brand", "brand": "Field Hound", "discount_kind": "amount",
            "discount_value": Decimal("1.00")},
        2: {"applies_to": "brand_type", "brand_type": "store", "discount_kind": "percent",
            "discount_value": Decimal("15.00"), "min_quantity": 2},
        1: {"applies_to": "upcs", "upcs": ["000000000101"], "discount_kind": "percent",
            "discount_value": Decimal("12.50")},
    }.items():  # fmt: skip
        made[tier] = Offer.objects.create(campaign_id=campaign.pk, usage_tier=tier, **fields)
    # The lists of that state (a list had no version yet): its models, not today's.
    old_list, old_item = old.get_model("lists", "ShoppingList"), old.get_model("lists", "ListItem")
    shopping_list = old_list.objects.create(
        member_id=MemberFactory().pk, period_start=dt.date(2026, 11, 23),
        period_end=dt.date(2026, 12, 7), barcode="992611230000000001",
    )  # fmt: skip
    item = dict(shopping_list=shopping_list, min_quantity=1)
    offer_item = old_item.objects.create(
        kind="offer", campaign_id=campaign.pk, offer_id=made[3].pk, description="Dog Chews: x",
        body="NC Field Hound Dog Chews switch", **item,
    )  # fmt: skip
    one = old_item.objects.create(kind="reward", description="$5", body="In 1 coupon(s) of $5, "
                                  "one a visit.", **item)  # fmt: skip
    eight = old_item.objects.create(kind="reward", description="$40", body="In 8 coupon(s) of "
                                    "$5, one a visit.", **item)  # fmt: skip

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from apps.campaigns.models import Offer as NewOffer

    texts = dict(NewOffer.objects.values_list("usage_tier", "shopper_text"))
    assert texts == {
        3: "$1.00 off Field Hound Dog Chews",
        2: "15% off our own brand Dog Chews when you buy 2",
        1: "12.5% off Field Hound Chews 12oz",
    }
    offer_item.refresh_from_db()
    assert offer_item.body == "$1.00 off Field Hound Dog Chews"
    one.refresh_from_db()
    eight.refresh_from_db()
    assert (one.body, eight.body) == ("In 1 coupon of $5, one a visit.",
                                      "In 8 coupons of $5, one a visit.")  # fmt: skip
