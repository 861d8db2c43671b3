"""The member page shows the member's cells, cycles and value from segments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.segments.services import snapshots_compute
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def test_member_page_shows_cells_and_next_purchase(client, marketing_user):
    member = MemberFactory(card_number="777")
    category = CategoryFactory(name="Cat Food")
    product = ProductFactory(category=category, brand_type="store")
    for day in (2, 9, 16):
        basket = BasketFactory(
            member=member, purchased_at=dt.datetime(2026, 3, day, tzinfo=CHICAGO)
        )
        BasketLineFactory(basket=basket, product=product, amount=Decimal("4.00"))
    snapshots_compute(
        category_ids=[category.pk], window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 4, 1)
    )
    client.force_login(marketing_user)
    content = client.get(reverse("members:detail", args=["777"])).content.decode()
    section = content[content.index("Segments and purchase cycles") :]
    assert "Cat Food" in section
    assert "Store-brand loyal" in section
    assert "7.0 days" in section
    assert "Mar 23" in section  # Mar 16 + 7
    assert "Not scored yet" in content
