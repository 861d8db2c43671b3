"""Lots that last until the programme year's end (CRM_POINTS_EXPIRE_AT = "year_end").

Expected last days are written out by hand from the calendar.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.rewards.backfill import points_earn_backfill
from apps.rewards.ledger import programme_year_end, valid_until
from apps.rewards.models import EarningRule, PointsEntry
from tests.factories import BasketFactory, BasketLineFactory, MemberFactory, ProductFactory

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("year_end", "day", "last"),
    [
        ("12-31", dt.date(2026, 3, 5), dt.date(2026, 12, 31)),
        ("12-31", dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
        ("06-30", dt.date(2026, 7, 1), dt.date(2027, 6, 30)),
        ("06-30", dt.date(2026, 6, 30), dt.date(2026, 6, 30)),
        ("02-29", dt.date(2026, 1, 10), dt.date(2026, 2, 28)),
        ("02-29", dt.date(2027, 3, 1), dt.date(2028, 2, 29)),
    ],
)
def test_programme_year_end(settings, year_end, day, last):
    settings.CRM_PROGRAMME_YEAR_END = year_end
    settings.CRM_POINTS_EXPIRE_AT = "year_end"
    assert programme_year_end(day) == last
    assert valid_until(day) == last


def test_months_are_the_default(settings):
    settings.CRM_POINTS_EXPIRE_AT = "months"
    settings.CRM_POINTS_EXPIRY_MONTHS = 12
    assert valid_until(dt.date(2026, 3, 5)) == dt.date(2027, 3, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year_end", "bought", "last"),
    [
        ("12-31", dt.datetime(2026, 3, 5, 12, tzinfo=CHICAGO), dt.date(2026, 12, 31)),
        ("06-30", dt.datetime(2026, 7, 1, 12, tzinfo=CHICAGO), dt.date(2027, 6, 30)),
        ("02-29", dt.datetime(2026, 1, 10, 12, tzinfo=CHICAGO), dt.date(2026, 2, 28)),
    ],
)
def test_the_backfill_gives_lots_the_same_last_day(settings, year_end, bought, last):
    settings.TIME_ZONE = "America/Chicago"
    settings.CRM_PROGRAMME_YEAR_END = year_end
    settings.CRM_POINTS_EXPIRE_AT = "year_end"
    EarningRule.objects.all().delete()
    EarningRule.objects.create(points_per_dollar=Decimal(1), starts_on=dt.date(2020, 1, 1))
    member = MemberFactory()
    basket = BasketFactory(member=member, purchased_at=bought)
    BasketLineFactory(basket=basket, product=ProductFactory(), quantity=1, amount=Decimal("12.00"))
    points_earn_backfill(lo=member.pk, hi=member.pk + 1, today=dt.date(2026, 1, 1))
    assert PointsEntry.objects.get().valid_until == last
