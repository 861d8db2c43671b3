"""A win-back campaign reaches its lapsed audience: they get a list for its offer.

Lapsed members spent nothing in the weeks a list needs, so without the win-back clause of
eligibility the campaign could reach no one. Checked on the lists conftest's chain plus
three lapsed members, by the lists and items stored, and against the preview's dry run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.campaigns.allocation import AllocationRules, allocation_preview
from apps.campaigns.models import CampaignAudience, CampaignStatus
from apps.lists.models import ListItem, ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from tests.campaigns.helpers import campaign_for, offer_for
from tests.factories import MemberFactory
from tests.lists.conftest import CHICAGO, PERIOD, spend

EVERYONE = (0, 2**62)
RULES = AllocationRules()


@pytest.fixture
def lapsed(chain, before_period):
    """Three members who last shopped a year ago; two are in a win-back campaign's audience
    (one held out), the third in none."""
    red = chain["red"]
    members = {
        name: MemberFactory(card_number=card)
        for name, card in (
            ("back", "200000000001"),
            ("held", "200000000002"),
            ("gone", "200000000003"),
        )
    }
    for member in members.values():
        spend(member, "300.00", red, when=dt.datetime(2025, 3, 10, 10, tzinfo=CHICAGO))
    campaign = campaign_for(
        red.category, ["win_back"], name="We miss you", goal="win_back",
        holdout_pct=Decimal("50"), valid_from=dt.date(2026, 3, 1),
        valid_until=dt.date(2026, 4, 30),
    )  # fmt: skip
    offer_for(campaign, 3, discount_kind="amount", discount_value=Decimal("2.00"))
    CampaignAudience.objects.bulk_create(
        CampaignAudience(campaign=campaign, member=members[name], cell="win_back", usage_tier=3,
                         holdout=held)
        for name, held in (("back", False), ("held", True))
    )  # fmt: skip
    return {"campaign": campaign, **members}


def generate() -> None:
    lists_generate_for_range(period_start=PERIOD, lo=EVERYONE[0], hi=EVERYONE[1], rules=ListRules())
    lists_print_offers(period_start=PERIOD, rules=RULES)


def kinds(member) -> list[str]:
    return sorted(
        ListItem.objects.filter(member=member, shopping_list__period_start=PERIOD).values_list(
            "kind", flat=True
        )
    )


def test_lapsed_audience_gets_lists_once_the_campaign_is_active(lapsed):
    campaign = lapsed["campaign"]
    generate()  # the campaign is a draft: lapsed members get nothing
    assert not ShoppingList.objects.filter(
        member__in=[lapsed["back"], lapsed["held"], lapsed["gone"]]
    ).exists()

    preview = allocation_preview(campaign=campaign, period_start=PERIOD, rules=RULES)
    assert (preview.audience, preview.eligible, preview.given, preview.holdout) == (2, 2, 1, 1)

    campaign.status = CampaignStatus.ACTIVE
    campaign.save()
    generate()
    holders = set(
        ShoppingList.objects.filter(period_start=PERIOD).values_list("member_id", flat=True)
    )
    assert lapsed["back"].pk in holders and lapsed["held"].pk in holders
    assert lapsed["gone"].pk not in holders
    # The treated one gets the offer; the held-out one a list without it; neither spent
    # anything in the 8 weeks, so neither gets a reward.
    offers = ListItem.objects.filter(kind="offer", campaign=campaign)
    assert set(offers.values_list("member_id", flat=True)) == {lapsed["back"].pk}
    assert offers.count() == preview.given
    assert "reward" not in kinds(lapsed["back"]) + kinds(lapsed["held"])
    assert "offer" not in kinds(lapsed["held"])
