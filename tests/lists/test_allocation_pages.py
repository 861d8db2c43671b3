"""The campaign page's allocation figures and the members behind each count agree."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from apps.campaigns.models import Allocation, CampaignAudience
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
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
