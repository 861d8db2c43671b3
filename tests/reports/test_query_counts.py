"""Every dashboard page, table and export runs a fixed number of queries, pinned exactly.

Small sums over the aggregates, whatever the data size: a query per row (a row reading a
campaign's category, a chart reading a store) shows here as a count that moved. Each page is
asked as a marketing user with the conftest's chain refreshed, and each check also reads a
figure of that chain (worked out by hand in tests/reports/conftest.py) off the response.

The counts include the session's and the user's queries (2) on every request.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from apps.reports.services import reports_refresh

FILTERS = {"month_from": "2025-04", "month_to": "2026-03"}

# (page, table, queries, text the opened table shows)
TABLES = [
    ("loyalty", "cells", 6, "$6.00"),  # B: national-brand loyal, medium, 6.00 of Ketchup
    ("loyalty", "moves", 5, "Store-brand loyal · high"),  # A, won from national · high
    ("loyalty", "pareto", 4, "60.0%"),  # the top 20 %: B's 300 of 500
    ("loyalty", "value_distribution", 5, "CLV ($)"),
    ("loyalty", "at_risk", 4, "50.0%"),  # Store Two: B and E, one at risk
    ("loyalty", "win_back", 6, "Nothing for these filters yet."),  # no win-back campaign
    ("loyalty", "list_reach", 5, "100.0%"),  # 4 lists for 4 reachable members on Mar 2
    ("redemption", "campaigns", 6, "33.3%"),  # A redeemed, of the 3 who got the offer
    ("redemption", "cells", 5, "50.0%"),  # national · high: 1 of the 2 who got it
    ("redemption", "cost_by_month", 4, "$0.40"),  # March: the manufacturer's 40 % of $1.00
    ("redemption", "lift", 6, "between −$4.68 and +$5.42"),  # the sales lift's interval
    ("redemption", "calibration", 4, "Nothing for these filters yet."),  # nothing allocated
    ("redemption", "offers", 5, "Nothing for these filters yet."),
]
# (page, table, rows, queries) of each CSV export (rows as in tests/reports/test_views.py)
EXPORTS = [
    ("loyalty", "cells", 4, 7),
    ("loyalty", "moves", 5, 6),
    ("loyalty", "pareto", 5, 5),
    ("loyalty", "value_distribution", 8, 6),
    ("loyalty", "at_risk", 2, 5),
    ("loyalty", "win_back", 0, 7),
    ("loyalty", "list_reach", 2, 6),
    ("redemption", "campaigns", 1, 7),
    ("redemption", "cells", 2, 6),
    ("redemption", "cost_by_month", 1, 5),
    ("redemption", "lift", 1, 7),
    ("redemption", "calibration", 0, 5),
    ("redemption", "offers", 0, 6),
]


@pytest.fixture
def marketing(client, marketing_user, world):
    reports_refresh()
    client.force_login(marketing_user)
    return client


def test_the_dashboard_address_redirects_in_two_queries(marketing, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = marketing.get(reverse("reports:index"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:loyalty")


def test_the_loyalty_page(marketing, django_assert_num_queries):
    with django_assert_num_queries(23):  # 22, and retention's last run
        response = marketing.get(reverse("reports:loyalty"), FILTERS)
    assert response.status_code == 200
    assert response.context["buyers"] == 4 and response.context["won_to_store"] == 1


def test_the_loyalty_page_of_a_store_and_a_category(marketing, world, django_assert_num_queries):
    params = {**FILTERS, "store": world.s2.pk, "category": world.campaign.category_id}
    with django_assert_num_queries(25):  # 24, and retention's last run
        response = marketing.get(reverse("reports:loyalty"), params)
    assert response.status_code == 200
    assert response.context["buyers"] == 2  # B and E, whose home store is S2
    assert response.context["summary"].members == 2


def test_the_redemption_page(marketing, django_assert_num_queries):
    # 3 of them the offer model's: calibration, predicted vs actual, the model in use.
    with django_assert_num_queries(14):
        response = marketing.get(reverse("reports:redemption"), FILTERS)
    assert response.status_code == 200
    (row,) = response.context["campaigns"]
    figures = row.redemption
    assert (figures.treated, figures.reached, figures.redeemers) == (4, 3, 1)
    assert "Switch to our ketchup" in response.content.decode()


def test_the_redemption_page_of_a_store_and_a_category(marketing, world, django_assert_num_queries):
    params = {**FILTERS, "store": world.s1.pk, "category": world.campaign.category_id}
    with django_assert_num_queries(16):
        response = marketing.get(reverse("reports:redemption"), params)
    assert response.status_code == 200
    (row,) = response.context["campaigns"]
    # S1: treated A 6.48 and C 2.99, mean 4.735; the whole campaign's cost is S1's.
    assert row.sales.mean_treated == pytest.approx(4.735)
    assert str(row.redemption.store_cost) == "0.60"


@pytest.mark.parametrize(("page", "table", "queries", "figure"), TABLES)
def test_each_table_opened(marketing, django_assert_num_queries, page, table, queries, figure):
    with django_assert_num_queries(queries):
        response = marketing.get(reverse(f"reports:{page}"), {**FILTERS, "_fragment": table})
    assert response.status_code == 200
    assert figure in response.content.decode()


@pytest.mark.parametrize(("page", "table", "rows", "queries"), EXPORTS)
def test_each_table_exported(marketing, django_assert_num_queries, page, table, rows, queries):
    params = {**FILTERS, "_export": "csv", "_table": table}
    with django_assert_num_queries(queries):
        response = marketing.get(reverse(f"reports:{page}"), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == rows
