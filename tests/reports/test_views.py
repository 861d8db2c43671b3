"""The dashboard pages: figures on the page, filters, CSV exports, lift, ROI, refresh."""

from __future__ import annotations

import csv
import io
import json
import statistics

import pytest
from django.urls import reverse
from scipy import stats as scipy_stats

from apps.jobs.models import Job, JobStatus
from apps.reports.services import JOB_KIND, reports_refresh
from apps.reports.tasks import reports_refresh_task

FILTERS = {"month_from": "2025-04", "month_to": "2026-03"}


@pytest.fixture
def refreshed(world):
    reports_refresh()
    return world


@pytest.fixture
def marketing(client, marketing_user):
    client.force_login(marketing_user)
    return client


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _figure(response, element_id: str) -> dict:
    html = response.content.decode()
    start = html.index(f'<script id="{element_id}" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_loyalty_page_shows_the_february_cells_and_the_buyer_won(marketing, refreshed):
    response = marketing.get(reverse("reports:loyalty"), FILTERS)
    assert response.status_code == 200
    context = response.context
    assert context["month"].isoformat() == "2026-02-01"
    assert context["buyers"] == 4 and context["won_to_store"] == 1
    assert context["lost_to_national"] == 0
    assert context["top_share"] == pytest.approx(0.6)  # B's 300 of 500
    members = _figure(response, "fig-cells-members")
    by_trace = {trace["name"]: trace["y"] for trace in members["data"]}
    # x is Low, Medium, High usage
    assert by_trace == {
        "National-brand loyal": [1, 1, 0],
        "Swinger": [1, 0, 0],
        "Store-brand loyal": [0, 0, 1],
    }
    sankey = _figure(response, "fig-moves")["data"][0]
    labels = sankey["node"]["label"]
    flows = {
        (labels[s], labels[t]): v
        for s, t, v in zip(
            sankey["link"]["source"], sankey["link"]["target"], sankey["link"]["value"],
            strict=True,
        )
    }  # fmt: skip
    assert flows == {
        ("National-brand loyal (Jan 2026)", "Store-brand loyal (now)"): 1,
        ("National-brand loyal (Jan 2026)", "National-brand loyal (now)"): 1,
        ("Swinger (Jan 2026)", "Swinger (now)"): 1,
        ("Store-brand loyal (Jan 2026)", "Stopped buying (now)"): 1,
        ("New buyers (Jan 2026)", "National-brand loyal (now)"): 1,
    }


def test_store_filter_keeps_that_home_stores_members(marketing, refreshed):
    w = refreshed
    response = marketing.get(reverse("reports:loyalty"), {**FILTERS, "store": w.s2.pk})
    assert response.context["buyers"] == 2  # B and E
    assert response.context["summary"].members == 2
    assert response.context["summary"].at_risk == 1
    rows = _csv(
        marketing.get(
            reverse("reports:loyalty"),
            {**FILTERS, "store": w.s2.pk, "_export": "csv", "_table": "cells"},
        )
    )
    assert [(r["Loyalty"], r["Usage"], r["Buyers"], r["Sales"]) for r in rows] == [
        ("National-brand loyal", "Medium", "1", "6.00"),
        ("National-brand loyal", "Low", "1", "3.00"),
    ]


def test_tables_load_as_fragments_with_their_own_sorting(marketing, refreshed):
    page = marketing.get(reverse("reports:loyalty"), FILTERS).content.decode()
    assert 'data-table-url="?month_from=2025-04&amp;month_to=2026-03&amp;_fragment=moves"' in page
    fragment = marketing.get(
        reverse("reports:loyalty"), {**FILTERS, "_fragment": "cells", "cells-sort": "-total_sales"}
    )
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    # Sorted by sales, largest first: A's 12.00 (store-brand loyal, high) heads the table.
    rows = html.split("<tbody")[1].split("</tr>")
    assert "$12.00" in rows[0] and "Store-brand loyal" in rows[0]
    assert "cells-sort=total_sales" in html  # the header link sorts the other way next
    missing = marketing.get(reverse("reports:redemption"), {"_fragment": "nope"})
    assert missing.status_code == 404


def test_month_filter_picks_the_snapshot_of_that_month(marketing, refreshed):
    response = marketing.get(
        reverse("reports:loyalty"), {"month_from": "2025-02", "month_to": "2026-01"}
    )
    assert response.context["month"].isoformat() == "2026-01-01"
    assert response.context["buyers"] == 4
    # January has nothing to move from: no count at all, not 0 (test_guard_rails.py).
    assert response.context["won_to_store"] is None


def test_every_loyalty_table_exports_csv(marketing, refreshed):
    expected_rows = {
        "cells": 4, "moves": 5, "pareto": 5, "value_distribution": 8, "at_risk": 2,
        "win_back": 0, "list_reach": 2,
    }  # fmt: skip
    for name, count in expected_rows.items():
        rows = _csv(marketing.get(reverse("reports:loyalty"), {**FILTERS, "_export": "csv",
                                                                "_table": name}))  # fmt: skip
        assert len(rows) == count, name
    reach = _csv(marketing.get(reverse("reports:loyalty"), {**FILTERS, "_export": "csv",
                                                             "_table": "list_reach"}))  # fmt: skip
    # 4 reachable members (A, B, C, D: E has no consent, F is closed); 4 lists from Mar 2.
    assert reach[0]["Lists made (eligible)"] == "4" and reach[0]["Reachable members"] == "4"
    assert reach[0]["Reach"] == "1.000000" and reach[0]["Lists redeemed"] == "1"


def test_redemption_page_lift_matches_a_computation_from_the_raw_values(marketing, refreshed):
    response = marketing.get(reverse("reports:redemption"), FILTERS)
    assert response.status_code == 200
    (row,) = response.context["campaigns"]
    # Per-member category sales at regular price (conftest): treated A, B, C, F; holdout D, E.
    treated, holdout = [6.48, 6.98, 2.99, 0.0], [4.49, 2.99]
    m1, m0 = statistics.mean(treated), statistics.mean(holdout)  # 4.1125, 3.74
    v1, v0 = statistics.variance(treated), statistics.variance(holdout)  # 10.666758, 1.125
    se = (v1 / 4 + v0 / 2) ** 0.5
    df = (v1 / 4 + v0 / 2) ** 2 / ((v1 / 4) ** 2 / 3 + (v0 / 2) ** 2 / 1)
    q = scipy_stats.t.ppf(0.975, df)
    assert row.sales.mean_treated == pytest.approx(4.1125)
    assert row.sales.mean_holdout == pytest.approx(3.74)
    assert row.sales.lift.estimate == pytest.approx(0.3725)
    assert row.sales.degrees_of_freedom == pytest.approx(df)
    interval = (row.sales.lift.low, row.sales.lift.high)
    assert interval == pytest.approx((m1 - m0 - q * se, m1 - m0 + q * se))
    # Converted: A and C of 4 treated, E of 2 held out: 0.5 − 0.5.
    conversion = row.conversion
    assert (conversion.share_treated, conversion.share_holdout, conversion.lift.estimate) == (
        0.5, 0.5, 0.0,
    )  # fmt: skip
    # Redemption: A of the 3 who got the offer; 1.00 discount, 0.40 paid by the manufacturer.
    redemption = row.redemption
    assert (redemption.treated, redemption.reached, redemption.redeemers) == (4, 3, 1)
    assert redemption.rate == pytest.approx(1 / 3)
    assert str(redemption.store_cost) == "0.60"
    # ROI = (0.3725 × 4 − 0.60) / 0.60 = (1.49 − 0.60) / 0.60 = 1.483333
    assert row.incremental_sales == pytest.approx(1.49)
    assert row.roi.estimate == pytest.approx(1.483333, abs=1e-6)
    assert row.roi.low == pytest.approx(((m1 - m0 - q * se) * 4 - 0.60) / 0.60)
    html = response.content.decode()
    assert "Welch" in html and "Two-proportion z interval" in html and "ROI" in html

    rows = _csv(marketing.get(reverse("reports:redemption"), {**FILTERS, "_export": "csv",
                                                               "_table": "lift"}))  # fmt: skip
    assert rows[0]["Sales lift"] == "0.37" and rows[0]["ROI"] == "1.4833"
    assert rows[0]["Treated"] == "4" and rows[0]["Holdout"] == "2"


def test_lift_with_one_holdout_member_has_no_interval(marketing, refreshed):
    w = refreshed
    response = marketing.get(reverse("reports:redemption"), {**FILTERS, "store": w.s1.pk})
    (row,) = response.context["campaigns"]
    # S1: treated A 6.48 and C 2.99; holdout D 4.49 alone: no variance, no interval.
    assert row.sales.mean_treated == pytest.approx(4.735)
    assert row.sales.mean_holdout == pytest.approx(4.49)
    assert row.sales.lift.low is None and row.roi.low is None
    assert str(row.redemption.store_cost) == "0.60"


def test_every_redemption_table_exports_csv(marketing, refreshed):
    for name, count in {"campaigns": 1, "cells": 2, "cost_by_month": 1, "lift": 1}.items():
        rows = _csv(marketing.get(reverse("reports:redemption"), {**FILTERS, "_export": "csv",
                                                                   "_table": name}))  # fmt: skip
        assert len(rows) == count, name
    cells = _csv(marketing.get(reverse("reports:redemption"), {**FILTERS, "_export": "csv",
                                                                "_table": "cells"}))  # fmt: skip
    high = next(r for r in cells if r["Usage tier"] == "High")
    # national-3: A, B, F treated (D held out); A and B got the offer, A redeemed.
    assert (high["Audience"], high["Holdout"], high["Got the offer"], high["Redeemed"]) == (
        "4", "1", "2", "1",
    )  # fmt: skip
    assert high["Redemption rate"] == "0.500000" and high["Of all treated"] == "0.333333"


def test_category_and_period_filters_select_campaigns(marketing, refreshed):
    other = marketing.get(reverse("reports:redemption"), {**FILTERS, "month_to": "2026-02"})
    assert other.context["campaigns"] == []  # the campaign starts in March
    milk = refreshed.milk.category
    none = marketing.get(reverse("reports:redemption"), {**FILTERS, "category": milk.pk})
    assert none.context["campaigns"] == []


def test_pages_render_without_any_aggregate(marketing, db):
    for name in ("reports:loyalty", "reports:redemption"):
        response = marketing.get(reverse(name))
        assert response.status_code == 200
        assert "Not refreshed yet" in response.content.decode()


def test_month_inputs_show_the_period_in_use(marketing, refreshed):
    html = marketing.get(reverse("reports:loyalty"), {"store": refreshed.s1.pk}).content.decode()
    # Defaults: the latest snapshot month (February 2026) and the 11 months before it.
    assert 'name="month_from" id="id_month_from" value="2025-03"' in html
    assert 'name="month_to" id="id_month_to" value="2026-02"' in html
    assert f'<option value="{refreshed.s1.pk}" selected>' in html


def test_bad_filters_fall_back_to_the_defaults(marketing, refreshed):
    response = marketing.get(reverse("reports:loyalty"), {"month_from": "2026-13", "store": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_pages_run_a_fixed_number_of_queries(marketing, refreshed, django_assert_max_num_queries):
    # Small sums over aggregates whatever the data size: no query per row.
    with django_assert_max_num_queries(30):
        loyalty = marketing.get(reverse("reports:loyalty"), FILTERS)
    assert loyalty.status_code == 200
    assert loyalty.context["buyers"] == 4  # the February cells, as on the loyalty test
    by_trace = {t["name"]: t["y"] for t in _figure(loyalty, "fig-cells-members")["data"]}
    assert by_trace["National-brand loyal"] == [1, 1, 0]
    with django_assert_max_num_queries(20):
        redemption = marketing.get(reverse("reports:redemption"), FILTERS)
    assert redemption.status_code == 200
    (row,) = redemption.context["campaigns"]
    figures = row.redemption
    assert (figures.treated, figures.reached, figures.redeemers) == (4, 3, 1)
    assert "Switch to our ketchup" in redemption.content.decode()


def test_refresh_button_queues_a_job_on_commit_and_the_page_shows_it(
    marketing, world, django_capture_on_commit_callbacks, marketing_user
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = marketing.post(
            reverse("reports:refresh"), {"next": "/reports/redemption/?store=1"}
        )
    assert response.status_code == 302 and response["Location"] == "/reports/redemption/?store=1"
    job = Job.objects.get(kind=JOB_KIND)
    assert job.status == JobStatus.QUEUED and job.started_by == marketing_user
    assert len(callbacks) == 1
    page = marketing.get(reverse("reports:loyalty"))
    assert page.context["refresh"].current == job

    reports_refresh_task.apply(args=[job.pk])  # what the worker runs
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress_done == job.progress_total == 6
    page = marketing.get(reverse("reports:loyalty"), FILTERS)
    assert page.context["refresh"].last == job and page.context["buyers"] == 4


def test_refresh_does_not_redirect_elsewhere(marketing, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = marketing.post(reverse("reports:refresh"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("reports:loyalty")


def test_nightly_task_queues_a_refresh(world, django_capture_on_commit_callbacks):
    from apps.reports.tasks import reports_nightly_task

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_id = reports_nightly_task.apply().get()
    assert Job.objects.get(pk=job_id).kind == JOB_KIND and len(callbacks) == 1


def test_nightly_schedule_is_installed(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Nightly report refresh")
    assert task.task == "apps.reports.tasks.reports_nightly_task" and task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("4", "0")


@pytest.mark.parametrize("persona", ["cashier", "manufacturer_a", "anonymous"])
def test_exports_and_fragments_are_marketing_only_too(client, personas, refreshed, persona):
    if personas[persona] is not None:
        client.force_login(personas[persona])
    for url, params in (
        (reverse("reports:loyalty"), {"_export": "csv", "_table": "cells"}),
        (reverse("reports:loyalty"), {"_fragment": "moves"}),
        (reverse("reports:redemption"), {"_export": "csv", "_table": "lift"}),
    ):
        response = client.get(url, params)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 403


def test_table_csv_escapes_a_name_that_would_start_a_formula(marketing, world):
    """A campaign name typed as a formula comes out as text in the CSV; figures stay numbers."""
    world.campaign.name = "=cmd|' /C calc'!A0"
    world.campaign.save(update_fields=["name"])
    reports_refresh()
    response = marketing.get(reverse("reports:redemption"), {**FILTERS, "_export": "csv",
                                                               "_table": "lift"})  # fmt: skip
    assert response["Content-Disposition"] == 'attachment; filename="lift.csv"'
    (row,) = _csv(response)
    assert row["Campaign"] == "'=cmd\\|' /C calc'!A0"
    assert row["Sales lift"] == "0.37" and row["Treated"] == "4"


def test_long_campaign_names_are_cut_on_the_axis_and_whole_in_the_hover(marketing, world):
    name = "Switch national ketchup buyers to our own brand, spring 2026 wave"
    world.campaign.name = name
    world.campaign.save(update_fields=["name"])
    reports_refresh()
    response = marketing.get(reverse("reports:redemption"), FILTERS)
    for figure_id in ("fig-cost-split", "fig-lift-spend"):
        figure = _figure(response, figure_id)
        axis = figure["layout"]["yaxis"]
        assert axis["tickvals"] == [name]
        assert axis["ticktext"] == ["Switch national ketchup buyers …"]
        assert len(axis["ticktext"][0]) == 32
        assert all(name in trace["y"] for trace in figure["data"])


def test_one_month_of_discounts_is_a_bar_not_the_whole_chart(marketing, refreshed):
    response = marketing.get(reverse("reports:redemption"), FILTERS)
    figure = _figure(response, "fig-cost-month")
    months = figure["data"][0]["x"]
    assert len(months) == 1  # the fixture's redemptions all fall in March 2026
    assert all(trace["width"] == [20 * 86_400_000] for trace in figure["data"])
    assert figure["layout"]["xaxis"]["range"] == ["2026-01-15", "2026-04-15"]
