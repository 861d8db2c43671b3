"""Every aggregate of the refresh against figures worked out by hand (see conftest.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.reports.models import (
    CampaignCellAggregate,
    CellAggregate,
    CellTransition,
    HomeStore,
    LiftAggregate,
    ListReach,
    MemberBase,
    ParetoPoint,
    RedemptionMonth,
    ReportSnapshot,
    ValueAggregate,
    ValueHistogram,
)
from apps.reports.services import reports_refresh
from tests.reports.conftest import _snapshot

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def _r(*values):
    """Floats rounded to 9 places (None kept), so hand-written decimals compare exactly."""
    return tuple(v if v is None or isinstance(v, int) else round(v, 9) for v in values)


@pytest.fixture
def refreshed(world):
    reports_refresh()
    return world


def test_home_store_is_where_the_member_spent_most_ties_to_the_lower_store(refreshed):
    w = refreshed
    homes = dict(HomeStore.objects.values_list("member_id", "store_id"))
    assert homes == {w.a.pk: w.s1.pk, w.b.pk: w.s2.pk, w.c.pk: w.s1.pk, w.d.pk: w.s1.pk,
                     w.e.pk: w.s2.pk}  # fmt: skip
    # F has no basket: no home store.
    assert w.f.pk not in homes


def test_member_base_counts_active_and_reachable_per_home_store(refreshed):
    w = refreshed
    rows = {r.store_id: (r.members, r.active, r.reachable) for r in MemberBase.objects.all()}
    # S1: A, C, D. S2: B and E (no consent). None: F (closed).
    assert rows == {w.s1.pk: (3, 3, 3), w.s2.pk: (2, 2, 1), None: (1, 0, 0)}


def test_each_month_stands_for_its_latest_snapshot_linked_to_the_previous_month(refreshed):
    w = refreshed
    rows = {r.month: (r.snapshot_id, r.previous_id) for r in ReportSnapshot.objects.all()}
    # The Jan 15 snapshot loses to the one ending Feb 1 (both cover January).
    assert rows == {JAN: (w.january.pk, None), FEB: (w.february.pk, w.january.pk)}


def test_cells_of_february_by_home_store(refreshed):
    w = refreshed
    rows = {
        (r.store_id, r.loyalty, r.usage_tier): (r.members, r.sales, r.national_sales)
        for r in CellAggregate.objects.filter(month=FEB, category=w.ketchup)
    }
    assert rows == {
        (w.s1.pk, "store", 3): (1, Decimal("12.00"), Decimal("0.00")),  # A
        (w.s2.pk, "national", 2): (1, Decimal("6.00"), Decimal("6.00")),  # B
        (w.s1.pk, "swinger", 1): (1, Decimal("4.00"), Decimal("1.00")),  # C: 4.00 × 0.25
        (w.s2.pk, "national", 1): (1, Decimal("3.00"), Decimal("3.00")),  # E
    }
    january = {
        (r.store_id, r.loyalty, r.usage_tier): (r.members, r.sales, r.national_sales)
        for r in CellAggregate.objects.filter(month=JAN, category=w.ketchup)
    }
    assert january == {
        (w.s1.pk, "national", 3): (1, Decimal("10.00"), Decimal("9.00")),
        (w.s2.pk, "national", 2): (1, Decimal("8.00"), Decimal("8.00")),
        (w.s1.pk, "swinger", 1): (1, Decimal("4.00"), Decimal("2.00")),
        (w.s1.pk, "store", 1): (1, Decimal("2.00"), Decimal("0.20")),
    }


def test_moves_from_january_to_february(refreshed):
    w = refreshed
    rows = {
        (r.store_id, r.from_cell, r.to_cell): r.members
        for r in CellTransition.objects.filter(month=FEB, category=w.ketchup)
    }
    assert rows == {
        (w.s1.pk, "national-3", "store-3"): 1,  # A: won to the store brand
        (w.s2.pk, "national-2", "national-2"): 1,  # B stays
        (w.s1.pk, "swinger-1", "swinger-1"): 1,  # C stays
        (w.s1.pk, "store-1", "lapsed"): 1,  # D stopped buying
        (w.s2.pk, "new", "national-1"): 1,  # E is new
    }
    # January has no earlier snapshot to move from.
    assert not CellTransition.objects.filter(month=JAN).exists()


def test_all_category_rows_add_up_the_categories_of_the_month(refreshed):
    w = refreshed
    # A Milk snapshot for February (and January, so that it has moves): B and C buy milk.
    _snapshot(w.milk.category, dt.date(2026, 2, 1), [(w.b, "national", 2, "4.00", "1")])
    _snapshot(w.milk.category, dt.date(2026, 3, 1), [
        (w.b, "national", 2, "5.00", "1.000000"), (w.c, "store", 3, "7.00", "0"),
    ])  # fmt: skip
    reports_refresh()
    rollup = {
        (r.store_id, r.loyalty, r.usage_tier): (r.members, r.sales, r.national_sales)
        for r in CellAggregate.objects.filter(month=FEB, category__isnull=True)
    }
    assert rollup == {
        (w.s1.pk, "store", 3): (2, Decimal("19.00"), Decimal("0.00")),  # A ketchup, C milk
        (w.s2.pk, "national", 2): (2, Decimal("11.00"), Decimal("11.00")),  # B ketchup + milk
        (w.s1.pk, "swinger", 1): (1, Decimal("4.00"), Decimal("1.00")),
        (w.s2.pk, "national", 1): (1, Decimal("3.00"), Decimal("3.00")),
    }
    moves = {
        (r.store_id, r.from_cell, r.to_cell): r.members
        for r in CellTransition.objects.filter(month=FEB, category__isnull=True)
    }
    assert moves == {
        (w.s1.pk, "national-3", "store-3"): 1,
        (w.s2.pk, "national-2", "national-2"): 2,  # B in both categories
        (w.s1.pk, "swinger-1", "swinger-1"): 1,
        (w.s1.pk, "store-1", "lapsed"): 1,
        (w.s2.pk, "new", "national-1"): 1,
        (w.s1.pk, "new", "store-3"): 1,  # C's first milk
    }
    # January's rollup gained B's milk in the same cell as B's ketchup: 4 rows, not 5.
    january = CellAggregate.objects.filter(month=JAN, category__isnull=True)
    assert january.count() == 4
    assert january.get(store=w.s2, loyalty="national", usage_tier=2).members == 2


def test_a_newer_snapshot_replaces_its_month_only(refreshed):
    w = refreshed
    january_row = ReportSnapshot.objects.get(month=JAN)
    newer = _snapshot(
        w.ketchup, dt.date(2026, 3, 1), [(w.a, "national", 3, "20.00", "1.000000")],
        national_threshold=Decimal("0.700"),
    )  # fmt: skip
    result = reports_refresh()
    assert result["snapshots_aggregated"] == 1
    assert ReportSnapshot.objects.get(month=JAN).pk == january_row.pk  # kept, not redone
    assert ReportSnapshot.objects.get(month=FEB).snapshot_id == newer.pk
    assert list(
        CellAggregate.objects.filter(month=FEB, category=w.ketchup).values_list(
            "loyalty", "usage_tier", "members"
        )
    ) == [("national", 3, 1)]
    moves = set(
        CellTransition.objects.filter(month=FEB, category=w.ketchup).values_list(
            "from_cell", "to_cell"
        )
    )
    assert moves == {("national-3", "national-3"), ("national-2", "lapsed"),
                     ("swinger-1", "lapsed"), ("store-1", "lapsed")}  # fmt: skip
    # A refresh with nothing new recomputes nothing.
    assert reports_refresh()["snapshots_aggregated"] == 0
    assert reports_refresh(full=True)["snapshots_aggregated"] == 2


def test_member_value_by_home_store(refreshed):
    w = refreshed
    rows = {
        r.store_id: (r.members, r.likely_active, r.at_risk, r.sales, r.clv, r.at_risk_sales,
                     r.at_risk_clv)
        for r in ValueAggregate.objects.filter(fit=w.fit)
    }  # fmt: skip
    assert rows == {
        # A, C, D: P(active) 0.95, 0.06, 1.0; C at risk.
        w.s1.pk: (3, 2, 1, Decimal("175.00"), Decimal("60.00"), Decimal("50.00"),
                  Decimal("10.00")),
        # B, E: P(active) 0.40, 0.5 (counts as likely active); B at risk.
        w.s2.pk: (2, 1, 1, Decimal("325.00"), Decimal("1200.00"), Decimal("300.00"),
                  Decimal("200.00")),
    }  # fmt: skip


def test_histograms_bin_p_active_by_twentieths_and_clv_up_to_its_99th_percentile(refreshed):
    w = refreshed
    alive = {
        (r.store_id, r.bin): _r(r.lower, r.upper, r.members)
        for r in ValueHistogram.objects.filter(fit=w.fit, measure="p_alive")
    }
    assert alive == ({
        (w.s1.pk, 19): (0.95, 1.0, 2),  # A 0.95 and D 1.0 (1.0 goes in the last bin)
        (w.s1.pk, 1): (0.05, 0.10, 1),  # C 0.06
        (w.s2.pk, 8): (0.40, 0.45, 1),  # B
        (w.s2.pk, 10): (0.50, 0.55, 1),  # E
    })  # fmt: skip
    # CLVs 0, 10, 50, 200, 1000: 99th percentile = 200 + 0.96 × 800 = 968, rounded up to two
    # significant digits: 970; 20 bins of 48.5 and an open bin from 970.
    clv = {
        (r.store_id, r.bin): _r(r.lower, r.upper, r.members)
        for r in ValueHistogram.objects.filter(fit=w.fit, measure="clv")
    }
    assert clv == ({
        (w.s1.pk, 0): (0.0, 48.5, 2),  # C 10, D 0
        (w.s1.pk, 1): (48.5, 97.0, 1),  # A 50
        (w.s2.pk, 4): (194.0, 242.5, 1),  # B 200
        (w.s2.pk, 20): (970.0, None, 1),  # E 1000
    })  # fmt: skip


def test_pareto_points_for_all_members_and_per_store(refreshed):
    w = refreshed
    chain = [
        _r(*row)
        for row in ParetoPoint.objects.filter(fit=w.fit, all_stores=True)
        .order_by("point")
        .values_list("point", "members", "member_share", "sales_share")
    ]
    # Spend: B 300, A 100, C 50, D 25, E 25 (tie by id: D first); total 500.
    assert chain == ([
        (20, 1, 0.2, 0.6), (40, 2, 0.4, 0.8), (60, 3, 0.6, 0.9), (80, 4, 0.8, 0.95),
        (100, 5, 1.0, 1.0),
    ])  # fmt: skip
    store_one = [
        _r(*row)
        for row in ParetoPoint.objects.filter(fit=w.fit, all_stores=False, store=w.s1)
        .order_by("point")
        .values_list("point", "members", "member_share", "sales_share")
    ]
    # S1: A 100, C 50, D 25; total 175.
    assert store_one == [
        _r(34, 1, 1 / 3, 100 / 175), _r(67, 2, 2 / 3, 150 / 175), _r(100, 3, 1.0, 1.0),
    ]  # fmt: skip


def test_list_reach_per_period_and_home_store(refreshed):
    w = refreshed
    rows = {
        (r.period_start, r.store_id): (r.lists, r.with_offers, r.offers, r.redeemed_lists,
                                       r.redemptions)
        for r in ListReach.objects.all()
    }  # fmt: skip
    assert rows == {
        # A (offer, redeemed), C (offer), D (no offer)
        (dt.date(2026, 3, 2), w.s1.pk): (3, 2, 2, 1, 1),
        # B: offer redeemed, then the redemption was reversed
        (dt.date(2026, 3, 2), w.s2.pk): (1, 1, 1, 0, 0),
        (dt.date(2026, 3, 16), w.s1.pk): (1, 0, 0, 0, 0),
    }


def test_campaign_cells_count_audience_reach_and_live_redemptions(refreshed):
    w = refreshed
    rows = {
        (r.cell, r.usage_tier, r.store_id): (r.audience, r.holdout, r.reached, r.redeemers,
                                             r.redemptions, r.discount, r.manufacturer_share)
        for r in CampaignCellAggregate.objects.filter(campaign=w.campaign)
    }  # fmt: skip
    zero = Decimal("0.00")
    assert rows == {
        ("national-3", 3, w.s1.pk): (2, 1, 1, 1, 1, Decimal("1.00"), Decimal("0.40")),  # A, D
        ("national-3", 3, w.s2.pk): (1, 0, 1, 0, 0, zero, zero),  # B (reversed)
        ("national-3", 3, None): (1, 0, 0, 0, 0, zero, zero),  # F: no list
        ("national-2", 2, w.s1.pk): (1, 0, 1, 0, 0, zero, zero),  # C
        ("national-2", 2, w.s2.pk): (1, 1, 0, 0, 0, zero, zero),  # E, holdout
    }


def test_redemptions_by_local_month(refreshed):
    w = refreshed
    rows = list(
        RedemptionMonth.objects.values_list(
            "month", "campaign_id", "store_id", "redemptions", "discount", "manufacturer_share"
        )
    )
    assert rows == [
        (dt.date(2026, 3, 1), w.campaign.pk, w.s1.pk, 1, Decimal("1.00"), Decimal("0.40"))
    ]


def test_lift_sufficient_statistics_per_group_and_home_store(refreshed):
    w = refreshed
    rows = {
        (r.holdout, r.store_id): (r.members, r.spend_sum, r.spend_sq_sum, r.converted,
                                  r.returned)
        for r in LiftAggregate.objects.filter(campaign=w.campaign)
    }  # fmt: skip
    # Category sales at regular price on local days Mar 2 … 15:
    #   A 1.99 + 1.00 discount + 3.49 = 6.48 (store brand: converted)
    #   B 6.98 (national; B's Mar 16 00:30 basket is outside)      C 2.99 (store brand;
    #   C's Mar 1 23:30 basket is outside)   F 0 (no basket)
    #   D 3.49 + 1.00 (Mar 15 23:30 is inside) = 4.49 (national)   E 2.99 (store brand; milk
    #   is another category)
    assert rows == {
        (False, w.s1.pk): (2, Decimal("9.47"), Decimal("50.9305"), 2, 2),  # A, C: 41.9904+8.9401
        (False, w.s2.pk): (1, Decimal("6.98"), Decimal("48.7204"), 0, 1),  # B
        (False, None): (1, Decimal("0.00"), Decimal("0.0000"), 0, 0),  # F
        (True, w.s1.pk): (1, Decimal("4.49"), Decimal("20.1601"), 0, 1),  # D
        (True, w.s2.pk): (1, Decimal("2.99"), Decimal("8.9401"), 1, 1),  # E
    }


def test_draft_and_approved_campaigns_have_no_lift(refreshed):
    w = refreshed
    w.campaign.status = "approved"
    w.campaign.save()
    reports_refresh()
    assert not LiftAggregate.objects.exists()
    assert CampaignCellAggregate.objects.filter(campaign=w.campaign).exists()


def test_refresh_twice_gives_the_same_rows(refreshed):
    def snapshot():
        return (
            # Lists, not sets: a refresh that forgot to delete would double the rows.
            sorted(
                CellAggregate.objects.values_list("month", "store_id", "loyalty", "members"),
                key=str,
            ),
            sorted(LiftAggregate.objects.values_list("holdout", "store_id", "spend_sum"), key=str),
            sorted(ListReach.objects.values_list("period_start", "store_id", "lists"), key=str),
        )

    first = snapshot()
    reports_refresh()
    assert snapshot() == first
