"""An agreement's period figures against amounts added up by hand (see conftest.february_march)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from apps.agreements.selectors import agreement_period_summary

MARCH = {"period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 3, 31)}


def test_march_totals(february_march):
    s = agreement_period_summary(agreement=february_march["agreement"], **MARCH)
    t = s.total
    # Live, bought in March: R2 4.00/2.00, R3 3.00/1.50, R4 6.00/3.00, R6 5.00/2.50,
    # R7 1.50/0, R8 2.50/0 (Mar 31 23:30 local). R9 is April 1 00:30 local, R1 February.
    assert t["redemptions"] == 6
    assert t["discount"] == D("22.00")  # 4 + 3 + 6 + 5 + 1.5 + 2.5
    assert t["share"] == D("9.00")  # 2 + 1.5 + 3 + 2.5
    # Beyond the cap: R7 and R8, charged nothing.
    assert (t["not_charged"], t["not_charged_discount"]) == (2, D("4.00"))
    # R5, returned: shown apart, not in the figures above.
    assert (t["reversed"], t["reversed_discount"]) == (1, D("2.00"))
    # Cap used up to March 31: R1's 1.00 in February + March's 9.00.
    assert s.cap_used == D("10.00")
    assert s.cap_left == D("0.00")


def test_march_rows_per_campaign_and_product(february_march):
    s = agreement_period_summary(agreement=february_march["agreement"], **MARCH)
    got = [
        (r["campaign"], r["upc"], r["redemptions"], r["discount"], r["share"],
         r["not_charged"], r["not_charged_discount"], r["reversed"], r["reversed_discount"])
        for r in s.rows
    ]  # fmt: skip
    assert got == [
        # R4 6.00/3.00, R6 5.00/2.50, R8 2.50/0
        ("Frenchs mustard", "000000000044", 3, D("13.50"), D("5.50"), 1, D("2.50"), 0, D("0")),
        # R2 4.00/2.00, R3 3.00/1.50, R7 1.50/0; R5 2.00 reversed
        ("Heinz trial", "000000000011", 3, D("8.50"), D("3.50"), 1, D("1.50"), 1, D("2.00")),
    ]


def test_cap_used_stops_at_the_period_end(february_march):
    s = agreement_period_summary(
        agreement=february_march["agreement"],
        period_start=dt.date(2026, 2, 1),
        period_end=dt.date(2026, 2, 28),
    )
    assert (s.total["redemptions"], s.total["share"]) == (1, D("1.00"))  # R1 only
    assert (s.cap_used, s.cap_left) == (D("1.00"), D("9.00"))


def test_a_period_without_redemptions_is_all_zero(deal):
    s = agreement_period_summary(agreement=deal["agreement"], **MARCH)
    assert s.rows == []
    assert (s.total["redemptions"], s.total["discount"], s.total["share"]) == (0, 0, 0)
    assert (s.cap_used, s.cap_left) == (0, D("10.00"))


def test_other_agreements_are_kept_apart(february_march):
    s = agreement_period_summary(agreement=february_march["bolt_agreement"], **MARCH)
    assert (s.total["redemptions"], s.total["discount"], s.total["share"]) == (
        1, D("9.00"), D("4.50"),
    )  # fmt: skip
