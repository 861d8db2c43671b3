"""Allocation's limits hold on every list of a generated chain (property-style, seeded).

Each seed builds a chain at random (members around the list's spend line, 6-10 categories,
15-25 active campaigns with an offer per usage tier, some with budgets under two dollars, two
sharing an agreement with a cap of 60 cents, holdouts of 10-30 %, a few members who had
a campaign's offer in the period before), makes the period's lists and prints the offers the
way list generation does, then reads the rows back and checks every rule in plain Python:
nothing here calls allocation code to compute an expectation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from apps.agreements.models import ManufacturerAgreement
from apps.baskets.models import Basket, BasketLine, BasketSource, Store
from apps.campaigns.allocation import AllocationRules, allocation_preview
from apps.campaigns.models import (
    Allocation,
    Campaign,
    CampaignAudience,
    CampaignStatus,
    Candidate,
    Offer,
    Outcome,
)
from apps.campaigns.services import campaign_activate, campaign_audience_persist
from apps.catalog.models import Category, Manufacturer, Product
from apps.lists.models import ListItem, ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from apps.members.models import Member
from apps.segments.models import SegmentMember, SegmentSnapshot
from tests.factories import UserFactory

CHICAGO = ZoneInfo("America/Chicago")
PERIOD = dt.date(2026, 3, 2)
EARLIER = PERIOD - dt.timedelta(days=14)
# Three slots and a third of them for discovery: one discovery offer a list. Small enough
# that slots, categories and the discovery share all bind on a chain of a few categories.
RULES = AllocationRules(slots=3, discovery_share=Decimal("0.34"))
MAX_DISCOVERY = 1  # floor(3 × 0.34), written out: the test does not ask the code
CELLS = [f"{loyalty}-{tier}" for loyalty in ("national", "store", "swinger") for tier in (3, 2, 1)]
CENT = 0.01
SEEDS = [11, 23, 47, 102]


def build_chain(seed: int) -> dict:
    """Create a random chain with bulk inserts; return what the checks need to know."""
    rng = np.random.default_rng(seed)
    n_members = int(rng.integers(60, 201))
    n_categories = int(rng.integers(6, 11))
    n_campaigns = int(rng.integers(15, 26))

    maker = Manufacturer.objects.create(code=f"M{seed}", name="Maker")
    store = Store.objects.create(code=f"S{seed}", name="Store")
    categories = Category.objects.bulk_create(
        Category(name=f"Cat {seed}-{i}", department="Grocery") for i in range(n_categories + 1)
    )
    late_category = categories[-1]  # only the late campaign's: its place is on free slots
    products = Product.objects.bulk_create(
        Product(
            upc=f"{seed:03d}{i:04d}{kind:02d}",
            name=f"{category.name} {brand_type}",
            category=category,
            brand="Own" if brand_type == "store" else "Famous",
            brand_type=brand_type,
            manufacturer=maker,
            price=Decimal(str(round(float(rng.uniform(1.5, 6.0)), 2))),
        )
        for i, category in enumerate(categories)
        for kind, brand_type in enumerate(("store", "national"))
    )
    members = Member.objects.bulk_create(
        Member(
            card_number=f"7{seed:03d}{i:08d}",
            first_name="M",
            joined_on=dt.date(2024, 1, 1),
            consent_list=True,
        )
        for i in range(n_members)
    )

    # Baskets: each member buys a random set of categories in the 8 weeks before the period;
    # about one in eight spends under the list's $200 line and gets no list.
    bought = rng.random((n_members, n_categories + 1)) < 0.45
    bought[np.arange(n_members), rng.integers(0, n_categories + 1, n_members)] = True
    under_line = rng.random(n_members) < 0.125
    when = dt.datetime(2026, 2, 15, 10, tzinfo=CHICAGO)
    baskets = Basket.objects.bulk_create(
        Basket(
            basket_id=f"B{seed}-{i}",
            member=m,
            store=store,
            purchased_at=when,
            source=BasketSource.IMPORT,
        )
        for i, m in enumerate(members)
    )
    lines = []
    for i, (member, basket) in enumerate(zip(members, baskets, strict=True)):
        cats = np.flatnonzero(bought[i])
        each = Decimal("120" if under_line[i] else "260") / len(cats)
        for c in cats:
            product = products[2 * c + int(rng.integers(0, 2))]
            lines.append(
                BasketLine(
                    basket=basket,
                    product=product,
                    member=member,
                    purchased_at=when,
                    quantity=Decimal(1),
                    amount=each.quantize(Decimal("0.01")) + Decimal("0.01"),
                    discount=Decimal(0),
                )
            )
    BasketLine.objects.bulk_create(lines)

    # Segments: each category's snapshot holds about half the members in a random cell,
    # whether or not they bought it here: those who did not are discovery candidates. One
    # in six members is only in the late category's snapshot: their lists have room for it.
    light = rng.random(n_members) < 1 / 6
    snapshot_rows = []
    for category in categories:
        snapshot = SegmentSnapshot.objects.create(
            category=category, window_start=dt.date(2025, 3, 1), window_end=dt.date(2026, 3, 1)
        )
        for i, member in enumerate(members):
            late_one = category == late_category
            if (late_one and light[i]) or (rng.random() < 0.5 and not light[i]):
                loyalty = ["national", "store", "swinger"][int(rng.integers(0, 3))]
                snapshot_rows.append(
                    SegmentMember(
                        snapshot=snapshot,
                        member=member,
                        category_spend=Decimal("50.00"),
                        national_share=Decimal("0.5"),
                        loyalty=loyalty,
                        usage_tier=int(rng.integers(1, 4)),
                        occasions=6,
                    )
                )
    SegmentMember.objects.bulk_create(snapshot_rows)

    agreement = ManufacturerAgreement.objects.create(
        manufacturer=maker,
        name="Shared cap",
        manufacturer_share_pct=Decimal("50"),
        budget_cap=Decimal("0.60"),
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        reporting_included=True,
    )
    campaigns = []
    for i in range(n_campaigns):
        small = i % 4 == 1  # a quarter run on a budget of a few dimes to a dollar
        few = Decimal(str(round(float(rng.uniform(0.2, 1.2)), 2)))
        campaigns.append(
            Campaign(
                name=f"Campaign {i}",
                goal="convert",
                category=categories[int(rng.integers(0, n_categories))],  # not the late one
                target_cells=list(rng.choice(CELLS, size=int(rng.integers(3, 10)), replace=False)),
                valid_from=EARLIER - dt.timedelta(days=7),
                valid_until=PERIOD + dt.timedelta(days=40),
                budget=few if small else Decimal(1000),
                holdout_pct=Decimal(int(rng.integers(10, 31))),
                holdout_seed=int(rng.integers(0, 2**31)),
                agreement=agreement if i in (2, 3) else None,
                status=CampaignStatus.ACTIVE,
            )
        )
    # The late one: approved, not active, alone in its category.
    late = Campaign(
        name="Late",
        goal="convert",
        category=late_category,
        target_cells=CELLS,
        valid_from=EARLIER - dt.timedelta(days=7),
        valid_until=PERIOD + dt.timedelta(days=40),
        budget=Decimal(1000),
        holdout_pct=Decimal(20),
        holdout_seed=int(rng.integers(0, 2**31)),
        status=CampaignStatus.APPROVED,
    )
    campaigns = Campaign.objects.bulk_create([*campaigns, late])
    Offer.objects.bulk_create(
        Offer(
            campaign=campaign,
            usage_tier=tier,
            applies_to="brand_type",
            brand_type=["store", "national"][int(rng.integers(0, 2))],
            discount_kind="amount",
            discount_value=Decimal(str(round(float(rng.uniform(0.5, 2.0)), 2))),
            shopper_text="Money off",
        )
        for campaign in campaigns
        for tier in (1, 2, 3)
    )
    for campaign in campaigns:
        campaign_audience_persist(campaign=campaign)

    # The period before: a few treated audience pairs got their offer already.
    treated = list(
        CampaignAudience.objects.filter(holdout=False, campaign__status=CampaignStatus.ACTIVE)
        .select_related("campaign")
        .order_by("id")
    )
    earlier = [treated[int(k)] for k in rng.choice(len(treated), size=6, replace=False)]
    offers = {(o.campaign_id, o.usage_tier): o for o in Offer.objects.all()}
    Allocation.objects.bulk_create(
        Allocation(
            period_start=EARLIER,
            member_id=a.member_id,
            campaign_id=a.campaign_id,
            offer=offers[(a.campaign_id, a.usage_tier)],
            category_id=a.campaign.category_id,
            cell=a.cell,
            holdout=False,
            bought_target=True,
            discovery=False,
            buy_probability=0.3,
            usage_tier=a.usage_tier,
            past_rate=0.15,
            depth=0.2,
            probability=0.2,
            unit_cost=Decimal("1.00"),
            manufacturer_cost=Decimal("0.50") if a.campaign.agreement_id else Decimal(0),
            value=0.5,
            outcome=Outcome.GIVEN,
        )
        for a in earlier
    )
    return {
        "late": late,
        "agreement": agreement,
        "earlier": {(a.member_id, a.campaign_id) for a in earlier},
    }


def make_lists() -> None:
    """What a list generation job does: every member chunk, then the period's offers."""
    lists_generate_for_range(
        period_start=PERIOD, lo=0, hi=2**62, rules=ListRules(content_per_list=0)
    )
    lists_print_offers(period_start=PERIOD, rules=RULES)


def period_rows() -> list[dict]:
    """The period's working set: every scored pair and its outcome."""
    return list(
        Candidate.objects.filter(period_start=PERIOD).values(
            "member_id",
            "campaign_id",
            "category_id",
            "discovery",
            "holdout",
            "value",
            "probability",
            "unit_cost",
            "manufacturer_cost",
            "outcome",
        )  # fmt: skip
    )


def occupants(rows: list[dict]) -> dict[int, list[dict]]:
    """The rows that take a place on a member's list: given, or held out in its place."""
    taken = defaultdict(list)
    for row in rows:
        if row["outcome"] in (Outcome.GIVEN, Outcome.HOLDOUT):
            taken[row["member_id"]].append(row)
    return taken


@pytest.fixture(params=SEEDS)
def chain(request, db):
    built = build_chain(request.param)
    make_lists()
    return built


def test_every_candidate_is_decided_and_the_chain_makes_every_rule_bind(chain):
    rows = period_rows()
    outcomes = {row["outcome"] for row in rows}
    assert Outcome.CANDIDATE not in outcomes
    # The chain is built so that each limit is met somewhere, else the checks prove little.
    for outcome in (Outcome.GIVEN, Outcome.HOLDOUT, Outcome.OUTRANKED, Outcome.BUDGET):
        assert outcome in outcomes, outcome
    assert any(row["discovery"] for row in rows if row["outcome"] == Outcome.GIVEN)
    assert any(len(taken) == RULES.slots for taken in occupants(rows).values())


def test_each_list_holds_at_most_the_slots_one_per_category_and_the_discovery_share(chain):
    for member_id, taken in occupants(period_rows()).items():
        categories = [row["category_id"] for row in taken]
        assert len(taken) <= 3, member_id
        assert len(categories) == len(set(categories)), member_id
        assert sum(row["discovery"] for row in taken) <= MAX_DISCOVERY, member_id
    for shopping_list in ShoppingList.objects.filter(period_start=PERIOD):
        items = list(shopping_list.items.filter(kind="offer").select_related("campaign"))
        assert len(items) <= 3
        assert len({item.campaign.category_id for item in items}) == len(items)


def test_campaign_budgets_and_agreement_caps_hold_over_every_period(chain):
    """What a campaign gives this period fits in its budget less what it gave before (the
    earlier rows here are made by hand and may alone exceed a tiny budget)."""
    given = list(
        Allocation.objects.filter(outcome=Outcome.GIVEN).values(
            "period_start",
            "campaign_id",
            "campaign__budget",
            "campaign__agreement_id",
            "probability",
            "unit_cost",
            "manufacturer_cost",
        )  # fmt: skip
    )
    spent_before = defaultdict(float)
    spent_now = defaultdict(float)
    budget = {}
    maker_spent = defaultdict(float)
    for row in given:
        spent = spent_now if row["period_start"] == PERIOD else spent_before
        spent[row["campaign_id"]] += row["probability"] * float(row["unit_cost"])
        budget[row["campaign_id"]] = float(row["campaign__budget"])
        if row["campaign__agreement_id"]:
            maker_spent[row["campaign__agreement_id"]] += row["probability"] * float(
                row["manufacturer_cost"]
            )
    for campaign_id, cost in spent_now.items():
        left = max(budget[campaign_id] - spent_before[campaign_id], 0)
        assert cost <= left + CENT, (campaign_id, cost, budget[campaign_id])
    cap = float(chain["agreement"].budget_cap)
    assert maker_spent[chain["agreement"].pk] <= cap + CENT
    # Both the small budgets and the shared cap refused someone: they were tested.
    outcomes = {row["outcome"] for row in period_rows()}
    assert Outcome.BUDGET in outcomes
    assert Outcome.AGREEMENT in outcomes or maker_spent[chain["agreement"].pk] > cap / 2


def test_held_out_members_are_never_printed_an_offer_and_are_marked_where_selected(chain):
    held_out = set(
        CampaignAudience.objects.filter(holdout=True).values_list("member_id", "campaign_id")
    )
    printed = set(ListItem.objects.filter(kind="offer").values_list("member_id", "campaign_id"))
    assert held_out and not held_out & printed
    rows = period_rows()
    for row in rows:
        if row["holdout"]:
            assert row["outcome"] != Outcome.GIVEN
        else:
            assert row["outcome"] != Outcome.HOLDOUT
    assert any(row["outcome"] == Outcome.HOLDOUT for row in rows)


def test_a_member_who_had_the_offer_in_an_earlier_period_gets_limit(chain):
    rows = {(row["member_id"], row["campaign_id"]): row for row in period_rows()}
    decided = [rows[pair]["outcome"] for pair in chain["earlier"] if pair in rows]
    assert decided, "the earlier pairs hold lists this period"
    assert set(decided) == {Outcome.LIMIT}
    printed = set(
        ListItem.objects.filter(kind="offer", shopping_list__period_start=PERIOD).values_list(
            "member_id", "campaign_id"
        )
    )
    assert not printed & chain["earlier"]
    limited = {pair for pair, row in rows.items() if row["outcome"] == Outcome.LIMIT}
    assert limited == chain["earlier"] & set(rows)


def test_an_outranked_offer_was_worth_no_more_than_what_took_its_place(chain):
    """Greedy by value: an outranked candidate lost to its list's full slots (each worth at
    least as much), to a better offer in its category, or to a full discovery share."""
    rows = period_rows()
    taken = occupants(rows)
    for row in rows:
        if row["outcome"] != Outcome.OUTRANKED:
            continue
        mine = taken.get(row["member_id"], [])
        same_category = [r for r in mine if r["category_id"] == row["category_id"]]
        if same_category:
            assert same_category[0]["value"] >= row["value"], (row, same_category)
            continue
        if row["discovery"] and sum(r["discovery"] for r in mine) >= MAX_DISCOVERY:
            continue
        assert len(mine) == 3, (row, mine)
        assert row["value"] <= min(r["value"] for r in mine), (row, mine)


def test_what_lasts_is_exactly_the_working_sets_given_and_held_out_pairs(chain):
    fields = ("member_id", "campaign_id", "outcome", "probability", "value", "offer_id")
    kept = sorted(Allocation.objects.filter(period_start=PERIOD).values_list(*fields))
    working = sorted(
        Candidate.objects.filter(
            period_start=PERIOD, outcome__in=(Outcome.GIVEN, Outcome.HOLDOUT)
        ).values_list(*fields)
    )
    assert kept and kept == working


def test_every_given_offer_is_printed_once_and_every_printed_offer_was_given(chain):
    given = [
        (row["member_id"], row["campaign_id"])
        for row in period_rows()
        if row["outcome"] == Outcome.GIVEN
    ]
    printed = list(
        ListItem.objects.filter(kind="offer", shopping_list__period_start=PERIOD).values_list(
            "member_id", "campaign_id"
        )
    )
    assert given
    assert sorted(printed) == sorted(given)
    assert len(set(printed)) == len(printed)


def test_the_preview_of_a_late_campaign_is_what_its_activation_then_gives(chain):
    late = chain["late"]
    preview = allocation_preview(campaign=late, period_start=PERIOD, rules=RULES)
    assert not Allocation.objects.filter(campaign=late).exists(), "the dry run rolled back"
    assert preview.given > 0
    versions_before = dict(
        ShoppingList.objects.filter(period_start=PERIOD).values_list("member_id", "version")
    )
    assert set(versions_before.values()) == {1}

    campaign_activate(campaign_id=late.pk, user=UserFactory(), today=PERIOD)
    make_lists()

    given = set(
        Allocation.objects.filter(
            campaign=late, period_start=PERIOD, outcome=Outcome.GIVEN
        ).values_list("member_id", flat=True)
    )
    assert len(given) == preview.given
    held = Allocation.objects.filter(campaign=late, outcome=Outcome.HOLDOUT).count()
    assert held == preview.holdout
    printed = set(
        ListItem.objects.filter(kind="offer", campaign=late).values_list("member_id", flat=True)
    )
    assert printed == given
    versions = dict(
        ShoppingList.objects.filter(period_start=PERIOD).values_list("member_id", "version")
    )
    assert {m for m, v in versions.items() if v == 2} == given
    assert {m for m, v in versions.items() if v != 2} == set(versions) - given
    assert all(v == 1 for m, v in versions.items() if m not in given)
