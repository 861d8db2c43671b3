"""Guard rails on the dashboard: noise is said to be noise, and a missing figure is not 0.

The chain of tests/reports/conftest.py: one campaign with treated A, B, C, F and holdout D,
E; its sales lift is +$0.37 with a 95 % interval of −$4.68 to +$5.42 (Welch, ν = 3.88,
t = 2.810330, SE = 1.796995), p = 0.85; its ROI interval −3,218 % to +3,515 %.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from apps.campaigns.models import Campaign
from apps.reports import selectors, wording
from apps.reports.selectors import (
    CampaignResult,
    LiftInterval,
    NextSnapshot,
    RedemptionFigures,
    SalesLift,
    ShareLift,
    Verdict,
)
from apps.reports.services import reports_refresh
from apps.reports.tables import LiftTable

FILTERS = {"month_from": "2025-04", "month_to": "2026-03"}
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def marketing(client, marketing_user, world):
    reports_refresh()
    client.force_login(marketing_user)
    return client


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_a_lift_whose_interval_spans_zero_is_not_yet_significant(marketing):
    response = marketing.get(reverse("reports:redemption"), FILTERS)
    (row,) = response.context["campaigns"]
    sales, conversion, roi = row.sales.lift.verdict, row.conversion.lift.verdict, row.roi.verdict
    assert sales.significant is False
    assert conversion.significant is False  # 50 % − 50 %, ± 84.9 points
    assert roi.significant is False
    # 4 treated and 2 held out: too few to trust any interval (30 a group for sales; 5
    # with and 5 without for conversion), whatever it says.
    assert sales.too_few and conversion.too_few and roi.too_few
    # What a clear sales answer needs, split as now (r = 2/4): n₁ = 7.848880 ·
    # (10.666758 + 1.125 / 0.5) / 0.3725² = 730.65 treated, 1095.97 in all → 1,096,
    # of whom the campaign has 6: 1,090 more. No conversion difference: nothing to size.
    assert (sales.members_needed, sales.more_members_needed) == (1096, 1090)
    assert (conversion.members_needed, conversion.more_members_needed) == (None, None)

    html = response.content.decode()
    # The interval leads, the point estimate follows, and the verdict is in words.
    assert "between −$4.68 and +$5.42 (best estimate +$0.37)" in html
    assert "between −3,218% and +3,515% (best estimate +148%)" in html
    assert "between −84.9 and +84.9 points (best estimate +0.0)" in html
    assert html.count(">not yet significant</span>") == 3
    assert "p = 0.85" in html
    assert "about 1,100 members in all (1,100 more than now)" in html
    assert html.count("too few members to trust the interval") >= 3
    assert (
        "not yet significant for Switch to our ketchup (too few members to trust the interval)"
        in html
    )
    assert "+148%</td>" not in html  # the ROI is never shown alone

    rows = _csv(marketing.get(reverse("reports:redemption"),
                              {**FILTERS, "_export": "csv", "_table": "lift"}))  # fmt: skip
    (line,) = rows
    too_few = "not yet significant: too few members to trust the interval"
    assert line["Sales lift verdict"] == line["Conversion lift verdict"] == too_few
    assert line["ROI verdict"] == too_few
    assert line["Members needed for sales lift"] == "1096"
    assert line["More members needed for sales lift"] == "1090"
    assert line["Members needed for conversion"] == ""
    # The numbers stay numbers: estimate, bounds and p in their own columns.
    assert (line["Sales lift"], line["Sales lift 95% CI from"], line["Sales lift 95% CI to"]) == (
        "0.37", "-4.68", "5.42",
    )  # fmt: skip
    assert line["p"] == "0.846203"


def test_the_lift_chart_marks_noise_hollow_and_says_so(marketing):
    html = marketing.get(reverse("reports:redemption"), FILTERS).content.decode()
    start = html.index('<script id="fig-lift-spend" type="application/json">')
    start = html.index(">", start) + 1
    figure = json.loads(html[start : html.index("</script>", start)])
    (trace,) = figure["data"]
    assert trace["marker"]["symbol"] == ["diamond-open"]
    assert trace["customdata"] == [
        "between −$4.68 and +$5.42 (best estimate +$0.37): not yet significant: "
        "too few members to trust the interval"
    ]
    assert "hollow: not yet significant" in figure["layout"]["title"]["text"]


def test_a_significant_lift_says_so_and_needs_nothing_more():
    clear = Verdict(significant=True, too_few=False, members_needed=None, more_members_needed=None)
    not_yet = Verdict(
        significant=False, too_few=False, members_needed=16000, more_members_needed=15000
    )
    no_lift = ShareLift(share_treated=None, share_holdout=None, lift=LiftInterval(
        estimate=None, low=None, high=None,
        verdict=Verdict(significant=None, too_few=False, members_needed=None,
                        more_members_needed=None),
    ))  # fmt: skip
    row = CampaignResult(
        campaign=Campaign(name="Clear"), name="Clear", category="Ketchup", goal="Retain",
        status="Active", valid_from=dt.date(2026, 3, 2), valid_until=dt.date(2026, 3, 15),
        redemption=RedemptionFigures.nothing(),
        lift_treated_members=500, lift_holdout_members=500,
        sales=SalesLift(mean_treated=12.0, mean_holdout=10.0, degrees_of_freedom=998.0,
                        p_value=0.00001, lift=LiftInterval(2.0, 1.2, 2.8, clear)),
        conversion=ShareLift(share_treated=0.3, share_holdout=0.28,
                             lift=LiftInterval(0.02, -0.03, 0.07, not_yet)),
        came_back=no_lift, incremental_sales=1000.0,
        roi=LiftInterval(9.0, 5.0, 13.0, clear), is_win_back=False,
    )  # fmt: skip
    html = LiftTable([row]).as_html(RequestFactory().get("/reports/redemption/"))
    assert "between +$1.20 and +$2.80 (best estimate +$2.00)" in html
    assert ">significant</span>" in html and "p &lt; 0.001" in html
    assert "already clear" in html
    assert "between −3.0 and +7.0 points (best estimate +2.0)" in html
    assert html.count(">not yet significant</span>") == 1  # the conversion lift only
    assert "between +500% and +1,300% (best estimate +900%)" in html


def test_the_next_month_comes_with_the_nightly_run_after_the_month_ends(db):
    january = dt.date(2026, 1, 1)
    mid_january = dt.datetime(2026, 1, 20, 10, 0, tzinfo=CHICAGO)
    assert selectors.next_snapshot(january, now=mid_january) == NextSnapshot(
        day=dt.date(2026, 2, 2), segments_at="02:30", reports_at="04:00"
    )
    # On Feb 2 before the 02:30 run it is that night's; after it (and still no February
    # snapshot) the next night's.
    early = dt.datetime(2026, 2, 2, 1, 0, tzinfo=CHICAGO)
    late = dt.datetime(2026, 2, 2, 3, 0, tzinfo=CHICAGO)
    assert selectors.next_snapshot(january, now=early).day == dt.date(2026, 2, 2)
    assert selectors.next_snapshot(january, now=late).day == dt.date(2026, 2, 3)
    # No snapshot at all: the next run makes the first.
    assert selectors.next_snapshot(None, now=mid_january).day == dt.date(2026, 1, 21)
    PeriodicTask.objects.filter(name="Nightly segment refresh").update(enabled=False)
    assert selectors.next_snapshot(january, now=mid_january).day is None


def test_the_missing_moves_are_explained_in_words():
    upcoming = NextSnapshot(day=dt.date(2026, 2, 2), segments_at="02:30", reports_at="04:00")
    assert wording.next_snapshot(dt.date(2026, 1, 1), upcoming) == (
        "Appears once segments have been computed for two months; there is Jan 2026 only. "
        "The next month's comes with the nightly run on Mon Feb 2 "
        "(segments at 02:30, this page at 04:00)."
    )
    off = NextSnapshot(day=None, segments_at=None, reports_at="04:00")
    assert wording.next_snapshot(dt.date(2026, 1, 1), off).endswith(
        "The nightly segment refresh is switched off (Admin → Periodic tasks): compute "
        "segments for another month under Segments, then refresh this page."
    )


def test_won_to_the_store_brand_is_not_a_zero_without_an_earlier_month(marketing, world):
    # With February, the count is a measurement: 1 buyer, in the store brand's green.
    february = marketing.get(reverse("reports:loyalty"), FILTERS).content.decode()
    card = february[february.index("Won to the store brand") :][:400]
    assert '<div class="value" style="color: #2f9e44">1</div>' in card
    # January is the earliest month: nothing to compare it with, and the page says where
    # the moves are rather than showing 0.
    response = marketing.get(reverse("reports:loyalty"), {"month_from": "2025-02",
                                                          "month_to": "2026-01"})  # fmt: skip
    assert response.context["won_to_store"] is None
    html = response.content.decode()
    card = html[html.index("Won to the store brand") :][:600]
    assert '<div class="value text-muted">—</div>' in card
    assert (
        "No snapshot of a month before Jan 2026: the first ones are of Jan 2026. Choose a "
        "later month to see moves (the latest is Feb 2026)."
    ) in card
    assert "went the other way" not in card
    # Without February, January is all there is: the next month comes with a nightly run.
    world.february.delete()
    reports_refresh()
    html = marketing.get(reverse("reports:loyalty")).content.decode()
    card = html[html.index("Won to the store brand") :][:700]
    assert '<div class="value text-muted">—</div>' in card
    assert (
        "Appears once segments have been computed for two months; there is Jan 2026 only. "
        "The next month&#x27;s comes with the nightly run on "
    ) in card
    # The moves chart says the same instead of drawing an empty card.
    assert html.count("Appears once segments have been computed for two months") == 2


def test_an_empty_dashboard_shows_no_zero_as_a_figure(client, marketing_user, db):
    client.force_login(marketing_user)
    html = client.get(reverse("reports:loyalty")).content.decode()
    figures = html[html.index('class="row g-3 mb-3 key-figures"') :].split("<h2")[0]
    values = [v.split("</div>")[0] for v in figures.split('class="value')[1:]]
    # Six key figures, none of them a number: nothing has been measured yet.
    assert len(values) == 6
    assert all(v.endswith("—") for v in values), values
    assert "No segment snapshot yet" in html and "No member-value fit yet" in html
    redemption = client.get(reverse("reports:redemption")).content.decode()
    figures = redemption[redemption.index("key-figures") :].split("<h2")[0]
    assert "$0.00" not in figures and figures.count("No campaign in the period") == 3


def test_an_interval_from_too_few_members_is_not_called_significant():
    # The interval excludes zero, but a group is under the size that interval needs.
    small = selectors.lift_verdict(0.5, 2.0, 80.0, 40, False)
    assert small == Verdict(
        significant=False, too_few=True, members_needed=80, more_members_needed=40
    )
    large = selectors.lift_verdict(0.5, 2.0, 80.0, 400, True)
    assert large.significant is True and large.members_needed is None
    spans = selectors.lift_verdict(-0.5, 2.0, 900.0, 400, True)
    assert spans == Verdict(
        significant=False, too_few=False, members_needed=900, more_members_needed=500
    )
    assert wording.verdict(False, True) == (
        "not yet significant: too few members to trust the interval"
    )
