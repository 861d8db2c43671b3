"""Member models in the database: the SQL repeat summary and stored scores."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.management import call_command

from apps.segments.fits import member_history
from tests.factories import BasketFactory, MemberFactory

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def visit(member, when: dt.datetime, total: str):
    BasketFactory(member=member, purchased_at=when.replace(tzinfo=CHICAGO), total_amount=total)


def test_member_history_merges_days_and_respects_calibration_end():
    regular = MemberFactory(card_number="R1")
    visit(regular, dt.datetime(2026, 1, 1, 9), "10.00")
    visit(regular, dt.datetime(2026, 1, 1, 18), "5.00")  # same day: one occasion of $15
    visit(regular, dt.datetime(2026, 1, 15, 9), "20.00")
    visit(regular, dt.datetime(2026, 1, 29, 9), "30.00")
    visit(regular, dt.datetime(2026, 2, 4, 23, 30), "1.00")  # on the end date: inside
    visit(regular, dt.datetime(2026, 2, 5, 0, 30), "100.00")  # after it: outside
    once = MemberFactory(card_number="O1")
    visit(once, dt.datetime(2026, 1, 10, 12), "7.00")
    BasketFactory(member=None, purchased_at=dt.datetime(2026, 1, 2, tzinfo=CHICAGO))

    history = member_history(calibration_end=dt.date(2026, 2, 4))
    s = history.summary
    order = [regular.pk, once.pk]
    assert s.member.tolist() == order
    assert s.x.tolist() == [3, 0]
    np.testing.assert_allclose(s.t_x, [34 / 7, 0])
    np.testing.assert_allclose(s.T, [34 / 7, 25 / 7])
    np.testing.assert_allclose(s.monetary, [(20 + 30 + 1) / 3, 0])
    np.testing.assert_allclose(s.first_spend, [15, 7])
    assert history.total_spend_exact == [Decimal("66.00"), Decimal("7.00")]
    assert history.since_last_days.tolist() == [0, 25]


def test_fit_repeat_model_without_baskets_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There are no baskets yet: there is no history"):
        call_command("fit_repeat_model", "--calibration-end", "2026-01-01", "--json")


def test_fit_repeat_model_without_member_purchases_is_a_clear_error():
    from django.core.management.base import CommandError

    BasketFactory(member=None, purchased_at=dt.datetime(2026, 1, 2, 9, tzinfo=CHICAGO))
    with pytest.raises(CommandError, match="no member purchases on or before 2026-01-02"):
        call_command("fit_repeat_model", "--calibration-end", "2026-01-02", "--json")


def test_fit_repeat_model_stores_scores_for_every_member():
    rng = np.random.default_rng(7)
    start = dt.datetime(2025, 6, 1, 10)
    for _ in range(60):
        member = MemberFactory()
        # Members shop every 3-20 days; some stop early (so P(alive) varies).
        gap = int(rng.integers(3, 21))
        stop = int(rng.integers(20, 200))
        for day in range(int(rng.integers(0, 30)), stop, gap):
            visit(member, start + dt.timedelta(days=day), f"{rng.uniform(5, 80):.2f}")
    # The chain's tills ran to the end of the year (an anonymous basket on Dec 31).
    BasketFactory(member=None, purchased_at=dt.datetime(2025, 12, 31, 20, tzinfo=CHICAGO))
    out = io.StringIO()
    call_command(
        "fit_repeat_model", "--calibration-end", "2025-12-31", "--json", stdout=out,
        stderr=io.StringIO(),
    )  # fmt: skip
    figures = json.loads(out.getvalue())
    assert figures["members"] == 60
    assert set(figures) == {
        "r", "alpha", "a", "b", "log_likelihood", "p", "q", "gamma", "members", "fit", "live",
        "held_back",
    }  # fmt: skip
    from apps.segments.models import MemberScore, RepeatModelFit

    fit = RepeatModelFit.objects.get()
    # 60 members are too few to trust: the fit is stored with its scores, but not live.
    assert (figures["fit"], figures["live"]) == (fit.pk, False)
    assert figures["held_back"][0] == "only 60 members bought (at least 100 are needed)"
    assert fit.live_since is None
    scores = MemberScore.objects.filter(fit=fit)
    assert scores.count() == 60
    shares = sorted(scores.values_list("sales_share", flat=True), reverse=True)
    assert sum(shares) == pytest.approx(1.0)
    top = scores.order_by("-total_spend").first()
    assert top.cumulative_share == pytest.approx(shares[0])
    assert all(0 <= p <= 1 for p in scores.values_list("p_alive", flat=True))
    assert {s for s in scores.values_list("recency_score", flat=True)} <= {1, 2, 3, 4, 5}
