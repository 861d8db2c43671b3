"""The points on the member page and the cashier screen, and the staff adjustment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import EarningRule, PointsBalance, PointsEntry
from apps.rewards.services import points_adjust
from tests.factories import MemberFactory, UserFactory


@pytest.fixture
def member(db):
    EarningRule.objects.get_or_create(points_per_dollar=Decimal(1), starts_on=dt.date(2000, 1, 1))
    return MemberFactory(card_number="400000000099", first_name="Ada")


def signed_in(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def test_member_page_shows_balance_movements_and_the_adjustment_form(client, member):
    marketing = signed_in(client, Role.MARKETING)
    points_adjust(member_id=member.pk, points=120, user=marketing, reason="Welcome gift", key="w")
    points_adjust(member_id=member.pk, points=30, user=marketing, reason="Sorry", key="s")
    page = client.get(reverse("members:detail", args=[member.card_number])).content.decode()
    compact = page.replace("\n", "").replace(" ", "")
    assert 'points-balance">150<' in compact
    assert "Welcome gift" in page and "Sorry" in page and "Adjust points" in page
    client.logout()
    signed_in(client, Role.ADMIN)  # admins have every role: the form shows for them too
    page = client.get(reverse("members:detail", args=[member.card_number])).content.decode()
    assert "Adjust points" in page


def test_adjusting_twice_with_the_same_form_adjusts_once_and_cashiers_may_not(client, member):
    signed_in(client, Role.MARKETING)
    url = reverse("rewards:adjust", args=[member.card_number])
    data = {
        "points": "25",
        "reason": "Damaged product",
        "token": "6a8c1f0e-8a51-4b51-9d0c-9c3f7b9f2a11",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click
    assert PointsBalance.objects.get(member=member).points == 25
    assert PointsEntry.objects.filter(member=member).count() == 1
    refused = client.post(
        url, {**data, "token": "0f5c1d2e-0000-4000-8000-000000000001", "reason": ""}
    )
    assert refused.status_code == 302 and PointsEntry.objects.count() == 1
    client.logout()
    signed_in(client, Role.CASHIER)
    other = {**data, "token": "0f5c1d2e-0000-4000-8000-000000000002"}
    assert client.post(url, other).status_code == 403
    assert PointsBalance.objects.get(member=member).points == 25


def test_cashier_screen_shows_balance_and_what_expires_soon(client, member):
    # A lot earned 12 months less 6 days ago: its last day is 5 days from now.
    soon = timezone.localdate() + dt.timedelta(days=5)
    earned = timezone.now() - relativedelta(months=12) + dt.timedelta(days=6)
    with transaction.atomic():
        entry_record(Movement(member_id=member.pk, kind="earn", points=40, key="e", at=earned))
    assert PointsEntry.objects.get().valid_until == soon
    signed_in(client, Role.CASHIER)
    page = client.get(reverse("members:lookup"), {"q": member.card_number}).content.decode()
    assert ">40<" in page.replace("\n", "").replace(" ", "")
    assert f"40 expire after {soon:%b} {soon.day}" in page
