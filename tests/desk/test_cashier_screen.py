"""The till's scan screen: card and list scans, redeemed offers, value tier, clear misses.

Redemptions are made through the real POS API (POST /api/pos/checkout and /api/pos/return),
as the till makes them, so the screen is tested against what checkout really writes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import Campaign, CampaignStatus, Offer
from apps.checkout.models import Redemption
from apps.checkout.services import till_token_create
from apps.lists.models import ListItem, ShoppingList
from apps.members.models import MemberStatus
from apps.segments.models import MemberScore, RepeatModelFit
from tests.checkout.conftest import HEINZ, OWN, post
from tests.factories import (
    BasketFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)
from tests.plans import plans_without

pytestmark = pytest.mark.django_db

SCREEN = reverse("members:lookup")
CARD = "400000000017"
CURRENT_LIST = "990000000000000017"
OLD_LIST = "990000000000000018"


@pytest.fixture
def cashier(client, cashier_user):
    client.force_login(cashier_user)
    return client


@pytest.fixture
def till(db) -> dict:
    """Ada's current list (two offers, a reward, a due item) and her older list, around today."""
    today = timezone.localdate()
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(upc=HEINZ, category=ketchup, brand="Heinz", name="Heinz Ketchup")
    ProductFactory(upc=OWN, category=ketchup, brand="Our Own", brand_type="store")
    dates = {"valid_from": today - dt.timedelta(days=30), "valid_until": today + dt.timedelta(30)}
    trial = Campaign.objects.create(
        name="Heinz trial", goal="trial", category=ketchup, target_cells=["national-3"],
        budget=Decimal("1000"), status=CampaignStatus.ACTIVE, **dates,
    )  # fmt: skip
    switch = Campaign.objects.create(
        name="Own brand", goal="convert", category=ketchup, target_cells=["national-3"],
        budget=Decimal("1000"), status=CampaignStatus.ACTIVE, **dates,
    )  # fmt: skip
    heinz_offer = Offer.objects.create(
        campaign=trial, usage_tier=3, applies_to="brand", brand="Heinz",
        discount_kind="amount", discount_value=Decimal("0.75"), min_quantity=2,
    )  # fmt: skip
    own_offer = Offer.objects.create(
        campaign=switch, usage_tier=3, applies_to="brand_type", brand_type="store",
        discount_kind="percent", discount_value=Decimal("20"),
    )  # fmt: skip
    ada = MemberFactory(card_number=CARD, first_name="Ada", last_name="Lovelace")
    start = today - dt.timedelta(days=3)
    old = ShoppingList.objects.create(
        member=ada, period_start=start - dt.timedelta(days=14), period_end=start,
        barcode=OLD_LIST,
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=old, kind="offer", campaign=switch, offer=own_offer,
        description="Old list: own-brand mustard", discount_pct=Decimal("10"), valid_until=start,
    )  # fmt: skip
    current = ShoppingList.objects.create(
        member=ada, period_start=start, period_end=start + dt.timedelta(days=14),
        barcode=CURRENT_LIST,
    )  # fmt: skip
    until = start + dt.timedelta(days=13)
    heinz_item = ListItem.objects.create(
        shopping_list=current, kind="offer", campaign=trial, offer=heinz_offer,
        description="Ketchup: Heinz", discount=Decimal("0.75"), min_quantity=2, valid_until=until,
    )  # fmt: skip
    own_item = ListItem.objects.create(
        shopping_list=current, kind="offer", campaign=switch, offer=own_offer,
        description="Ketchup: our own brand", discount_pct=Decimal("20"), valid_until=until,
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=current, kind="reward", description="$5 off your next basket",
        discount=Decimal("5.00"), valid_until=until,
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=current, kind="reward", description="$5 off fresh produce",
        discount=Decimal("5.00"), valid_until=until,
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=current, kind="due", description="Whole milk 1 gal",
        regular_price=Decimal("3.29"),
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=current, kind="content", description="Recipe: tomato soup", body="…"
    )
    store = StoreFactory(code="S01", name="Downtown")
    _, secret = till_token_create(store=store, name="Lane 1")
    return {
        "member": ada, "current": current, "old": old, "secret": secret,
        "heinz_item": heinz_item, "own_item": own_item,
    }  # fmt: skip


def buy_two_heinz(
    secret: str, *, at: dt.datetime | None = None, upc: str = HEINZ, transaction: str = "T-1"
) -> dict:
    at = at or timezone.now() - dt.timedelta(hours=1)
    response = post(secret, {
        "transaction_id": transaction, "store": "S01", "scanned": CARD,
        "purchased_at": at.isoformat(),
        "lines": [{"upc": upc, "quantity": 2, "unit_price": "3.49"}],
    })  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()


def offer_row(html: str, description: str) -> str:
    """Return the <tr> of the list's offer with this description."""
    rows = re.findall(r"<tr class=\"offer-[^\"]*\">.*?</tr>", html, flags=re.S)
    found = [row for row in rows if description in row]
    assert len(found) == 1, (description, rows)
    return found[0]


def state(row: str) -> str:
    return re.match(r'<tr class="offer-(\w+)', row).group(1)


# --- What a scan finds ------------------------------------------------------------------


def test_card_scan_shows_member_and_current_list(cashier, till):
    response = cashier.get(SCREEN, {"q": CARD})
    html = response.content.decode()
    assert response.context["result"].kind == "card"
    assert "Ada Lovelace" in html and "Card active" in html
    assert "Found by card number" in html
    section = html[html.index("current-list") :]
    assert CURRENT_LIST in section and OLD_LIST not in section
    assert "Ketchup: Heinz" in section and "Ketchup: our own brand" in section
    assert "Old list" not in section
    # Rewards: two $5 coupons, $10 in all; the due item; no content.
    assert "$5 off your next basket" in section and "$10.00 in all" in section
    assert "Whole milk 1 gal" in section and "tomato soup" not in section
    assert "0 of 2 redeemed" in section
    assert state(offer_row(section, "Ketchup: Heinz")) == "open"


def test_list_barcode_scan_shows_that_list_and_its_member(cashier, till):
    response = cashier.get(SCREEN, {"q": OLD_LIST})
    html = response.content.decode()
    result = response.context["result"]
    assert (result.kind, result.list_id) == ("list", till["old"].pk)
    assert response.context["summary"].member == till["member"]
    assert "Ada Lovelace" in html and CARD in html
    assert "Found by shopping list barcode" in html
    section = html[html.index("current-list") :]
    assert "Scanned shopping list" in section
    assert OLD_LIST in section and CURRENT_LIST not in section
    assert "Old list: own-brand mustard" in section and "Ketchup: Heinz" not in section
    # The old list's last day was the day before the current one started.
    last = till["current"].period_start - dt.timedelta(days=1)
    assert f"Period ended {last:%b} {last.day}" in section


def test_current_list_barcode_is_shown_as_scanned(cashier, till):
    html = cashier.get(SCREEN, {"q": CURRENT_LIST}).content.decode()
    section = html[html.index("current-list") :]
    assert "Scanned shopping list" in section and CURRENT_LIST in section
    assert "Period ended" not in section and "Starts" not in section


def test_redeemed_offer_is_marked_with_when_and_where(cashier, till):
    at = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).replace(second=0)
    answer = buy_two_heinz(till["secret"], at=at)
    assert [r["offer"] for r in answer["redemptions"]] == [till["heinz_item"].offer_id]

    html = cashier.get(SCREEN, {"q": CARD}).content.decode()
    heinz = offer_row(html, "Ketchup: Heinz")
    assert state(heinz) == "redeemed"
    assert "Redeemed" in heinz and "Downtown" in heinz and "($0.75 off)" in heinz
    assert f"{at:%b} {at.day}, {at:%H:%M}" in heinz
    assert state(offer_row(html, "Ketchup: our own brand")) == "open"
    assert "1 of 2 redeemed" in html
    # The list scanned at the till is the same list: same marks.
    html = cashier.get(SCREEN, {"q": CURRENT_LIST}).content.decode()
    assert state(offer_row(html, "Ketchup: Heinz")) == "redeemed"


def test_reversed_redemption_is_not_marked(cashier, till):
    buy_two_heinz(till["secret"])
    # Return one of the two: the kept one no longer reaches "buy 2", so the offer is reversed.
    response = Client().post(
        "/api/pos/return",
        data=json.dumps(
            {
                "transaction_id": "R-1",
                "store": "S01",
                "original_transaction_id": "T-1",
                "returned_at": timezone.now().isoformat(),
                "lines": [{"upc": HEINZ, "quantity": 1}],
            }
        ),  # fmt: skip
        content_type="application/json",
        headers={"Authorization": f"Bearer {till['secret']}"},
    )
    assert response.status_code == 200, response.content
    redemption = Redemption.objects.get(list_item=till["heinz_item"])
    assert redemption.reversed_at is not None

    html = cashier.get(SCREEN, {"q": CARD}).content.decode()
    heinz = offer_row(html, "Ketchup: Heinz")
    assert state(heinz) == "open" and "Redeemed" not in heinz
    assert "0 of 2 redeemed" in html


def test_offer_allowed_twice_shows_each_use(cashier, till):
    """A campaign may allow several redemptions per member: each slot shows when and where."""
    Campaign.objects.filter(name="Own brand").update(redemptions_per_member=2)
    first = timezone.localtime(timezone.now() - dt.timedelta(days=1)).replace(second=0)
    buy_two_heinz(till["secret"], at=first, upc=OWN, transaction="T-1")
    row = offer_row(cashier.get(SCREEN, {"q": CARD}).content.decode(), "our own brand")
    assert state(row) == "partly" and "Used 1 of 2" in row
    assert row.count("redeemed-at") == 1 and "($1.40 off)" in row  # 20 % of 2 × 3.49 = 1.396

    second = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).replace(second=0)
    buy_two_heinz(till["secret"], at=second, upc=OWN, transaction="T-2")
    row = offer_row(cashier.get(SCREEN, {"q": CARD}).content.decode(), "our own brand")
    assert state(row) == "redeemed" and "Used" not in row
    assert row.count("redeemed-at") == 2
    assert row.index(f"{first:%b} {first.day}, {first:%H:%M}") < row.index(
        f"{second:%b} {second.day}, {second:%H:%M}"
    )


def test_expired_offer_is_marked(cashier, till):
    ListItem.objects.filter(pk=till["own_item"].pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    html = cashier.get(SCREEN, {"q": CARD}).content.decode()
    assert state(offer_row(html, "Ketchup: our own brand")) == "expired"


def test_closed_card_is_flagged_loudly_and_its_offers_do_not_apply(cashier, till):
    member = till["member"]
    member.status = MemberStatus.CLOSED
    member.save()
    html = cashier.get(SCREEN, {"q": CURRENT_LIST}).content.decode()
    assert "CARD CLOSED" in html and 'class="alert text-bg-danger' in html
    assert "Card closed" in html and "Card closed: none of these offers applies." in html


def test_closed_card_among_several_matches_is_flagged(cashier):
    MemberFactory(card_number="400000000001", first_name="Anna", last_name="Smith")
    MemberFactory(
        card_number="400000000002", first_name="Bob", last_name="Smith",
        status=MemberStatus.CLOSED,
    )  # fmt: skip
    html = cashier.get(SCREEN, {"q": "smith"}).content.decode()
    bob = html[html.index("?q=400000000002") :]
    bob = bob[: bob.index("</a>")]
    assert "Closed" in bob


def test_several_matches_are_links_the_keyboard_can_reach(cashier):
    MemberFactory(card_number="400000000001", first_name="Anna", last_name="Smith")
    MemberFactory(card_number="400000000002", first_name="Bob", last_name="Smith")
    response = cashier.get(SCREEN, {"q": "smi"})
    html = response.content.decode()
    assert response.context["summary"] is None
    assert 'id="lookup-results"' in html
    links = re.findall(r'<a class="list-group-item[^"]*" href="\?q=(\d+)"', html)
    assert links == ["400000000001", "400000000002"]  # Smith, Anna; Smith, Bob


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("990000000000009999", "No club card, shopping list or phone number matches it"),
        ("400000009999", "No club card, shopping list or phone number matches it"),
        ("(515) 555-0000", "No club card, shopping list or phone number matches it"),
        ("4000X", "No club card, shopping list or phone number matches it"),
        ("Nobody", "No member's name starts like this"),
    ],
)
def test_unknown_code_says_no_member(cashier, till, typed, hint):
    html = cashier.get(SCREEN, {"q": typed}).content.decode()
    assert "<strong>No member</strong> for" in html
    assert hint in html
    assert "current-list" not in html


def test_screen_is_a_keyboard_form_without_inline_script(cashier):
    html = cashier.get(SCREEN).content.decode()
    field = re.search(r"<input[^>]*id=\"lookup-q\"[^>]*>", html, flags=re.S).group(0)
    assert "autofocus" in field and 'name="q"' in field and 'autocomplete="off"' in html
    assert 'method="get"' in html and 'type="submit"' in html
    assert "js/lookup.js" in html and "<script>" not in html and "onkey" not in html


# --- Value tier ---------------------------------------------------------------------------


def score(member, *, cumulative: float, churn: bool = False, fit=None) -> MemberScore:
    fit = fit or RepeatModelFit.objects.create(
        calibration_end=dt.date(2026, 6, 30), r=0.25, alpha=4.4, a=0.8, b=2.4,
        bgnbd_log_likelihood=-100.0, members=3, repeat_buyers=3,
    )  # fmt: skip
    return MemberScore.objects.create(
        fit=fit, member=member, frequency=4, recency_weeks=10, age_weeks=30, days_since_last=3,
        total_spend=Decimal("900"), average_repeat_spend=Decimal("40"), recency_score=5,
        frequency_score=4, monetary_score=5, p_alive=0.2 if churn else 0.93,
        expected_purchases_2w=1.0, expected_purchases_4w=2.0, expected_purchases_13w=6.0,
        expected_spend=Decimal("41.00"), clv=Decimal("1234.56"), sales_share=0.01,
        cumulative_share=cumulative, churn_risk=churn,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cumulative", "label"),
    [
        (0.30, "Top customer"),
        (0.50, "Top customer"),  # the campaigns' "top value": at or under half of sales
        (0.51, "Valued customer"),
        (0.80, "Valued customer"),
        (0.81, "Occasional customer"),
    ],
)
def test_value_tier_from_the_place_on_the_pareto_curve(cashier, cumulative, label):
    member = MemberFactory(card_number=CARD)
    score(member, cumulative=cumulative)
    html = cashier.get(SCREEN, {"q": CARD}).content.decode()
    tier = html[html.index('class="value-tier"') :]
    tier = tier[: tier.index("</div>\n</div>")]
    assert label in tier
    assert "P(active) 0.93" in tier and "12-month value $1,234.56" in tier
    assert "Lapsing regular" not in tier


def test_lapsing_regular_is_flagged(cashier):
    member = MemberFactory(card_number=CARD)
    score(member, cumulative=0.4, churn=True)
    html = cashier.get(SCREEN, {"q": CARD}).content.decode()
    assert "Top customer" in html and "Lapsing regular: welcome back" in html
    assert "P(active) 0.20" in html


def test_member_without_score_says_not_scored(cashier):
    MemberFactory(card_number=CARD)
    assert "Not scored yet" in cashier.get(SCREEN, {"q": CARD}).content.decode()


# --- Recent visits and query counts -------------------------------------------------------


def test_recent_visits_are_the_last_five_baskets(cashier):
    member = MemberFactory(card_number=CARD)
    store = StoreFactory(code="S07", name="Riverside")
    now = timezone.now()
    for days in range(7):  # 7 baskets: totals 10.00 (today) … 16.00 (6 days ago)
        BasketFactory(
            member=member, store=store, purchased_at=now - dt.timedelta(days=days, hours=1),
            total_amount=Decimal(10 + days), line_count=days + 1,
        )  # fmt: skip
    html = cashier.get(SCREEN, {"q": CARD}).content.decode()
    table = html[html.index("recent-visits") : html.index("</table>", html.index("recent-visits"))]
    totals = re.findall(r"\$(\d+\.\d\d)</td></tr>", table)
    assert totals == ["10.00", "11.00", "12.00", "13.00", "14.00"]
    assert table.count(">Riverside</td>") == 5
    assert table.count('title="Riverside"') == 5  # a long name is cut, the title keeps it
    items = re.findall(
        r'<td class="text-end d-none d-sm-table-cell">(\d+)</td><td class="text-end">\$', table
    )
    assert items == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("typed", "queries"),
    [
        # session, user, the two limit windows (one statement: apps/desk/limits.py), lookup,
        # its audit row, then the screen's reads (apps/desk/screen.py): 8-week figures with
        # the recent visits (+ store); value score with the current list and its items; the
        # live redemptions of its offers; the points (balance, tier, lots expiring soon: the
        # screen shows no movements) with the open rebate certificates
        (CARD, 9),
        # the same, with the scanned list instead of the current one
        (CURRENT_LIST, 9),
        (OLD_LIST, 9),
        # several matches or none: session, user, limit windows (1), lookup, audit row
        ("Lovelace", 5),
        ("Nobody", 5),
        ("400000009999", 5),
        ("", 2),
    ],
)
def test_query_count_does_not_grow_with_the_list(
    cashier, till, django_assert_num_queries, typed, queries
):
    buy_two_heinz(till["secret"])
    MemberFactory(last_name="Lovelace")
    score(till["member"], cumulative=0.3)
    for _ in range(6):
        BasketFactory(member=till["member"])
    with django_assert_num_queries(queries):
        assert cashier.get(SCREEN, {"q": typed}).status_code == 200


def test_the_screen_reads_redemptions_and_lists_through_indexes(till):
    """The planner would seq-scan these tiny tables; forbid that to see which index fits."""

    from apps.checkout.models import Redemption

    plans_without("seqscan")
    item_ids = [till["heinz_item"].pk, till["own_item"].pk]
    plan = Redemption.objects.filter(list_item_id__in=item_ids, reversed_at__isnull=True).explain()
    assert "once_per_list_item" in plan  # the partial unique index of live (list_item, slot)
    plan = ShoppingList.objects.filter(member=till["member"]).explain()
    assert "list_one_per_member_period" in plan or "lists_shoppinglist_member_id" in plan
