"""The offer model's loop: given offers labelled from the tills, the fit, the dashboard.

Labels are checked on the reports conftest's chain, worked out by hand from its lists and
redemptions; the fit on synthetic offers drawn from a logistic model with known coefficients.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.allocation.rules import FEATURES
from apps.campaigns.models import Allocation, Campaign, CampaignStatus, Offer, OfferModel
from apps.checkout.models import Redemption
from apps.members.models import Member
from apps.reports.offers import MIN_ROWS, offer_model_fit, offer_outcomes_refresh
from tests.factories import CategoryFactory, MemberFactory

MARCH_2, MARCH_16 = dt.date(2026, 3, 2), dt.date(2026, 3, 16)


def _allocation(period, member, campaign, outcome, probability, **features):
    offer = campaign.offers.order_by("-usage_tier").first()
    return Allocation(
        period_start=period, member=member, campaign=campaign, offer=offer,
        category_id=campaign.category_id, cell="national-3", holdout=outcome == "holdout",
        bought_target=features.get("bought_target", True),
        discovery=features.get("discovery", False),
        buy_probability=features.get("buy_probability", 0.3),
        usage_tier=features.get("usage_tier", 3), past_rate=features.get("past_rate", 0.15),
        depth=features.get("depth", 0.2), probability=probability, unit_cost=Decimal("1.00"),
        value=probability, outcome=outcome, redeemed=features.get("redeemed"),
    )  # fmt: skip


@pytest.fixture
def allocated(world):
    """The conftest's campaign allocated by hand.

    Period Mar 2: A, B, C given (A redeemed live, B's redemption reversed, C none); D and
    E held out (Allocation keeps only these two outcomes). Period Mar 16: A given again, no
    redemption from that list (A's one redemption was from the Mar 2 list).
    """
    w = world
    rows = [
        (MARCH_2, w.a, "given", 0.40),
        (MARCH_2, w.b, "given", 0.30),
        (MARCH_2, w.c, "given", 0.10),
        (MARCH_2, w.d, "holdout", 0.35),
        (MARCH_2, w.e, "holdout", 0.05),
        (MARCH_16, w.a, "given", 0.50),
    ]
    Allocation.objects.bulk_create(
        [_allocation(p, m, w.campaign, outcome, prob) for p, m, outcome, prob in rows]
    )
    return w


def _labels() -> dict[tuple[str, int], bool | None]:
    return {(a.period_start.isoformat(), a.member_id): a.redeemed for a in Allocation.objects.all()}


def test_labels_given_offers_of_ended_periods_only(allocated):
    w = allocated
    # Mar 16's period ends Mar 30: on Mar 29 it is still running and stays unlabelled.
    assert offer_outcomes_refresh(today=dt.date(2026, 3, 29)) == 3
    assert _labels() == {
        ("2026-03-02", w.a.pk): True,
        ("2026-03-02", w.b.pk): False,  # reversed by a return
        ("2026-03-02", w.c.pk): False,
        ("2026-03-02", w.d.pk): None,  # held out
        ("2026-03-02", w.e.pk): None,
        ("2026-03-16", w.a.pk): None,
    }
    assert offer_outcomes_refresh(today=dt.date(2026, 3, 30)) == 1
    assert _labels()[("2026-03-16", w.a.pk)] is False
    # Idempotent: nothing changes on a rerun …
    assert offer_outcomes_refresh(today=dt.date(2026, 3, 30)) == 0
    # … until a return reverses A's redemption.
    Redemption.objects.filter(member=w.a).update(reversed_at=timezone.now())
    assert offer_outcomes_refresh(today=dt.date(2026, 3, 30)) == 1
    assert _labels()[("2026-03-02", w.a.pk)] is False


# Synthetic offers: features drawn at random, redeemed with the chance of a logistic model
# whose coefficients are known.
TRUE_INTERCEPT = -2.5
TRUE = {
    "bought_target": 2.0,
    "discovery": -1.0,
    "buy_probability": 1.5,
    "usage_tier": 0.0,
    "past_rate": 2.0,
    "depth": 3.0,
}


def _synthetic(rng, *, members: int, periods: list[dt.date], campaigns: int = 2):
    category = CategoryFactory(name="Synthetic")
    made = []
    for n in range(campaigns):
        campaign = Campaign.objects.create(
            name=f"Synthetic {n}", goal="convert", category=category, target_cells=[],
            valid_from=periods[0], valid_until=periods[-1] + dt.timedelta(days=13),
            budget=Decimal("1000"), status=CampaignStatus.ACTIVE,
        )  # fmt: skip
        Offer.objects.create(
            campaign=campaign, usage_tier=3, applies_to="brand_type", brand_type="store",
            discount_kind="amount", discount_value=Decimal("1.00"),
        )  # fmt: skip
        made.append(campaign)
    people = Member.objects.bulk_create(MemberFactory.build_batch(members))
    rows, labels = [], []
    for period in periods:
        for campaign in made:
            n = len(people)
            bought = rng.random(n) < 0.5
            discovery = ~bought & (rng.random(n) < 0.4)
            x = np.column_stack([
                bought, discovery, rng.uniform(0, 0.6, n), rng.integers(1, 4, n) - 2,
                rng.uniform(0, 0.4, n), rng.uniform(0.05, 0.4, n),
            ]).astype(float)  # fmt: skip
            logit = TRUE_INTERCEPT + x @ np.array([TRUE[f] for f in FEATURES])
            y = rng.random(n) < 1 / (1 + np.exp(-logit))
            labels.extend(y)
            for member, xi, yi in zip(people, x, y, strict=True):
                rows.append(_allocation(
                    period, member, campaign, "given", 0.2,
                    bought_target=bool(xi[0]), discovery=bool(xi[1]), buy_probability=xi[2],
                    usage_tier=int(xi[3]) + 2, past_rate=xi[4], depth=xi[5],
                    redeemed=bool(yi),
                ))  # fmt: skip
    Allocation.objects.bulk_create(rows, batch_size=2000)
    return np.array(labels)


def test_fit_recovers_the_signs_and_ranks_held_out_offers(db):
    rng = np.random.default_rng(7)
    periods = [dt.date(2026, 1, 5), dt.date(2026, 1, 19), dt.date(2026, 2, 2)]
    labels = _synthetic(rng, members=400, periods=periods)
    fit = offer_model_fit(today=dt.date(2026, 3, 1))
    model = fit.model
    assert model is not None, fit.note
    assert model == OfferModel.objects.order_by("-fitted_at", "-id").first()
    assert (model.training_rows, model.redeemed_rows) == (labels.size, int(labels.sum()))
    c = model.coefficients
    assert set(c) == set(FEATURES)
    assert c["bought_target"] > 1.0
    assert c["discovery"] < 0
    assert c["depth"] > 0 and c["past_rate"] > 0 and c["buy_probability"] > 0
    assert abs(c["usage_tier"]) < 0.3
    assert model.held_out_auc > 0.6
    # Held out: the newest period, 2 campaigns × 400 members; deciles add up to it.
    assert model.periods == [p.isoformat() for p in periods]
    assert [row["decile"] for row in model.calibration] == list(range(1, 11))
    assert sum(row["n"] for row in model.calibration) == 800
    predicted = [row["predicted"] for row in model.calibration]
    assert predicted == sorted(predicted)


def test_one_period_is_measured_on_a_stratified_quarter(db):
    rng = np.random.default_rng(11)
    labels = _synthetic(rng, members=300, periods=[dt.date(2026, 1, 5)])
    model = offer_model_fit(today=dt.date(2026, 3, 1)).model
    assert model is not None and model.periods == ["2026-01-05"]
    held = sum(row["n"] for row in model.calibration)
    assert held == int(np.ceil(0.25 * labels.size))  # sklearn rounds the test size up
    assert model.held_out_auc > 0.6


def test_too_few_offers_keep_the_prior(allocated):
    offer_outcomes_refresh(today=dt.date(2026, 4, 1))
    fit = offer_model_fit(today=dt.date(2026, 4, 1))
    assert fit.model is None and OfferModel.objects.count() == 0
    assert (fit.rows, fit.positives) == (4, 1)
    assert "Kept the prior" in fit.note and f"{MIN_ROWS:,}" in fit.note


def test_command_says_when_it_keeps_the_prior(allocated, capsys):
    call_command("fit_offer_model", "--today", "2026-04-01")
    out = capsys.readouterr().out
    assert "Labelled 4 offers" in out and "Kept the prior" in out


def _figure(response, element_id: str) -> dict:
    html = response.content.decode()
    start = html.index(f'<script id="{element_id}" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_dashboard_shows_calibration_and_predicted_vs_actual(client, marketing_user, allocated):
    offer_outcomes_refresh(today=dt.date(2026, 3, 29))  # Mar 16's period still running
    client.force_login(marketing_user)
    response = client.get(
        reverse("reports:redemption"), {"month_from": "2026-03", "month_to": "2026-03"}
    )
    assert response.status_code == 200
    # Labelled: A 0.40 redeemed, B 0.30 and C 0.10 not: three deciles of one offer each.
    figure = _figure(response, "fig-calibration")
    diagonal, points = figure["data"]
    assert diagonal["x"] == diagonal["y"]
    assert points["x"] == pytest.approx([10.0, 30.0, 40.0])
    assert points["y"] == pytest.approx([0.0, 0.0, 100.0])
    assert "Predicted redemption rate" in json.dumps(figure["layout"]["xaxis"])
    (row,) = response.context["offers_table"].data.data
    # Given: A, B, C on Mar 2 and A on Mar 16; held out D, E; the ended period's three
    # offers predicted 0.4 + 0.3 + 0.1 = 0.8 redemptions, one redeemed (A).
    assert (row.given, row.holdout, row.labelled, row.redeemed) == (4, 2, 3, 1)
    assert row.predicted == pytest.approx(0.8)
    html = response.content.decode()
    assert "Predicted vs actual redemptions" in html and "documented prior" in html
    csv_text = client.get(
        reverse("reports:redemption"),
        {"month_from": "2026-03", "month_to": "2026-03", "_export": "csv", "_table": "offers"},
    ).content.decode()
    assert "Switch to our ketchup" in csv_text and "0.800" in csv_text


def test_a_newest_period_of_a_few_offers_is_not_held_out_alone(db):
    rng = np.random.default_rng(5)
    _synthetic(rng, members=300, periods=[dt.date(2026, 1, 5)])
    _synthetic(rng, members=10, periods=[dt.date(2026, 1, 19)], campaigns=1)
    model = offer_model_fit(today=dt.date(2026, 3, 1)).model
    # 600 + 10 offers: a quarter of all (153), not the newest period's 10.
    assert sum(row["n"] for row in model.calibration) == 153
