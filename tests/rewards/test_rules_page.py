"""The earning rule page: versions, a new one from today, and the liability figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.rewards.earning import rule_for
from apps.rewards.expiry import points_expire
from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import EarningRule
from apps.rewards.selectors import points_liability
from tests.factories import CategoryFactory, MemberFactory, UserFactory


@pytest.fixture
def marketing_client(client, db):
    client.force_login(UserFactory(role=Role.MARKETING))
    return client


def test_a_new_rule_version_applies_from_its_day_and_the_past_is_refused(marketing_client):
    # The migration's rule (a transactional test's flush may have emptied the table).
    EarningRule.objects.get_or_create(points_per_dollar=1, starts_on=dt.date(2000, 1, 1))
    tobacco = CategoryFactory(name="Tobacco")
    today = timezone.localdate()
    url = reverse("rewards:rules")
    refused = marketing_client.post(
        url, {"points_per_dollar": "2", "starts_on": (today - dt.timedelta(days=1)).isoformat()}
    )
    assert refused.status_code == 200 and "starts today or later" in refused.content.decode()
    tomorrow = today + dt.timedelta(days=1)
    saved = marketing_client.post(
        url,
        {"points_per_dollar": "2", "starts_on": tomorrow.isoformat(),
         "excluded_categories": [str(tobacco.pk)]},
    )  # fmt: skip
    assert saved.status_code == 302
    assert rule_for(today).points_per_dollar == Decimal("1")  # the migration's rule, today
    tomorrows = rule_for(tomorrow)
    assert (tomorrows.points_per_dollar, set(tomorrows.excluded)) == (Decimal("2"), {tobacco.pk})
    page = marketing_client.get(url).content.decode()
    assert "in force" in page and "upcoming" in page and "Tobacco" in page
    # The history says who saved it (one record for the rule, one for its exclusions).
    users = set(
        EarningRule.history.filter(points_per_dollar=2).values_list("history_user__role", flat=True)
    )
    assert users == {Role.MARKETING}


def test_liability_is_face_value_less_the_breakage_of_the_chains_own_history(db):
    a, b = MemberFactory(), MemberFactory()
    long_ago = timezone.now() - dt.timedelta(days=800)
    with transaction.atomic():
        # A: 100 points two years ago, 25 spent; the other 75 expire.
        entry_record(Movement(member_id=a.pk, kind="earn", points=100, key="a1", at=long_ago))
        entry_record(Movement(member_id=a.pk, kind="redeem", points=-25, key="a2", at=long_ago))
        # B: 300 points now.
        entry_record(Movement(member_id=b.pk, kind="earn", points=300, key="b1"))
    points_expire()
    liability = points_liability()
    assert (liability.outstanding, liability.members) == (300, 1)
    assert (liability.lapsed_lots, liability.expired) == (100, 75)
    # $3.00 face value (1 cent a point), 75 % breakage: $0.75 expected.
    assert (liability.face_value, liability.expected_cost) == (Decimal("3.00"), Decimal("0.75"))


def test_points_past_their_last_day_are_not_owed_even_before_tonights_expiry(db):
    member = MemberFactory()
    long_ago = timezone.now() - dt.timedelta(days=800)
    with transaction.atomic():
        entry_record(Movement(member_id=member.pk, kind="earn", points=60, key="old", at=long_ago))
        entry_record(Movement(member_id=member.pk, kind="earn", points=10, key="new"))
    # No expiry has run: the old lot's 60 still sit in the kept balance (70).
    liability = points_liability()
    assert (liability.outstanding, liability.lapsed_lots, liability.expired) == (10, 60, 60)
    assert liability.breakage == 1.0
