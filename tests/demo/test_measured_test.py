"""The demo's measured test: half its audience held out, and an effect the dashboard calls
significant; two snapshot months, so the dashboard's moves between cells show; and offers
taken by the facts allocation scores (apps.demo.response).

A 1,000-member demo of 10 weeks ending on Sunday 2026-03-29, late in the month: every list
period's snapshot falls in March, so only the programme's closing snapshot of February
(window ending 2026-03-01) gives the dashboard an earlier month to compare with.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from apps.campaigns.models import Allocation, Campaign, CampaignAudience
from apps.checkout.models import Redemption
from apps.demo.plan import TEST_GOAL
from apps.demo.program import demo_program_seed
from apps.demo.services import demo_generate
from apps.lists.models import ListItem, ShoppingList
from apps.reports import selectors
from apps.reports.forms import ReportFilters
from apps.reports.models import ReportSnapshot
from apps.segments.models import SegmentSnapshot
from tests.migration_data import restore_migration_data

END = dt.date(2026, 3, 29)
FILTERS = ReportFilters(month_from=dt.date(2025, 4, 1), month_to=dt.date(2026, 3, 1))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # From empty tables with their id sequences reset: holdouts are drawn from
        # md5(seed:member id), so ids left moving by earlier tests would draw another half
        # and, on 1,000 members, another verdict.
        call_command("flush", interactive=False, verbosity=0)
        restore_migration_data()
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            demo_generate(members=1000, weeks=10, seed=11, end_date=END)
            result = demo_program_seed(seed=42)
        yield result
        call_command("flush", interactive=False, verbosity=0)
        restore_migration_data()


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


@pytest.mark.django_db
def test_the_store_brand_switch_holds_out_half_its_audience(demo):
    for campaign in Campaign.objects.all():
        audience = list(CampaignAudience.objects.filter(campaign=campaign))
        share = Decimal("0.5") if campaign.goal == "convert" else Decimal("0.1")
        cells = Counter(a.cell for a in audience)
        # round(share of each targeted cell), halves away from zero as PostgreSQL rounds.
        expected = sum(_half_up(n * share) for n in cells.values())
        assert sum(a.holdout for a in audience) == expected, campaign.name
        assert campaign.holdout_pct == share * 100
    test = Campaign.objects.get(goal="convert")
    assert {o.min_quantity for o in test.offers.all()} == {2}


@pytest.mark.django_db
def test_the_measured_test_shows_a_significant_lift(demo):
    campaigns = list(selectors.campaigns_in_period(FILTERS))
    rows = {r.campaign.goal: r for r in selectors.campaign_rows(FILTERS, campaigns)}
    test = rows["convert"]
    # Enough members on both sides to trust the intervals (30 a group), and both lifts'
    # intervals above zero: the offer moved buyers to the store brand and sold more.
    assert test.lift_treated_members >= 30 and test.lift_holdout_members >= 30
    conversion, sales = test.conversion.lift, test.sales.lift
    assert conversion.low > 0 and conversion.verdict.significant is True
    assert sales.low > 0 and sales.verdict.significant is True
    assert sales.verdict.members_needed is None  # a clear answer: nothing more needed
    # The 10 % holdouts are too small to call anything: never "significant".
    for goal in ("trial", "retain"):
        assert rows[goal].lift_holdout_members < 30
        assert rows[goal].sales.lift.verdict.significant is not True, goal


@pytest.mark.django_db
def test_the_dashboard_has_two_months_of_snapshots_and_their_moves(demo, client):
    ends = set(SegmentSnapshot.objects.values_list("window_end", flat=True))
    assert ends == {
        dt.date(2026, 3, 9),  # the previous list period's first day (END − 20)
        dt.date(2026, 3, 23),  # the current one's (END − 6)
        dt.date(2026, 3, 1),  # the close of February, for the moves
        dt.date(2026, 3, 30),  # today's (END + 1)
    }
    assert set(ReportSnapshot.objects.values_list("month", flat=True)) == {
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    }
    client.force_login(get_user_model().objects.get(username="marketing"))
    response = client.get(reverse("reports:loyalty"))
    assert response.context["previous"] == dt.date(2026, 2, 1)
    assert isinstance(response.context["won_to_store"], int)
    assert 'id="fig-moves"' in response.content.decode()


@pytest.mark.django_db
def test_offers_for_products_the_member_bought_are_redeemed_clearly_more(demo):
    # Every given offer of both periods, redeemed when a redemption (reversed or not: the
    # shopper took it) of its campaign was rung up for the member on that period's list;
    # but the measured test's, which its list holders take almost always by design.
    # (Read in steps and matched here: a cluster keeps redemptions on its coordinator and
    # shards lists by member, and refuses a subquery correlated across the two.)
    rung = list(Redemption.objects.values_list("member_id", "campaign_id", "list_item_id"))
    items = dict(
        ListItem.objects.filter(pk__in=[i for _, _, i in rung]).values_list("pk", "shopping_list")
    )
    starts = dict(
        ShoppingList.objects.filter(pk__in=set(items.values())).values_list("pk", "period_start")
    )
    taken = {(member, campaign, starts[items[item]]) for member, campaign, item in rung}
    rows = [
        (bought, (member, campaign, start) in taken)
        for bought, member, campaign, start in Allocation.objects.filter(outcome="given")
        .exclude(campaign__goal=TEST_GOAL)
        .values_list("bought_target", "member_id", "campaign_id", "period_start")
    ]
    n1 = sum(1 for bought, _ in rows if bought)
    n0 = len(rows) - n1
    x1 = sum(1 for bought, taken in rows if bought and taken)
    x0 = sum(1 for bought, taken in rows if not bought and taken)
    assert n1 >= 25 and n0 >= 25, (n1, n0)
    p1, p0 = x1 / n1, x0 / n0
    # Clearly higher: by at least 15 points, and a two-proportion z of at least 3.
    pooled = (x1 + x0) / (n1 + n0)
    z = (p1 - p0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    assert p1 - p0 >= 0.15, (p1, p0)
    assert z >= 3, (p1, p0, z)
