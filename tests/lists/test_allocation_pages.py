"""The campaign page's allocation figures and the members behind each count agree."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from apps.campaigns.models import Allocation, CampaignAudience
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from apps.members.models import Member
from apps.segments.models import SegmentSnapshot
from tests.campaigns.helpers import segment_row
from tests.lists.conftest import PERIOD


@pytest.fixture
def made(chain, before_period):
    lists_generate_for_range(period_start=PERIOD, lo=0, hi=10**12, rules=ListRules())
    lists_print_offers(period_start=PERIOD)
    return chain


def test_each_count_links_to_exactly_its_members(client, marketing_user, made):
    campaign = made["campaign"]
    client.force_login(marketing_user)
    page = client.get(campaign.get_absolute_url()).content.decode()
    given_url = reverse("campaigns:members", args=[campaign.pk, "given"])
    assert f'href="{given_url}?period={PERIOD.isoformat()}"' in page
    # The given members, read from the rows independently of the page's code.
    expected = set(
        Allocation.objects.filter(
            campaign=campaign, period_start=PERIOD, outcome="given"
        ).values_list("member__card_number", flat=True)
    )
    assert expected  # the chain's campaign reaches someone
    response = client.get(given_url, {"period": PERIOD.isoformat(), "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert {row[0] for row in rows[1:]} == expected
    listed = client.get(given_url, {"period": PERIOD.isoformat()}).content.decode()
    assert f"· {len(expected)} member" in listed
    # Held out: the audience's held-out members with a list.
    held = client.get(reverse("campaigns:members", args=[campaign.pk, "holdout"]),
                      {"period": PERIOD.isoformat(), "export": "csv"})  # fmt: skip
    held_cards = {row[0] for row in list(csv.reader(io.StringIO(held.content.decode())))[1:]}
    assert held_cards == set(
        CampaignAudience.objects.filter(campaign=campaign, holdout=True)
        .filter(member__lists__period_start=PERIOD)
        .values_list("member__card_number", flat=True)
    )


def test_unknown_group_and_bad_period_are_handled(client, marketing_user, made):
    campaign = made["campaign"]
    client.force_login(marketing_user)
    assert client.get(reverse("campaigns:members", args=[campaign.pk, "nope"])).status_code == 404
    url = reverse("campaigns:members", args=[campaign.pk, "given"])
    assert client.get(url, {"period": "2026-13-45"}).status_code == 200


def test_an_active_campaign_keeps_its_stored_audience_when_the_snapshot_grows(
    client, marketing_user, made
):
    """The preview of an approved or active campaign reads the audience stored at approval:
    a newer snapshot with another targeted buyer does not add them to its figures."""
    campaign = made["campaign"]
    stored = CampaignAudience.objects.filter(campaign=campaign).count()
    newer = SegmentSnapshot.objects.create(
        category=campaign.category,
        window_start=dt.date(2025, 3, 2),
        window_end=dt.date(2026, 3, 2),
    )
    for member in Member.objects.all():
        segment_row(newer, member, "national", 3)  # every member a targeted buyer now
    assert Member.objects.count() > stored
    client.force_login(marketing_user)
    page = client.get(campaign.get_absolute_url())
    assert page.context["allocation"].audience == stored
    assert CampaignAudience.objects.filter(campaign=campaign).count() == stored


def test_members_not_due_yet_are_counted_apart_from_those_without_an_offer(
    client, marketing_user, made
):
    # The $200 member buys ketchup next on Mar 20, after this period: their offer waits.
    campaign = made["campaign"]
    client.force_login(marketing_user)
    figures = client.get(campaign.get_absolute_url()).context["allocation"]
    assert (figures.reasons["not_due"], figures.reasons["no_offer"]) == (1, 0)
    url = reverse("campaigns:members", args=[campaign.pk, "not_due"])
    response = client.get(url, {"period": PERIOD.isoformat(), "export": "csv"})
    cards = [row[0] for row in list(csv.reader(io.StringIO(response.content.decode())))[1:]]
    assert cards == ["100000000001"]
