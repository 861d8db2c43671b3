"""Fixtures of the fuzz tests: a till with its token, a small catalog, a member with a list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.checkout.conftest import BARCODE, CARD, HEINZ, MILK, OWN, build_chain
from tests.factories import StoreFactory

__all__ = ["BARCODE", "CARD", "HEINZ", "MILK", "OWN", "pos"]


@pytest.fixture
def pos(db) -> dict:
    """The checkout tests' chain (tests/checkout/conftest.py), with Heinz twice per member
    and the own-brand campaign's budget at $5, so fuzzed sequences reach both limits; and a
    second store, S02."""
    chain = build_chain(heinz_per_member=2, own_budget=Decimal("5"))
    StoreFactory(code="S02")
    return chain
