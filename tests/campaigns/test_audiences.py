"""The audiences beyond the cells: affinity (cross-sell, trial) and win back; cells as before."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.campaigns.forms import CampaignForm
from apps.campaigns.models import CELL_LABELS, CampaignAudience
from apps.campaigns.selectors import AFFINITY_MIN_BASKETS, AFFINITY_MIN_LIFT, campaign_preview
from apps.campaigns.services import campaign_audience_persist
from apps.segments.models import CategoryAffinity, MemberScore, RepeatModelFit, SegmentSnapshot
from tests.campaigns.helpers import campaign_for, form_data, offer_for, segment_row, snapshot_with
from tests.factories import CategoryFactory, MemberFactory

LATEST = dt.date(2026, 3, 1)


def rule(antecedent, consequent, *, lift, both, end=LATEST):
    """A stored rule; only lift, baskets with both and the window matter to the audience."""
    return CategoryAffinity.objects.create(
        window_start=end - dt.timedelta(weeks=52), window_end=end, antecedent=antecedent,
        consequent=consequent, baskets_with_both=both, antecedent_baskets=both * 2,
        baskets=10_000, support=both / 10_000, confidence=0.5, lift=lift,
    )  # fmt: skip


def buyers_of(category, n, *, window_end=LATEST):
    """A snapshot of the category with n new members (national, medium usage)."""
    _, members = snapshot_with(category, {"national-2": n}, window_end=window_end)
    return members["national-2"]


def audience(campaign) -> dict[int, tuple[str, int, bool]]:
    campaign_audience_persist(campaign=campaign)
    return {
        a.member_id: (a.cell, a.usage_tier, a.holdout)
        for a in CampaignAudience.objects.filter(campaign=campaign)
    }


@pytest.fixture
def cross_sell(db):
    """Ketchup with its buyers, and the categories bought with it and their buyers.

    Returns the ketchup category and the members expected in its affinity audience.
    """
    ketchup, fries, chips, soap, mustard = (
        CategoryFactory(name=name) for name in ("Ketchup", "Fries", "Chips", "Soap", "Mustard")
    )
    ketchup_buyers = buyers_of(ketchup, 3)
    fries_only = buyers_of(fries, 4)
    # Fries' latest snapshot also holds a ketchup buyer (not a non-buyer) and a closed card.
    snapshot = SegmentSnapshot.objects.get(category=fries, window_end=LATEST)
    segment_row(snapshot, ketchup_buyers[0], "store", 3)
    closed = MemberFactory(status="closed")
    segment_row(snapshot, closed, "store", 3)
    # An older fries snapshot: its buyer no longer counts.
    buyers_of(fries, 1, window_end=LATEST - dt.timedelta(days=28))
    chips_buyers = buyers_of(chips, 2)
    # One member buys both fries and chips: in the audience once.
    chips_snapshot = SegmentSnapshot.objects.get(category=chips, window_end=LATEST)
    segment_row(chips_snapshot, fries_only[1], "swinger", 1)
    soap_buyers = buyers_of(soap, 3)
    mustard_buyers = buyers_of(mustard, 2)

    lift, both = AFFINITY_MIN_LIFT, AFFINITY_MIN_BASKETS
    rule(fries, ketchup, lift=lift + 1, both=both * 3)
    rule(chips, ketchup, lift=lift, both=both)  # both thresholds exactly: included
    rule(soap, ketchup, lift=lift - 0.01, both=both * 10)  # not enough lift
    rule(mustard, ketchup, lift=lift * 2, both=both - 1)  # not enough baskets
    rule(ketchup, soap, lift=lift * 2, both=both * 10)  # the other direction: not into ketchup
    rule(soap, ketchup, lift=lift * 2, both=both * 10, end=LATEST - dt.timedelta(days=7))  # older
    expected = {m.pk for m in fries_only + chips_buyers}
    assert not expected & {m.pk for m in soap_buyers + mustard_buyers + ketchup_buyers}
    return ketchup, expected, ketchup_buyers


def test_affinity_audience_is_the_expected_non_buyers(cross_sell):
    ketchup, expected, _ = cross_sell
    campaign = campaign_for(ketchup, ["affinity"], goal="cross_sell", holdout_pct=Decimal("0"))
    rows = audience(campaign)
    assert set(rows) == expected
    # Not in the category's snapshot: the low usage tier (its offer is the trial offer).
    assert set(rows.values()) == {("affinity", 1, False)}


def test_affinity_with_cells_keeps_each_member_once(cross_sell):
    ketchup, expected, ketchup_buyers = cross_sell
    campaign = campaign_for(ketchup, ["national-2", "affinity"], holdout_pct=Decimal("0"))
    rows = audience(campaign)
    assert {m for m, r in rows.items() if r[0] == "national-2"} == {m.pk for m in ketchup_buyers}
    assert {m for m, r in rows.items() if r[0] == "affinity"} == expected


def test_affinity_without_rules_is_empty(db):
    ketchup, fries = CategoryFactory(name="Ketchup"), CategoryFactory(name="Fries")
    buyers_of(fries, 3)
    campaign = campaign_for(ketchup, ["affinity"])
    assert audience(campaign) == {}


def test_preview_shows_the_affinity_audience_and_its_low_tier_cost(cross_sell):
    ketchup, expected, _ = cross_sell
    campaign = campaign_for(ketchup, ["national-2", "affinity"], holdout_pct=Decimal("0"))
    offer_for(campaign, 1, discount_value=Decimal("2.00"))  # the trial offer
    offer_for(campaign, 2, discount_value=Decimal("0.50"))
    preview = campaign_preview(campaign=campaign, rate_pct=Decimal("10"))
    rows = {r.cell: (r.label, r.members, r.cost) for r in preview.rows}
    n = len(expected)
    assert rows["affinity"] == (
        CELL_LABELS["affinity"],
        n,
        (Decimal("2.00") * n * Decimal("0.10")).quantize(Decimal("0.01")),
    )
    assert rows["national-2"][1] == 3


# --- Win back ---------------------------------------------------------------------------


def score(fit, member, *, spend, p_alive, cumulative_share=0.9, churn_risk=False):
    return MemberScore.objects.create(
        fit=fit, member=member, frequency=2, recency_weeks=10, age_weeks=40,
        days_since_last=60, total_spend=Decimal(spend), average_repeat_spend=5,
        recency_score=1, frequency_score=1, monetary_score=1, p_alive=p_alive,
        expected_purchases_2w=0, expected_purchases_4w=0, expected_purchases_13w=0,
        expected_spend=0, clv=0, sales_share=0.01, cumulative_share=cumulative_share,
        churn_risk=churn_risk,
    )  # fmt: skip


def fit_at(live_since):
    return RepeatModelFit.objects.create(
        calibration_end="2026-02-28", r=1, alpha=1, a=1, b=1, bgnbd_log_likelihood=0,
        members=20, repeat_buyers=20, live_since=live_since,
    )  # fmt: skip


@pytest.fixture
def lapsed(db):
    """20 scored members, so the top 20 % by spend is the first 4; ketchup buyers among them.

    Returns the category, the expected win-back members, and the other ketchup buyers.
    """
    ketchup = CategoryFactory(name="Ketchup")
    now = timezone.now()
    old = fit_at(now - dt.timedelta(days=30))
    live = fit_at(now)
    fit_at(None)  # a held-back candidate: never read
    a, c, d, e, g = buyers_of(ketchup, 5)
    b = MemberFactory()  # not a ketchup buyer
    score(live, a, spend=1000, p_alive=0.3)  # rank 1, lapsed: in
    score(live, b, spend=990, p_alive=0.2)  # rank 2, but buys no ketchup
    score(live, c, spend=980, p_alive=0.5)  # rank 3, P(active) not under one half
    score(live, d, spend=970, p_alive=0.49)  # rank 4: in
    score(live, e, spend=970, p_alive=0.1)  # same spend as d, a later id: rank 5, out
    score(live, g, spend=5, p_alive=0.9)  # valuable and lapsed only in the old fit
    score(old, g, spend=5000, p_alive=0.1)
    for _ in range(14):
        score(live, MemberFactory(), spend=1, p_alive=0.05)
    assert e.pk > d.pk
    return ketchup, {a.pk, d.pk}, {c.pk, e.pk, g.pk}


def test_win_back_holds_the_lapsed_valuable_buyers(lapsed):
    ketchup, expected, _ = lapsed
    campaign = campaign_for(ketchup, ["win_back"], goal="win_back", holdout_pct=Decimal("0"))
    rows = audience(campaign)
    assert set(rows) == expected
    assert {r[0] for r in rows.values()} == {"win_back"}
    assert {r[1] for r in rows.values()} == {2}  # their own usage tier in the category


def test_win_back_comes_before_top_value(lapsed):
    ketchup, expected, others = lapsed
    MemberScore.objects.update(cumulative_share=0.1)  # every scored member is top value
    campaign = campaign_for(ketchup, ["top_value", "win_back"], holdout_pct=Decimal("0"))
    cells = {m: r[0] for m, r in audience(campaign).items()}
    assert {m for m, c in cells.items() if c == "win_back"} == expected
    assert {m for m, c in cells.items() if c == "top_value"} == others


def test_win_back_without_a_live_fit_is_empty(db):
    ketchup = CategoryFactory(name="Ketchup")
    buyers_of(ketchup, 3)
    assert audience(campaign_for(ketchup, ["win_back"])) == {}


# --- The cells as before ----------------------------------------------------------------


def expected_holdout(seed: int, member_ids, pct: int) -> set[int]:
    """The documented draw: order by md5('seed:id'), hold out the first round(n × pct %)."""
    ordered = sorted(member_ids, key=lambda m: hashlib.md5(f"{seed}:{m}".encode()).hexdigest())
    return set(ordered[: round(len(ordered) * pct / 100)])


def test_cells_and_draw_unchanged_beside_the_new_audiences(cross_sell):
    ketchup, expected, _ = cross_sell
    snapshot = SegmentSnapshot.objects.get(category=ketchup, window_end=LATEST)
    heavy = [MemberFactory() for _ in range(30)]
    for member in heavy:
        segment_row(snapshot, member, "national", 3)
    heavy_ids = {m.pk for m in heavy}
    seed = 4242
    plain = campaign_for(ketchup, ["national-3"], holdout_seed=seed)
    with_new = campaign_for(
        ketchup, ["national-3", "win_back", "affinity"], holdout_seed=seed, name="Cross"
    )
    rows = audience(plain)
    assert set(rows) == heavy_ids
    assert {m for m, r in rows.items() if r[2]} == expected_holdout(seed, heavy_ids, 10)
    assert {r[:2] for r in rows.values()} == {("national-3", 3)}
    both = audience(with_new)
    assert {m: r for m, r in both.items() if r[0] == "national-3"} == rows
    affinity = {m for m, r in both.items() if r[0] == "affinity"}
    assert affinity == expected
    assert {m for m in affinity if both[m][2]} == expected_holdout(seed, expected, 10)


# --- The form ---------------------------------------------------------------------------


def test_form_offers_the_new_audiences(db):
    ketchup = CategoryFactory(name="Ketchup")
    form = CampaignForm(data=form_data(ketchup, target_cells=["win_back", "affinity"]))
    assert form.is_valid(), form.errors
    assert form.draft().target_cells == ("win_back", "affinity")
    labels = dict(form.fields["target_cells"].choices)
    assert labels["affinity"].startswith("Affinity: cross-sell and trial")
    assert labels["win_back"].startswith("Win back")
    assert "low usage tier" in form.fields["target_cells"].help_text
