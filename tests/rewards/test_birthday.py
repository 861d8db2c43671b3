"""The birthday gift: 200 points on the list of the period holding the birthday, once a year.

Periods and birthdays are dated by hand; the expected gifts are read off the calendar (2026
and 2027 are not leap years, 2028 is).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from apps.rewards.birthday import birthday_gift, birthday_in, birthday_points_grant
from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import LotUse, PointsBalance, PointsEntry
from apps.rewards.verify import ledger_problems
from tests.factories import MemberFactory

CHICAGO = ZoneInfo("America/Chicago")
AT = dt.datetime(2026, 3, 1, 9, tzinfo=CHICAGO)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def programme(settings):
    settings.CRM_BIRTHDAY_POINTS = 200
    settings.CRM_POINTS_EXPIRY_MONTHS = 12
    settings.CRM_POINTS_EXPIRE_AT = "months"


def grant(start: dt.date, members, at=AT) -> int:
    with transaction.atomic():
        return birthday_points_grant(
            period_start=start, period_end=start + dt.timedelta(days=14),
            members=[m.pk for m in members], at=at,
        )  # fmt: skip


def gifts(member) -> list[tuple[str, int]]:
    return list(
        PointsEntry.objects.filter(member=member, kind="bonus")
        .order_by("id")
        .values_list("key", "points")
    )


def test_a_birthday_in_the_period_gets_its_gift_once_however_often_lists_are_made():
    in_period = MemberFactory(birth_date=dt.date(1990, 3, 10))  # Mar 10 in [Mar 2, Mar 16)
    last_day = MemberFactory(birth_date=dt.date(1981, 3, 15))  # the period's last day
    after = MemberFactory(birth_date=dt.date(1990, 3, 16))  # the next period's
    no_date = MemberFactory(birth_date=None)  # no consent, no date on file
    everyone = [in_period, last_day, after, no_date]

    assert grant(dt.date(2026, 3, 2), everyone) == 2
    assert grant(dt.date(2026, 3, 2), everyone) == 0  # the lists made again
    assert gifts(in_period) == [(f"birthday:{in_period.pk}:2026", 200)]
    assert gifts(last_day) == [(f"birthday:{last_day.pk}:2026", 200)]
    assert gifts(after) == [] and gifts(no_date) == []
    lot = PointsEntry.objects.get(member=in_period, kind="bonus")
    assert lot.valid_until == dt.date(2027, 2, 28)  # given Mar 1, 2026: 12 months less a day
    assert PointsBalance.objects.get(member=in_period).points == 200
    # A year later the same birthday gives again (a new year's key); the periods have moved
    # a day: [Mar 1, Mar 15) of 2027 holds Mar 10 but no longer Mar 15.
    assert grant(dt.date(2027, 3, 1), everyone, at=AT.replace(year=2027)) == 1
    assert [key for key, _ in gifts(in_period)] == [
        f"birthday:{in_period.pk}:2026",
        f"birthday:{in_period.pk}:2027",
    ]
    assert len(gifts(last_day)) == 1
    assert ledger_problems() == {}


def test_only_the_members_given_are_looked_at():
    holder = MemberFactory(birth_date=dt.date(1990, 3, 5))
    no_list = MemberFactory(birth_date=dt.date(1990, 3, 5))
    assert grant(dt.date(2026, 3, 2), [holder]) == 1
    assert gifts(no_list) == []


def test_feb_29_is_feb_28_in_other_years():
    leapling = MemberFactory(birth_date=dt.date(2000, 2, 29))
    # 2027: no Feb 29; the period [Feb 22, Mar 8) holds Feb 28.
    assert grant(dt.date(2027, 2, 22), [leapling], at=AT.replace(year=2027, month=2, day=20)) == 1
    # 2028 is a leap year: [Feb 15, Feb 29) holds Feb 28 but not the birthday ...
    assert grant(dt.date(2028, 2, 15), [leapling], at=AT.replace(year=2028, month=2, day=10)) == 0
    # ... [Feb 29, Mar 14) does.
    assert grant(dt.date(2028, 2, 29), [leapling], at=AT.replace(year=2028, month=2, day=27)) == 1
    assert [key for key, _ in gifts(leapling)] == [
        f"birthday:{leapling.pk}:2027",
        f"birthday:{leapling.pk}:2028",
    ]
    assert birthday_in(dt.date(2000, 2, 29), dt.date(2027, 2, 22), dt.date(2027, 3, 8)) == dt.date(
        2027, 2, 28
    )
    assert birthday_in(dt.date(2000, 2, 29), dt.date(2028, 2, 15), dt.date(2028, 2, 29)) is None


def test_a_period_across_new_year_gives_the_gift_of_the_birthdays_year():
    member = MemberFactory(birth_date=dt.date(1970, 1, 2))
    assert grant(dt.date(2026, 12, 28), [member], at=dt.datetime(2026, 12, 27, tzinfo=CHICAGO)) == 1
    assert gifts(member) == [(f"birthday:{member.pk}:2027", 200)]


def test_the_gift_settles_what_the_member_owes_first():
    member = MemberFactory(birth_date=dt.date(1990, 3, 3))
    with transaction.atomic():
        earn, _ = entry_record(Movement(member_id=member.pk, kind="earn", points=100, key="e",
                                        at=AT - dt.timedelta(days=20)))  # fmt: skip
        reverse, _ = entry_record(
            Movement(member_id=member.pk, kind="reverse", points=-130, key="r",
                     reverses_id=earn, prefer_lot=earn, at=AT - dt.timedelta(days=10))
        )  # fmt: skip
    assert PointsBalance.objects.get(member=member).points == -30
    assert grant(dt.date(2026, 3, 2), [member]) == 1
    gift = PointsEntry.objects.get(member=member, kind="bonus")
    # The return's 30 points not covered by its lot come out of the gift: 170 left to spend.
    assert dict(LotUse.objects.filter(lot=gift).values_list("consumer_id", "points")) == {
        reverse: 30
    }
    assert PointsBalance.objects.get(member=member).points == 170
    assert ledger_problems() == {}


def test_what_the_list_reads_is_the_gift_given():
    member = MemberFactory(birth_date=dt.date(1990, 3, 10))
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 16)
    assert birthday_gift(member_id=member.pk, birth_date=member.birth_date,
                         period_start=start, period_end=end) is None  # fmt: skip
    grant(start, [member])
    assert birthday_gift(member_id=member.pk, birth_date=member.birth_date,
                         period_start=start, period_end=end) == 200  # fmt: skip
    later = end + dt.timedelta(days=14)
    assert birthday_gift(member_id=member.pk, birth_date=member.birth_date,
                         period_start=end, period_end=later) is None  # fmt: skip


def test_no_points_set_gives_nothing(settings):
    settings.CRM_BIRTHDAY_POINTS = 0
    member = MemberFactory(birth_date=dt.date(1990, 3, 10))
    assert grant(dt.date(2026, 3, 2), [member]) == 0
    assert gifts(member) == []
