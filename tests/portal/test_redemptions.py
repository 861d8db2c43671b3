"""Redemptions the manufacturer funds, recorded through the POS API, as the portal shows them.

The `funded` history (tests/portal/conftest.py): ACME funds 50 % of a $0.50-off offer on
its brand Acme in Ketchup. Members r1–r5 redeem on Tue Mar 3 2026, r6 on Tue Mar 10, r7 on
Mar 4 but returns the goods (reversed by the return). With K = 5:

by category   Ketchup: 6 redemptions, 6 units, $3.00 discount, $1.50 funded, 6 members
by week       Mar 2: 5 members · Mar 9: 1 member (hidden) · other weeks 0 · all: 6
              → Mar 2 is hidden too, or it would give Mar 9 away as 6 − 5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.portal.report import TOTAL, Hidden, agreement_report
from apps.portal.selectors import Period
from tests.portal.conftest import MARCH


def test_redemptions_by_category_and_week(funded):
    report = agreement_report(agreement=funded["agreement"], period=MARCH, k=5)
    by_category = report.redemption_category_section()
    expected = {"redemptions": 6, "units": Decimal("6"), "discount": Decimal("3.00"),
                "funded": Decimal("1.50"), "members": 6}  # fmt: skip
    (ketchup,) = by_category.rows
    assert {key: ketchup[key] for key in expected} == expected
    assert {key: by_category.total[key] for key in expected} == expected

    by_week = report.redemption_week_section()
    weeks = {row["label"]: row["redemptions"] for row in by_week.rows}
    h = Hidden(5)
    assert weeks == {
        "2026-02-23": 0,  # March 1 is a Sunday: its week starts in February
        "2026-03-02": h,
        "2026-03-09": h,
        "2026-03-16": 0,
        "2026-03-23": 0,
        "2026-03-30": 0,
    }
    assert by_week.total["funded"] == Decimal("1.50")


def test_redemptions_with_k_10_are_all_hidden(funded):
    report = agreement_report(agreement=funded["agreement"], period=MARCH, k=10)
    (ketchup,) = report.redemption_category_section().rows
    assert ketchup["funded"] == Hidden(10)
    assert report.redemption_category_section().total["funded"] == Hidden(10)


def test_redemptions_outside_the_period_do_not_count(funded):
    april = Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    report = agreement_report(agreement=funded["agreement"], period=april, k=5)
    assert report.redemption_category_section().total["redemptions"] == 0
    assert report.redemptions_by_week.get(TOTAL, "all", "funded") == 0
