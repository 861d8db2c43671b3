"""Audience preview and the holdout draw, against PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from apps.campaigns.models import CampaignAudience
from apps.campaigns.selectors import campaign_preview
from apps.campaigns.services import campaign_audience_persist
from tests.campaigns.helpers import campaign_for, offer_for, snapshot_with
from tests.factories import AgreementFactory, CategoryFactory, ProductFactory


def test_preview_counts_cost_and_shares(db):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own", price=Decimal("2.00"))
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own", price=Decimal("3.00"))
    snapshot_with(ketchup, {"national-3": 10, "national-1": 20, "store-3": 7})
    agreement = AgreementFactory(manufacturer_share_pct=Decimal("40"), status="active")
    campaign = campaign_for(
        ketchup, ["national-3", "national-1"], agreement=agreement, budget=Decimal("100")
    )
    offer_for(campaign, 3, discount_kind="amount", discount_value=Decimal("1.50"))
    # 10% of two units at the average store-brand price (2.50): 0.50 a redemption.
    offer_for(campaign, 1, discount_kind="percent", discount_value=Decimal("10"), min_quantity=2)

    preview = campaign_preview(campaign=campaign, rate_pct=Decimal("20"))

    rows = {row.cell: (row.members, row.holdout, row.redemptions, row.cost) for row in preview.rows}
    assert rows == {
        # 10 members, 1 held out, 9 × 20% = 1.8 redemptions × $1.50 = $2.70
        "national-3": (10, 1, Decimal("1.8"), Decimal("2.70")),
        # 20 members, 2 held out, 18 × 20% = 3.6 redemptions × $0.50 = $1.80
        "national-1": (20, 2, Decimal("3.6"), Decimal("1.80")),
    }
    assert preview.cost == Decimal("4.50")
    assert preview.manufacturer_share == Decimal("1.80")  # 40% of 4.50
    assert preview.store_share == Decimal("2.70")
    assert not preview.over_budget


def test_groups_take_members_outside_the_targeted_nine_cells(db):
    from apps.segments.models import MemberScore, RepeatModelFit

    ketchup = CategoryFactory(name="Ketchup")
    _, members = snapshot_with(ketchup, {"swinger-2": 3})
    fit = RepeatModelFit.objects.create(
        calibration_end="2026-03-01", r=1, alpha=1, a=1, b=1, bgnbd_log_likelihood=0,
        members=3, repeat_buyers=3,
    )  # fmt: skip
    for member, risk in zip(members["swinger-2"], [True, False, False], strict=True):
        MemberScore.objects.create(
            fit=fit, member=member, frequency=1, recency_weeks=1, age_weeks=2,
            days_since_last=3, total_spend=10, average_repeat_spend=5, recency_score=1,
            frequency_score=1, monetary_score=1, p_alive=0.2, expected_purchases_2w=0,
            expected_purchases_4w=0, expected_purchases_13w=0, expected_spend=0, clv=0,
            sales_share=0.3, cumulative_share=0.3, churn_risk=risk,
        )  # fmt: skip
    campaign = campaign_for(ketchup, ["at_risk"], holdout_pct=Decimal("0"))
    preview = campaign_preview(campaign=campaign)
    assert [(row.cell, row.members) for row in preview.rows] == [("at_risk", 1)]


def test_holdout_is_ten_percent_per_cell_and_stable_under_reruns(db):
    ketchup = CategoryFactory(name="Ketchup")
    snapshot_with(ketchup, {"national-3": 40, "swinger-2": 25, "store-1": 4})
    campaign = campaign_for(ketchup, ["national-3", "swinger-2", "store-1"])

    assert campaign_audience_persist(campaign=campaign) == 69
    held = dict(
        CampaignAudience.objects.filter(campaign=campaign, holdout=True)
        .values_list("cell")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
    )
    # round(40 × 10%) = 4, round(25 × 10%) = round(2.5) = 3, round(4 × 10%) = 0
    assert held == {"national-3": 4, "swinger-2": 3}
    first = set(CampaignAudience.objects.filter(holdout=True).values_list("member_id", flat=True))

    # Rerunning keeps the rows; drawing afresh with the same seed picks the same members.
    assert campaign_audience_persist(campaign=campaign) == 69
    CampaignAudience.objects.all().delete()
    campaign_audience_persist(campaign=campaign)
    again = set(CampaignAudience.objects.filter(holdout=True).values_list("member_id", flat=True))
    assert again == first

    # Another seed draws other members (the draw is random, not the lowest ids).
    CampaignAudience.objects.all().delete()
    campaign.holdout_seed = 999
    campaign.save()
    campaign_audience_persist(campaign=campaign)
    other = set(CampaignAudience.objects.filter(holdout=True).values_list("member_id", flat=True))
    assert len(other) == 7 and other != first
