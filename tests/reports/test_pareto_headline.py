"""One figure, one value: the dashboard and the member-value page read the same Pareto curve.

Six members spend $40, $20, $15, $10, $10 and $5 ($100 in all). The top 20 % of six members
is at most 1.2 members, so one member: $40 of $100, 40 %. (The member-value page used to read
the curve in ntile buckets and take the first at or past 20 %: two members, 60 %, while the
dashboard said 40 %.)
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.reports.services import reports_refresh
from apps.segments.models import MemberScore, RepeatModelFit
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

SPEND = ["40", "20", "15", "10", "10", "5"]
# Point ceil(100·k/6) for the top k members, their share of members and of sales, by hand.
CURVE = [
    (17, 1, 1 / 6, 0.40),
    (34, 2, 2 / 6, 0.60),
    (50, 3, 3 / 6, 0.75),
    (67, 4, 4 / 6, 0.85),
    (84, 5, 5 / 6, 0.95),
    (100, 6, 6 / 6, 1.00),
]


@pytest.fixture
def six_members():
    fit = RepeatModelFit.objects.create(
        calibration_end=dt.date(2026, 3, 1), r=1, alpha=1, a=1, b=1,
        bgnbd_log_likelihood=-10, p=2, q=3, gamma=4, members=6, repeat_buyers=6,
    )  # fmt: skip
    running = Decimal(0)
    for number, spend in enumerate(SPEND):
        running += Decimal(spend)
        MemberScore.objects.create(
            fit=fit, member=MemberFactory(card_number=f"P{number}"), frequency=2,
            recency_weeks=4, age_weeks=8, days_since_last=3, total_spend=Decimal(spend),
            average_repeat_spend=1, recency_score=1, frequency_score=1, monetary_score=1,
            p_alive=0.9, expected_purchases_2w=0, expected_purchases_4w=0,
            expected_purchases_13w=0, expected_spend=0, clv=0,
            sales_share=float(spend) / 100, cumulative_share=float(running) / 100,
            churn_risk=False,
        )  # fmt: skip
    reports_refresh()
    return fit


def _curve(figure: dict) -> list[tuple[float, float]]:
    trace = figure["data"][0]
    return [(round(x, 6), round(y, 6)) for x, y in zip(trace["x"], trace["y"], strict=True)]


def test_both_pages_show_the_same_top_share_with_the_same_label(
    client, marketing_user, six_members
):
    client.force_login(marketing_user)
    member_value = client.get(reverse("segments:member_value"))
    dashboard = client.get(reverse("reports:loyalty"))

    assert member_value.context["top_share"] == pytest.approx(0.40)
    assert dashboard.context["top_share"] == pytest.approx(0.40)
    for response in (member_value, dashboard):
        html = response.content.decode()
        assert "Top 20% of members bring" in html
        assert response.context["top_share_text"] == "40%"
    assert "<strong>Top 20% of members bring 40%</strong> of sales" in (
        member_value.content.decode()
    )
    assert '<div class="value top-share">40%</div>' in dashboard.content.decode()

    # The charts: the same arrow text and the same curve, point for point.
    figure_mv = member_value.context["pareto_figure"]
    figure_db = dashboard.context["figures"]["pareto"]
    for figure in (figure_mv, figure_db):
        assert [a["text"] for a in figure["layout"]["annotations"]] == [
            "Top 20% of members bring 40% of sales"
        ]
    expected = [(0.0, 0.0)] + [(round(100 * m, 6), round(100 * s, 6)) for _, _, m, s in CURVE]
    assert _curve(figure_mv) == expected
    assert _curve(figure_db) == expected


def test_one_selector_gives_the_points_both_pages_draw(six_members):
    from apps.reports.models import ParetoPoint
    from apps.segments.selectors import pareto_points, pareto_top_share

    points = pareto_points(fit=six_members)
    rounded = [
        (p["point"], p["members"], round(p["member_share"], 9), round(p["sales_share"], 9))
        for p in points
    ]
    assert rounded == [(k, n, round(m, 9), round(s, 9)) for k, n, m, s in CURVE]
    stored = list(
        ParetoPoint.objects.filter(all_stores=True)
        .order_by("point")
        .values("point", "members", "member_share", "sales_share")
    )
    assert stored == points
    assert pareto_top_share(points) == pytest.approx(0.40)


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (4, None),  # no member is within the top 20 %
        (5, 0.5),  # point 20: member 1 of 5 ($50 of $100)
        (9, 0.5),  # floor(1.8) = 1 member: point 12 is the last at or under 20
        (10, 0.75),  # point 20: members 1 and 2 ($75 of $100)
    ],
)
def test_top_share_reads_the_last_point_at_or_under_20(members, expected):
    from apps.segments.selectors import pareto_top_share

    # Hand-built curves: member 1 brings 50 %, member 2 brings 25 %, the rest share the rest;
    # member k of n falls on point ceil(100·k/n).
    shares = [0.5, 0.75, *[0.9] * (members - 3), 1.0]
    points = [
        {"point": math.ceil(100 * k / members), "sales_share": share}
        for k, share in enumerate(shares, start=1)
    ]
    assert pareto_top_share(points) == (None if expected is None else pytest.approx(expected))
