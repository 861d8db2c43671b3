"""The exact, bounded figures a release starts from, against tests/portal/conftest.py by hand.

These never leave the release layer; they are what the noise is added to.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.portal import figures
from apps.portal.periods import Period, agreement_months
from tests.portal.conftest import MARCH

BIG = Decimal("1000000")


def plan_of(world, *, cap=BIG, max_categories=6):
    return figures.agreement_plan(
        agreement=world["agreement"],
        categories=[world["ketchup"], world["mustard"]],
        period=MARCH,
        cap=cap,
        max_categories=max_categories,
    )


def test_months_and_the_month_before():
    assert Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == MARCH
    assert MARCH.previous == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Period.parse("2026-12").next == Period.parse("2027-01")
    for bad in ("2026-13", "2026-3", "March", "", "2026-03-01"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_only_ended_months_of_the_term_can_be_reported(world):
    agreement = world["agreement"]  # Jan 1 – Dec 31, 2026
    months = agreement_months(agreement, today=dt.date(2026, 4, 1))
    assert [m.key for m in months] == ["2026-03", "2026-02", "2026-01"]
    assert agreement_months(agreement, today=dt.date(2026, 3, 31))[0].key == "2026-02"
    assert agreement_months(agreement, today=dt.date(2026, 1, 31)) == []


def test_sales_by_brand_group(world):
    k, m = world["ketchup"].pk, world["mustard"].pk
    plan = plan_of(world)
    sales = {key: (plan.counts[key[:-5] + "buyers"], plan.money[key])
             for key in plan.money if key.startswith("sales/")}  # fmt: skip
    assert sales == {
        f"sales/yours/{k}/sales": (6, 1200),  # m1–m6 Acme; Zesty is not in the agreement
        f"sales/national/{k}/sales": (4, 1400),  # m1–m3 Bolt 9.00, m14 Zesty 5.00
        f"sales/store/{k}/sales": (8, 2049),  # m7–m13 10.50, m30 9.99 (Mar 31 23:30)
        f"sales/total/{k}/sales": (15, 4649),
        f"sales/yours/{m}/sales": (5, 500),  # brand "ACME" matches "acme"
        f"sales/national/{m}/sales": (10, 2000),
        f"sales/store/{m}/sales": (0, 0),
        f"sales/total/{m}/sales": (15, 2500),
        "sales/yours/total/sales": (6, 1700),
        "sales/national/total/sales": (14, 3400),
        "sales/store/total/sales": (8, 2049),
        "sales/total/total/sales": (25, 7149),
    }


def test_a_members_money_counts_up_to_the_cap_in_each_figure(world):
    k = world["ketchup"].pk
    plan = plan_of(world, cap=Decimal("2.50"))
    # Store brand in Ketchup: m7–m13 at 1.50 each, m30's 9.99 counts 2.50.
    assert plan.money[f"sales/store/{k}/sales"] == 1300
    # All sales: m1–m5 2.50 each (they spent 3–6), m6 2.00, m7–m13 10.50, m14 and m30
    # 2.50 each, m20–m29 2.00 each.
    assert plan.money["sales/total/total/sales"] == 5000
    assert plan.counts["sales/total/total/buyers"] == 25  # counts do not change


def test_a_member_counts_in_at_most_max_categories(world):
    k, m = world["ketchup"].pk, world["mustard"].pk
    plan = plan_of(world, max_categories=1)
    # m1–m5 spent more on Ketchup than on Mustard over February and March: their Mustard
    # purchases no longer count; m20–m29 buy only Mustard and still count.
    assert plan.counts[f"sales/yours/{m}/buyers"] == 0
    assert plan.counts[f"sales/national/{m}/buyers"] == 10
    assert plan.counts[f"sales/yours/{k}/buyers"] == 6
    assert plan.counts[f"flow/{m}/new/buyers"] == 0
    assert (plan.count_sensitivity, plan.money_sensitivity) == (22, 12)
    assert (plan_of(world).count_sensitivity, plan_of(world).money_sensitivity) == (36, 18)


def test_buyers_by_cell_in_the_latest_snapshot_ending_by_the_month_end(world):
    k, m = world["ketchup"].pk, world["mustard"].pk
    cells = {key: v for key, v in plan_of(world).counts.items() if key.startswith("cells/")}
    nonzero = {key: v for key, v in cells.items() if v}
    assert nonzero == {
        f"cells/{k}/national/3/buyers": 3,  # m1–m3
        f"cells/{k}/swinger/2/buyers": 1,  # m4
        f"cells/{k}/store/1/buyers": 1,  # m5
        f"cells/{k}/none/0/buyers": 1,  # m6 is not in the snapshot
        f"cells/{k}/national/total/buyers": 3,
        f"cells/{k}/swinger/total/buyers": 1,
        f"cells/{k}/store/total/buyers": 1,
        f"cells/{k}/total/3/buyers": 3,
        f"cells/{k}/total/2/buyers": 1,
        f"cells/{k}/total/1/buyers": 1,
        # Mustard has no snapshot: all five Acme buyers are outside it.
        f"cells/{m}/none/0/buyers": 5,
    }
    # Zeros are released too (with noise), except where nobody can be: the all-cells
    # figure is the sales table's, "not in the snapshot" has no usage tier, and its one cell
    # is its row total and the no-tier column total too (one figure, released once).
    assert cells[f"cells/{k}/national/1/buyers"] == 0
    assert f"cells/{k}/none/3/buyers" not in cells
    assert f"cells/{k}/national/0/buyers" not in cells
    assert f"cells/{k}/total/total/buyers" not in cells
    assert f"cells/{k}/none/total/buyers" not in cells
    assert f"cells/{k}/total/0/buyers" not in cells
    # 3 loyalty groups × 3 tiers and "not in the snapshot" × no tier; 3 + 3 margins.
    assert len([c for c in cells if c.startswith(f"cells/{k}/")]) == 10 + 3 + 3


def test_switching(world):
    k, m = world["ketchup"].pk, world["mustard"].pk
    switching = {key.removeprefix(f"switch/{k}/").removesuffix("/buyers"): v
                 for key, v in plan_of(world).counts.items()
                 if key.startswith(f"switch/{k}/") and v}  # fmt: skip
    assert switching == {
        "yours/yours": 1,  # m4
        "yours/national": 3,  # m1–m3: Bolt 3.00 now beats Acme 2.00
        "yours/none": 1,  # m16
        "national/none": 1,  # m15: Bolt 3.00 beat Acme 2.00 in February
        "store/yours": 2,  # m5, m6
        "none/national": 1,  # m14 (Zesty)
        "none/store": 8,  # m7–m13, m30 (its Jan 28 line is before February)
        "yours/total": 5, "national/total": 1, "store/total": 2, "none/total": 9,
        "total/yours": 3, "total/national": 4, "total/store": 8, "total/none": 2,
        "total/total": 17,
    }  # fmt: skip
    assert plan_of(world).counts[f"switch/{m}/none/national/buyers"] == 10


def test_buyer_flow(world):
    k, m = world["ketchup"].pk, world["mustard"].pk
    plan = plan_of(world)

    def row(name):
        counts = [plan.counts[f"flow/{name}/{s}/buyers"] for s in ("new", "retained", "lost",
                                                                    "total")]  # fmt: skip
        money = [plan.money[f"flow/{name}/{s}"] for s in ("new/spend_now", "retained/spend_now",
                 "retained/spend_before", "lost/spend_before")]  # fmt: skip
        return counts, money

    # Ketchup: m5, m6 new; m1–m4 retained; m15, m16 lost.
    assert row(k) == ([2, 4, 2, 8], [400, 800, 800, 400])
    assert row(m) == ([5, 0, 0, 5], [500, 0, 0, 0])
    # Across both: m1–m4 retained (2.00 + 1.00 now each), m5 and m6 new, m15, m16 lost.
    assert row("all") == ([2, 4, 2, 8], [500, 1200, 800, 400])
