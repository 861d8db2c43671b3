"""Tiers on the pages: marketing's tier page and edit, the member page, the cashier screen
and the shopping list (progress to the next tier). Figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.lists.models import ShoppingList
from apps.rewards.models import MemberTier, Tier
from apps.rewards.tiers import tiers_recompute
from tests.factories import BasketFactory, MemberFactory, UserFactory

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def tiers(db):
    Tier.objects.all().delete()
    for name, spend, multiplier in [
        ("Member", 0, "1.00"),
        ("Silver", 1500, "1.25"),
        ("Gold", 3000, "1.50"),
    ]:
        Tier.objects.create(name=name, min_spend=spend, multiplier=multiplier)


def signed_in(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def spent(member, day: dt.date, amount: str):
    BasketFactory(
        member=member,
        purchased_at=dt.datetime(day.year, day.month, day.day, 12, tzinfo=CHICAGO),
        total_amount=Decimal(amount),
    )


def form_data(rows: list[tuple[str, str, str]], extra: tuple[str, str, str] = ("", "", "1")):
    """The tier page's formset: the stored tiers in threshold order, then the extra row."""
    tiers = list(Tier.objects.order_by("min_spend"))
    data = {
        "tiers-TOTAL_FORMS": str(len(tiers) + 1),
        "tiers-INITIAL_FORMS": str(len(tiers)),
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    }
    for i, (tier, (name, spend, multiplier)) in enumerate(zip(tiers, rows, strict=True)):
        data |= {f"tiers-{i}-id": str(tier.pk), f"tiers-{i}-name": name,
                 f"tiers-{i}-min_spend": spend, f"tiers-{i}-multiplier": multiplier}  # fmt: skip
    n = len(tiers)
    data |= {f"tiers-{n}-name": extra[0], f"tiers-{n}-min_spend": extra[1],
             f"tiers-{n}-multiplier": extra[2]}  # fmt: skip
    return data


def stored() -> list[tuple[str, Decimal, Decimal]]:
    return list(Tier.objects.order_by("min_spend").values_list("name", "min_spend", "multiplier"))


START = [
    ("Member", Decimal("0.00"), Decimal("1.00")),
    ("Silver", Decimal("1500.00"), Decimal("1.25")),
    ("Gold", Decimal("3000.00"), Decimal("1.50")),
]


def test_the_tier_page_counts_members_and_cashiers_may_not_see_it(client, tiers):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    a, b, c = MemberFactory(), MemberFactory(), MemberFactory()
    spent(a, yesterday, "3100.00")
    spent(b, yesterday, "20.00")
    spent(c, yesterday, "40.00")
    tiers_recompute()
    signed_in(client, Role.MARKETING)
    page = client.get(reverse("rewards:tiers")).content.decode().replace("\n", "")
    rows = [row.split("</td><td")[0].rsplit(">", 1)[-1] for row in page.split("<tr><td>")[1:4]]
    assert rows == ["Member", "Silver", "Gold"]
    counts = [row.split("</td></tr>")[0].rsplit(">", 1)[-1] for row in page.split("<tr><td>")[1:4]]
    assert counts == ["2", "0", "1"]
    assert reverse("rewards:tiers") in client.get(reverse("rewards:rules")).content.decode()
    signed_in(client, Role.CASHIER)
    assert client.get(reverse("rewards:tiers")).status_code == 403


def test_marketing_edits_thresholds_and_multipliers_with_history(client, tiers):
    user = signed_in(client, Role.MARKETING)
    # Shift both thresholds up (Silver takes Gold's old one) and add a Platinum.
    answer = client.post(
        reverse("rewards:tiers"),
        form_data(
            [("Member", "0", "1"), ("Silver", "3000", "1.2"), ("Gold", "6000", "1.75")],
            extra=("Platinum", "10000", "2"),
        ),
    )
    assert answer.status_code == 302
    assert stored() == [
        ("Member", Decimal("0.00"), Decimal("1.00")),
        ("Silver", Decimal("3000.00"), Decimal("1.20")),
        ("Gold", Decimal("6000.00"), Decimal("1.75")),
        ("Platinum", Decimal("10000.00"), Decimal("2.00")),
    ]
    silver_id = Tier.objects.get(name="Silver").pk
    silver = Tier.history.filter(id=silver_id).order_by("history_date")
    assert [(h.min_spend, h.history_user_id) for h in silver] == [
        (Decimal("1500.00"), None),
        (Decimal("3000.00"), user.pk),
    ]  # no record of the step aside, the user on the change


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        ([("Member", "10", "1"), ("Silver", "1500", "1.25"), ("Gold", "3000", "1.5")],
         ("", "", "1"), "The lowest tier starts at $0.00"),
        ([("Member", "0", "1"), ("Silver", "3000", "1.25"), ("Gold", "3000", "1.5")],
         ("", "", "1"), "Two tiers have the same threshold"),
        ([("Member", "0", "1"), ("Silver", "1500", "0.5"), ("Gold", "3000", "1.5")],
         ("", "", "1"), "A multiplier is at least 1"),
        ([("Member", "0", "1"), ("Silver", "1500", "1.25"), ("Gold", "3000", "1.5")],
         ("silver", "5000", "2"), "Two tiers have the same name"),
        ([("Member", "0", "1"), ("Silver", "-5", "1.25"), ("Gold", "3000", "1.5")],
         ("", "", "1"), "A threshold is $0.00 or more"),
        ([("Member", "0", "1"), ("Silver", "1500", "1.25"), ("Gold", "3000", "1.5")],
         ("Platinum", "", "2"), "This field is required"),
    ],
)  # fmt: skip
def test_bad_tiers_are_refused_with_a_reason_and_nothing_changes(
    client, tiers, rows, extra, message
):
    signed_in(client, Role.MARKETING)
    answer = client.post(reverse("rewards:tiers"), form_data(rows, extra))
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert stored() == START


def test_member_page_and_cashier_screen_show_tier_and_trailing_spend(client, tiers):
    member = MemberFactory(card_number="400000000077", first_name="Ada")
    spent(member, timezone.localdate() - dt.timedelta(days=30), "1760.00")
    tiers_recompute()
    assert MemberTier.objects.get(member=member).tier.name == "Silver"
    signed_in(client, Role.MARKETING)
    page = client.get(reverse("members:detail", args=[member.card_number])).content.decode()
    assert "Silver" in page and "$1,760.00</span> spent in the last 12 months" in page
    assert "$1,240.00 more to reach Gold" in page  # 3,000 - 1,760
    signed_in(client, Role.CASHIER)
    screen = client.get(reverse("members:lookup"), {"q": member.card_number}).content.decode()
    assert 'member-tier">Silver<' in screen and "$1,760.00 in 12 months" in screen


def test_the_list_shows_what_is_left_to_reach_the_next_tier_as_of_its_start(client, tiers):
    member = MemberFactory(card_number="400000000078")
    shopping_list = ShoppingList.objects.create(
        member=member, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 16),
        barcode="992603020000000078",
    )  # fmt: skip
    spent(member, dt.date(2025, 3, 1), "900.00")  # 366 days before: outside the 12 months
    spent(member, dt.date(2025, 3, 2), "2800.00")  # the first day in
    spent(member, dt.date(2025, 9, 1), "-40.00")  # a return
    spent(member, dt.date(2026, 3, 2), "500.00")  # the period's own day: not yet
    signed_in(client, Role.MARKETING)
    page = client.get(reverse("lists:detail", args=[shopping_list.barcode])).content.decode()
    # 2,800 - 40 = 2,760.00: Silver, 240.00 short of Gold.
    assert (
        "Silver: $2,760.00 spent in the 12 months to Mar 1. Spend $240.00 more to reach Gold."
        in page
    )
    pdf = client.get(reverse("lists:pdf", args=[shopping_list.barcode]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
