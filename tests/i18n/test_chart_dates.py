"""The charts' date axes and hover labels in the page's language (issue 23).

Plotly writes dates with d3's format patterns; "%b" is a month's short name, which Plotly's
Chinese locale (static/js/plotly-figures.js) gives as "12月" — so "%b %Y" would read
"12月 2026". Each chart's pattern is a message of context "plotly tick format" (or "plotly
hover format"): Chinese patterns write "2026年12月". The figures are built here in each
language and their JSON read back.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import translation

from apps.desk.charts import weekly_spend_figure
from apps.reports.charts.redemption import cost_month_figure
from apps.reports.selectors.redemption import MonthCost
from apps.rewards.charts import points_month_figure
from apps.rewards.monthly import PointsMonth

WEEKS = [(dt.date(2026, 11, 30), Decimal("21.50")), (dt.date(2026, 12, 7), Decimal("9.99"))]
MONTHS = [PointsMonth(month=dt.date(2026, m, 1), earned=100 * m, spent=40) for m in (10, 11)]
COSTS = [
    MonthCost(month=dt.date(2026, m, 1), redemptions=3, discount=Decimal("4.50"),
              manufacturer_share=Decimal("3.00"), store_cost=Decimal("1.50"))
    for m in (10, 11)
]  # fmt: skip


def figures() -> list[dict]:
    return [weekly_spend_figure(WEEKS), points_month_figure(MONTHS), cost_month_figure(COSTS)]


@pytest.mark.parametrize("index", range(3))
def test_a_charts_dates_are_written_the_chinese_way(index):
    with translation.override("zh-hans"):
        text = json.dumps(figures()[index], ensure_ascii=False)
    assert "%b" not in text  # no month's short name: "12月 2026" is not how dates read
    assert "%-m月" in text or "%Y年" in text or "%Y-%m" in text


@pytest.mark.parametrize("index", range(3))
def test_english_charts_keep_their_month_names(index):
    with translation.override("en"):
        text = json.dumps(figures()[index])
    assert "%b" in text
