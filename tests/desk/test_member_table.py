"""The member table's last visit and 52-week spend: the same rows in both of its forms.

PostgreSQL computes them as subqueries correlated with each member; a Citus cluster as a
join on the baskets' owner (apps.desk.selectors). Each form is checked against figures
worked out by hand here, so the two cannot drift: both on PostgreSQL, the join on a cluster
(which refuses the correlated form: that is why it has the join).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from apps.core.citus import is_citus
from apps.desk.selectors import member_table_queryset
from tests.factories import BasketFactory, MemberFactory, StoreFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def shoppers():
    store = StoreFactory()
    ann, bo, cy = (MemberFactory(card_number=f"50000000000{i}") for i in (1, 2, 3))
    for member, days_ago, total in (
        (ann, 3, "10.00"),
        (ann, 40, "5.50"),
        (ann, 400, "99.00"),  # over 52 weeks ago: a visit, but not in the spend
        (bo, 500, "7.00"),  # only an old visit: spend 0
    ):
        BasketFactory(
            member=member, store=store, purchased_at=NOW - dt.timedelta(days=days_ago),
            total_amount=Decimal(total),
        )  # fmt: skip
    # An anonymous basket (a negative owner) belongs to nobody.
    BasketFactory(member=None, store=store, purchased_at=NOW, total_amount=Decimal("3.00"))
    return {
        ann.card_number: (NOW - dt.timedelta(days=3), Decimal("15.50")),
        bo.card_number: (NOW - dt.timedelta(days=500), Decimal("0")),
        cy.card_number: (None, Decimal("0")),
    }


def forms() -> list[bool]:
    """The forms this engine runs: the join on a cluster, both on PostgreSQL."""
    return [True] if is_citus(connection) else [False, True]


def test_each_form_gives_the_figures_worked_out_by_hand(shoppers):
    for by_owner in forms():
        rows = member_table_queryset(now=NOW, by_owner=by_owner).values_list(
            "card_number", "last_visit", "spend_52w"
        )
        assert {card: (last, spend) for card, last, spend in rows} == shoppers, by_owner


def test_each_form_sorts_and_counts_alike(shoppers):
    for by_owner in forms():
        members = member_table_queryset(now=NOW, by_owner=by_owner)
        assert members.count() == 3
        by_spend = members.order_by("-spend_52w", "card_number")
        assert list(by_spend.values_list("card_number", flat=True)) == [
            "500000000001", "500000000002", "500000000003",
        ], by_owner  # fmt: skip
