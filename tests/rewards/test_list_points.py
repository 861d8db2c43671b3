"""The shopping list states the member's points as at its period's start, and what expires."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from apps.accounts.models import Role
from apps.lists.models import ShoppingList
from apps.rewards.ledger import Movement, entry_record
from tests.factories import MemberFactory, UserFactory

CHICAGO = ZoneInfo("America/Chicago")


def move(member, kind, points, key, day):
    with transaction.atomic():
        entry_record(
            Movement(member_id=member.pk, kind=kind, points=points, key=key,
                     at=dt.datetime(day.year, day.month, day.day, 12, tzinfo=CHICAGO))
        )  # fmt: skip


@pytest.mark.django_db
def test_the_list_states_points_at_its_start_and_what_expires_next(client):
    member = MemberFactory(card_number="400000000031", first_name="Ada")
    shopping_list = ShoppingList.objects.create(
        member=member, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 16),
        barcode="992603020000000031",
    )  # fmt: skip
    move(member, "earn", 120, "a", dt.date(2025, 3, 10))  # spendable until 2026-03-09
    move(member, "earn", 50, "b", dt.date(2026, 2, 1))
    move(member, "redeem", -30, "c", dt.date(2026, 2, 10))  # from the older lot: 90 left
    move(member, "earn", 999, "d", dt.date(2026, 3, 5))  # after the list's start: not on it
    client.force_login(UserFactory(role=Role.MARKETING))
    page = client.get(reverse("lists:detail", args=[shopping_list.barcode])).content.decode()
    assert "Your points on Mar 2: 140. 90 expire after Mar 9: spend them before." in page
    # Opened again later, the list says the same.
    move(member, "redeem", -100, "e", dt.date(2026, 3, 6))
    again = client.get(reverse("lists:detail", args=[shopping_list.barcode])).content.decode()
    assert "Your points on Mar 2: 140. 90 expire after Mar 9" in again
    pdf = client.get(reverse("lists:pdf", args=[shopping_list.barcode]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
