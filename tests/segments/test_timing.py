"""Purchase timing: features on a hand-worked history, the prior, idempotence, and a fit.

TIME_ZONE is America/Chicago (UTC−6 in winter): days are local days, so a purchase at 23:30
on the eve of the period is history and one at 00:30 on its first day is in the period.
Expected features are worked out here by hand (statistics, math), not by the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from apps.baskets.models import Basket, BasketLine
from apps.jobs.models import JobStatus
from apps.jobs.services import job_create
from apps.segments.models import BuyProbability, PurchaseTimingFit
from apps.segments.timing import PRIOR, PRIOR_INTERCEPT, buy_probabilities_ensure
from apps.segments.timing.features import FEATURES, FEATURES_CTE, features_params
from apps.segments.timing.fit import TimingFitRefused, purchase_timing_fit
from apps.segments.timing.jobs import purchase_timing_fit_job
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
D = dt.date(2026, 3, 2)
ALL = {"lo": 0, "hi": 2**62}


def buy(member, product, day, *, hour=10, minute=0, amount="2.99"):
    """A one-line basket on a local (Chicago) day and time."""
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHICAGO)
    basket = BasketFactory(member=member, purchased_at=moment)
    BasketLineFactory(basket=basket, product=product, amount=Decimal(amount))


@pytest.fixture
def history():
    """Three members in one category, as described beside each purchase."""
    category = CategoryFactory(name="Coffee")
    product = ProductFactory(category=category)
    a, b, c = (MemberFactory(card_number=card) for card in ("A", "B", "C"))
    # A: purchase days D-60, D-45, D-20 and D-1 (at 23:30, still the eve of the period);
    # a return-only day (D-30), one older than 52 weeks (D-400), one in the period (D 00:30).
    for days_before in (60, 45, 20):
        buy(a, product, D - dt.timedelta(days=days_before))
    buy(a, product, D - dt.timedelta(days=1), hour=23, minute=30)
    buy(a, product, D - dt.timedelta(days=30), amount="-2.99")
    buy(a, product, D - dt.timedelta(days=400))
    buy(a, product, D, hour=0, minute=30)
    # B: one purchase day, 100 days ago; two lines that day count once.
    buy(b, product, D - dt.timedelta(days=100))
    buy(b, product, D - dt.timedelta(days=100), hour=18)
    # C: two purchase days ten days apart, the last 80 days ago: long past due.
    buy(c, product, D - dt.timedelta(days=90))
    buy(c, product, D - dt.timedelta(days=80))
    return {"category": category, "members": {"A": a, "B": b, "C": c}}


def expected_features() -> dict[str, dict[str, float]]:
    """Worked by hand from the history above."""
    gaps_a = [15, 25, 19]  # D-60 → D-45 → D-20 → D-1
    cycle_a = 59 / 3
    return {
        "A": {
            "log_days": math.log(5),
            "due_ratio": 1 / cycle_a,
            "overdue": 0.0,
            "irregularity": statistics.stdev(gaps_a) / statistics.mean(gaps_a),
            "rule_due": False,  # next purchase D-1 + 19.7 days = D+18.7: after the period
        },
        "B": {
            "log_days": math.log(2),
            "due_ratio": 100 / 364,  # a single purchase day: a cycle of the whole year
            "overdue": 0.0,
            "irregularity": 1.0,
            "rule_due": False,  # no interval, no rule
        },
        "C": {
            "log_days": math.log(3),
            "due_ratio": 1.0,
            "overdue": 3.0,  # 80 / 10 − 1 = 7, capped at 3
            "irregularity": 1.0,
            "rule_due": False,  # its next purchase (D-70) fell before the period
        },
    }


def read_features(day: dt.date) -> dict[str, dict]:
    names = ", ".join(f"f.{name}" for name in FEATURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {FEATURES_CTE} SELECT m.card_number, {names}, f.rule_due "
            "FROM features f JOIN members_member m ON m.id = f.member_id",
            features_params(days=[day], **ALL),
        )
        return {
            row[0]: dict(zip([*FEATURES, "rule_due"], row[1:], strict=True))
            for row in cursor.fetchall()
        }


def test_features_on_a_hand_worked_history(history):
    got = read_features(D)
    assert set(got) == {"A", "B", "C"}
    for card, features in expected_features().items():
        for name, value in features.items():
            assert got[card][name] == pytest.approx(value, abs=1e-9), (card, name)


def test_the_rule_calls_due_a_member_whose_next_purchase_falls_in_the_period(history):
    # On D-75, A's history is nothing yet; C (D-90, D-80, cycle 10) is next due on D-70,
    # inside [D-75, D-61).
    got = read_features(D - dt.timedelta(days=75))
    assert got["C"]["rule_due"] is True
    assert "A" not in got or got["A"]["rule_due"] is False


def logistic(intercept: float, coefficients: dict, features: dict) -> float:
    z = intercept + sum(coefficients[name] * features[name] for name in coefficients)
    return 1 / (1 + math.exp(-z))


def test_the_prior_is_used_without_a_fit(history):
    assert not PurchaseTimingFit.objects.exists()
    assert buy_probabilities_ensure(period_start=D, **ALL) == 3
    rows = {
        row.member.card_number: row
        for row in BuyProbability.objects.filter(period_start=D).select_related("member")
    }
    for card, features in expected_features().items():
        assert rows[card].category_id == history["category"].pk
        assert rows[card].probability == pytest.approx(
            logistic(PRIOR_INTERCEPT, PRIOR, features), rel=1e-9
        )
    # Frequent and recent beats once a year and long lapsed.
    assert rows["A"].probability > rows["B"].probability > rows["C"].probability


def test_the_latest_fit_is_used_when_there_is_one(history):
    coefficients = {"log_days": 0.5, "due_ratio": -1.0, "overdue": 0.25, "irregularity": 2.0}
    PurchaseTimingFit.objects.create(
        as_of=D, intercept=-0.7, coefficients=coefficients, train_rows=1
    )
    buy_probabilities_ensure(period_start=D, **ALL)
    got = dict(BuyProbability.objects.values_list("member__card_number", "probability"))
    for card, features in expected_features().items():
        assert got[card] == pytest.approx(logistic(-0.7, coefficients, features), rel=1e-9)


def test_ensure_is_idempotent_and_keeps_to_its_members(history):
    b = history["members"]["B"]
    assert buy_probabilities_ensure(period_start=D, lo=b.pk, hi=b.pk + 1) == 1
    assert list(BuyProbability.objects.values_list("member_id", flat=True)) == [b.pk]
    assert buy_probabilities_ensure(period_start=D, **ALL) == 2
    before = sorted(BuyProbability.objects.values_list("member_id", "category_id", "probability"))
    # A fit made since does not rewrite the period's probabilities: lists were printed from them.
    PurchaseTimingFit.objects.create(as_of=D, intercept=5.0, coefficients={}, train_rows=1)
    assert buy_probabilities_ensure(period_start=D, **ALL) == 0
    after = sorted(BuyProbability.objects.values_list("member_id", "category_id", "probability"))
    assert after == before
    assert buy_probabilities_ensure(period_start=D, lo=10, hi=10) == 0


# --- the fit on a synthetic history --------------------------------------------------------

AS_OF = dt.date(2026, 6, 1)


def synthetic_history(seed: int = 5) -> None:
    """Members who buy one category like clockwork (cycles of 1 to 8 weeks, a day of jitter)
    and members who stop: the regular ones due in a period buy in it, the lapsed never do."""
    rng = random.Random(seed)
    product = ProductFactory(category=CategoryFactory(name="Milk"))
    store = StoreFactory()
    members = MemberFactory.create_batch(240)
    start = AS_OF - dt.timedelta(days=520)
    baskets, lines = [], []
    for number, member in enumerate(members):
        cycle = rng.choice([7, 14, 21, 28, 35, 42, 56])
        stop = AS_OF if number % 4 else AS_OF - dt.timedelta(days=rng.randint(60, 300))
        day = start + dt.timedelta(days=rng.randrange(cycle))
        while day < stop:
            moment = dt.datetime.combine(day, dt.time(11), tzinfo=CHICAGO)
            baskets.append(
                Basket(
                    basket_id=f"T{len(baskets):07d}",
                    member=member,
                    store=store,
                    purchased_at=moment,
                    source="import",
                )
            )
            lines.append((member, moment))
            day += dt.timedelta(days=cycle + rng.choice([-1, 0, 0, 1]))
    Basket.objects.bulk_create(baskets, batch_size=2000)
    BasketLine.objects.bulk_create(
        [
            BasketLine(
                basket=basket,
                product=product,
                member=member,
                purchased_at=moment,
                quantity=Decimal("1"),
                amount=Decimal("1.50"),
            )
            for basket, (member, moment) in zip(baskets, lines, strict=True)
        ],
        batch_size=2000,
    )


def test_a_fit_learns_that_due_regular_buyers_buy():
    synthetic_history()
    fit = purchase_timing_fit(as_of=AS_OF)
    assert fit.train_rows > 800 and fit.test_rows > 150
    assert fit.test_day == AS_OF - dt.timedelta(days=14)
    assert fit.auc > 0.8
    assert fit.auc > fit.auc_rule
    assert fit.coefficients["log_days"] > 0  # frequent buyers buy more often in a fortnight
    assert fit.coefficients["due_ratio"] > 0  # coming due
    assert fit.coefficients["overdue"] < 0  # lapsed
    assert sum(row["n"] for row in fit.calibration) == fit.test_rows
    # Calibration: the top decile is bought far more often than the bottom one.
    assert fit.calibration[-1]["actual"] > fit.calibration[0]["actual"] + 0.5
    # The fill now applies the fit.
    assert buy_probabilities_ensure(period_start=AS_OF, **ALL) > 0


def test_a_fit_is_refused_past_the_data_and_before_it():
    synthetic_history()
    with pytest.raises(TimingFitRefused, match="after the last basket day"):
        purchase_timing_fit(as_of=AS_OF + dt.timedelta(days=30))
    with pytest.raises(TimingFitRefused, match="no history"):
        purchase_timing_fit(as_of=AS_OF - dt.timedelta(days=500))
    assert not PurchaseTimingFit.objects.exists()


def test_the_command_fits_and_prints_the_aucs(capsys):
    synthetic_history()
    call_command("fit_purchase_timing")
    out = capsys.readouterr().out
    assert "held-out AUC: model" in out and "due rule" in out and "decile 10" in out
    assert PurchaseTimingFit.objects.get().as_of <= AS_OF


def test_a_fit_job_records_its_fit_once():
    synthetic_history()
    job = job_create(kind="purchase_timing", params={"as_of": AS_OF.isoformat()}, total=1)
    fit = purchase_timing_fit_job(job_id=job.pk, as_of=AS_OF)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["fit"] == fit.pk
    assert purchase_timing_fit_job(job_id=job.pk, as_of=AS_OF) == fit  # a redelivery
    assert PurchaseTimingFit.objects.count() == 1
