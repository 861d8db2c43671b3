"""The same demo built twice rings up the same redemptions (the shoppers' draws, and the
response model's chances they use, depend on the seed and the data only).

Two builds of a small demo (400 members × 8 weeks) from empty tables, so ids line up too;
redemptions are compared by stable keys (transaction id, card, campaign, product, discount).
That offers are taken by the facts allocation scores is checked on the larger demo of
test_measured_test.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings

from apps.checkout.models import Redemption
from apps.demo.program import demo_program_seed
from apps.demo.services import demo_generate
from tests.migration_data import restore_migration_data

END = dt.date(2026, 3, 1)


def _build() -> list[tuple]:
    call_command("flush", interactive=False, verbosity=0)
    restore_migration_data()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo_generate(members=400, weeks=8, seed=11, end_date=END)
        demo_program_seed(seed=42)
    return list(
        Redemption.objects.order_by("pos_transaction__transaction_id", "product__upc").values_list(
            "pos_transaction__transaction_id",
            "member__card_number",
            "campaign__name",
            "product__upc",
            "discount",
        )
    )


@pytest.fixture(scope="module")
def builds(django_db_setup, django_db_blocker):
    """The redemptions of two builds; the database keeps the second."""
    with django_db_blocker.unblock():
        first = _build()
        second = _build()
        yield first, second
        call_command("flush", interactive=False, verbosity=0)
        restore_migration_data()


@pytest.mark.django_db
def test_two_builds_ring_up_the_same_redemptions(builds):
    first, second = builds
    assert len(first) > 10
    assert first == second
