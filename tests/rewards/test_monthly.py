"""The points page's monthly chart: its figures against entries written here, by hand.

TIME_ZONE is America/Chicago; TODAY = 2026-03-10, so the 12 months are Apr 2025 - Mar 2026.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.rewards.charts import points_month_figure
from apps.rewards.models import PointsEntry
from apps.rewards.monthly import PointsMonth, points_by_month
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
TODAY = dt.date(2026, 3, 10)

# (kind, points, local time)
ENTRIES = [
    ("earn", 100, dt.datetime(2026, 3, 1, 0, 30)),
    ("earn", 40, dt.datetime(2026, 2, 28, 23, 30)),  # March 1st in UTC: February here
    ("bonus", 10, dt.datetime(2026, 2, 10, 12)),
    ("import", 500, dt.datetime(2026, 1, 5, 9)),
    ("redeem", -60, dt.datetime(2026, 2, 15, 12)),
    ("convert", -200, dt.datetime(2026, 1, 31, 23)),
    ("expire", -30, dt.datetime(2025, 4, 1, 0, 10)),  # the first month of the twelve
    ("expire", -7, dt.datetime(2025, 3, 31, 23, 50)),  # before it
    ("earn", 999, dt.datetime(2026, 4, 1, 0, 0)),  # after the current month
    ("reverse", -5, dt.datetime(2026, 2, 20, 12)),  # a correction: in none of the four
    ("adjust", 15, dt.datetime(2026, 2, 21, 12)),  # the same
]


@pytest.fixture
def entries(settings):
    settings.TIME_ZONE = "America/Chicago"
    member = MemberFactory()
    for i, (kind, points, local) in enumerate(ENTRIES):
        PointsEntry.objects.create(
            member=member,
            kind=kind,
            points=points,
            key=f"test:{i}",
            created_at=local.replace(tzinfo=CHICAGO),
            valid_until=dt.date(2027, 1, 1) if points > 0 else None,
        )


def test_twelve_local_months_of_earned_spent_converted_expired(entries):
    months = points_by_month(today=TODAY)

    empty = [PointsMonth(dt.date(2025, m, 1)) for m in range(5, 13)]
    assert months == [
        PointsMonth(dt.date(2025, 4, 1), expired=30),
        *empty,
        PointsMonth(dt.date(2026, 1, 1), earned=500, converted=200),
        PointsMonth(dt.date(2026, 2, 1), earned=40 + 10, spent=60),
        PointsMonth(dt.date(2026, 3, 1), earned=100),
    ]


def test_the_figure_draws_earned_up_and_the_rest_down(entries):
    figure = points_month_figure(points_by_month(today=TODAY))

    traces = {t["name"]: t for t in figure["data"]}
    zeros = [0] * 9
    assert traces["Earned"]["y"] == [*zeros, 500, 50, 100]
    assert traces["Spent"]["y"] == [*zeros, 0, -60, 0]
    assert traces["Converted to rebates"]["y"] == [*zeros, -200, 0, 0]
    assert traces["Expired"]["y"] == [-30, *[0] * 11]
    assert traces["Spent"]["customdata"] == [*zeros, 0, 60, 0]  # the hover says 60, not -60
    assert traces["Earned"]["x"][0] == "2025-04-01" and traces["Earned"]["x"][-1] == "2026-03-01"
    assert {t["marker"]["color"] for t in figure["data"]} == {
        "#0ca678", "#1864ab", "#ae3ec9", "#e8590c"
    }  # fmt: skip
    assert figure["layout"]["barmode"] == "relative"


def test_no_movement_no_figure():
    assert points_month_figure(points_by_month(today=TODAY)) is None


def test_the_points_page_embeds_the_chart_of_this_month(client):
    client.force_login(UserFactory(role=Role.MARKETING))
    member = MemberFactory()
    now = timezone.now()
    PointsEntry.objects.create(
        member=member, kind="earn", points=70, key="t:1", created_at=now,
        valid_until=timezone.localdate() + dt.timedelta(days=300),
    )  # fmt: skip
    PointsEntry.objects.create(member=member, kind="redeem", points=-25, key="t:2", created_at=now)

    page = client.get(reverse("rewards:rules")).content.decode()

    found = re.search(
        r'<script id="fig-points-months" type="application/json">(.*?)</script>', page, re.S
    )
    traces = {t["name"]: t for t in json.loads(found.group(1))["data"]}
    assert traces["Earned"]["y"][-1] == 70
    assert traces["Spent"]["y"][-1] == -25
    assert sum(traces["Earned"]["y"]) == 70
    assert 'data-plotly-figure="fig-points-months"' in page
