"""The member page and the cashier screen show the member's current shopping list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.lists.models import ListItem, ShoppingList
from apps.lists.selectors import member_current_list
from tests.factories import MemberFactory, ProductFactory

pytestmark = pytest.mark.django_db


def make_list(member, start: dt.date, barcode: str) -> ShoppingList:
    return ShoppingList.objects.create(
        member=member, period_start=start, period_end=start + dt.timedelta(days=14), barcode=barcode
    )


def test_current_list_is_the_running_period_else_the_latest():
    member = MemberFactory()
    old = make_list(member, dt.date(2026, 1, 5), "9926010500000000001")
    running = make_list(member, dt.date(2026, 1, 19), "9926011900000000001")
    make_list(member, dt.date(2026, 2, 2), "9926020200000000001")  # future: not yet
    assert member_current_list(member=member, today=dt.date(2026, 1, 25)) == running
    assert member_current_list(member=member, today=dt.date(2026, 1, 10)) == old
    assert member_current_list(member=member, today=dt.date(2026, 1, 4)) is None
    # After every period has ended, the latest list stays the current one.
    latest = member_current_list(member=member, today=dt.date(2026, 3, 1))
    assert latest.period_start == dt.date(2026, 2, 2)


def test_cashier_screen_shows_the_list_items(client, cashier_user):
    member = MemberFactory(card_number="400000000099")
    today = dt.date.today()
    shopping_list = make_list(member, today - dt.timedelta(days=2), "9900000000000000099")
    product = ProductFactory(name="Oat milk 1l", price=Decimal("2.49"))
    ListItem.objects.create(
        shopping_list=shopping_list,
        kind="offer",
        product=product,
        description="Oat milk 1l",
        regular_price=Decimal("2.49"),
        discount=Decimal("0.50"),
    )
    client.force_login(cashier_user)
    content = client.get(reverse("members:lookup"), {"q": "400000000099"}).content.decode()
    section = content[content.index("current-list") :]
    assert "9900000000000000099" in section
    assert "Oat milk 1l" in section and "$0.50" in section
    assert "Open the printable list" not in section  # cashiers have no list pages


def test_member_without_list_says_so(client, marketing_user):
    MemberFactory(card_number="400000000098")
    client.force_login(marketing_user)
    content = client.get(reverse("members:detail", args=["400000000098"])).content.decode()
    assert "No list yet" in content
