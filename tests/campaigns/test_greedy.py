"""Phase two's choice on whole columns (`greedy.choose`), checked without a database.

Cases worked by hand, and random instances whose every rule is checked by walking the
result in Python.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from apps.campaigns.allocation.greedy import (
    AGREEMENT,
    BUDGET,
    CANDIDATE,
    GIVEN,
    HOLDOUT,
    OUTRANKED,
    Candidates,
    Fixed,
    Limits,
    choose,
)


def _candidates(rows: list[tuple]) -> Candidates:
    """rows: (member, campaign, category, discovery, holdout, value, cost, agreement)."""
    columns = list(zip(*rows, strict=True))
    return Candidates(
        member=np.array(columns[0]),
        campaign=np.array(columns[1]),
        category=np.array(columns[2]),
        discovery=np.array(columns[3], bool),
        holdout=np.array(columns[4], bool),
        value=np.array(columns[5], float),
        cost=np.array(columns[6], float),
        maker_cost=np.array(columns[6], float) / 2,
        agreement=np.array(columns[7]),
    )


NOTHING_FIXED = Fixed(*(np.zeros(0, np.int64) for _ in range(5)))


def test_a_campaign_out_of_budget_frees_the_slot_for_the_next_best_offer():
    # Two slots. Campaign 10 can pay for one offer (cost 1, budget 1.5): member 1 values it
    # most and keeps it, member 2 loses it and gets their third choice (campaign 30) instead.
    rows = [
        (1, 10, 100, False, False, 9.0, 1.0, -1),
        (2, 10, 100, False, False, 8.0, 1.0, -1),
        (2, 20, 200, False, False, 7.0, 1.0, -1),
        (2, 30, 300, False, False, 1.0, 1.0, -1),
        (1, 20, 100, False, False, 5.0, 1.0, -1),  # same category as member 1's best
    ]
    limits = Limits(
        slots=2,
        max_discovery=2,
        campaign=np.array([10, 20, 30]),
        campaign_left=np.array([1.5, 10.0, 10.0]),
        agreement=np.zeros(0, np.int64),
        agreement_left=np.zeros(0),
    )
    codes = choose(_candidates(rows), NOTHING_FIXED, limits)
    assert codes.tolist() == [GIVEN, BUDGET, GIVEN, GIVEN, OUTRANKED]


def test_fixed_slots_and_categories_count_against_the_list():
    rows = [
        (1, 10, 100, False, False, 9.0, 1.0, -1),  # category already on the list
        (1, 20, 200, True, False, 8.0, 1.0, -1),  # discovery: share used up
        (1, 30, 300, False, False, 7.0, 1.0, -1),  # the one slot left
        (1, 40, 400, False, True, 6.0, 1.0, -1),  # no slot left
    ]
    fixed = Fixed(
        member=np.array([1]),
        slots_used=np.array([2]),
        discovery_used=np.array([1]),
        taken_member=np.array([1, 1]),
        taken_category=np.array([100, 500]),
    )
    limits = Limits(3, 1, np.array([10, 20, 30, 40]), np.full(4, 9.0), np.zeros(0), np.zeros(0))
    codes = choose(_candidates(rows), fixed, limits)
    assert codes.tolist() == [OUTRANKED, OUTRANKED, GIVEN, OUTRANKED]


@pytest.mark.parametrize("seed", range(12))
def test_random_instances_keep_every_rule(seed):
    rng = np.random.default_rng(seed)
    count = 3000
    rows = [
        (
            int(rng.integers(0, 150)),  # member
            campaign,
            campaign % 25,  # category
            bool(rng.random() < 0.3),
            bool(rng.random() < 0.1),
            float(rng.uniform(0.01, 3)),
            float(rng.uniform(0.05, 0.5)),
            campaign % 4 if campaign % 3 == 0 else -1,
        )
        for campaign in rng.integers(0, 60, size=count).tolist()
    ]
    # Unique (member, campaign) pairs, as the table's constraint makes them.
    rows = list({(r[0], r[1]): r for r in rows}.values())
    candidates = _candidates(rows)
    slots, max_discovery = 5, 1
    budgets = {c: float(rng.uniform(0.5, 8)) for c in range(60)}
    caps = {a: float(rng.uniform(0.5, 2)) for a in range(4)}
    limits = Limits(
        slots,
        max_discovery,
        np.array(list(budgets)),
        np.array(list(budgets.values())),
        np.array(list(caps)),
        np.array(list(caps.values())),
    )
    codes = choose(candidates, NOTHING_FIXED, limits)

    assert CANDIDATE not in codes
    chosen = defaultdict(list)
    spent = defaultdict(float)
    maker_spent = defaultdict(float)
    for row, code in zip(rows, codes.tolist(), strict=True):
        member, campaign, category, discovery, holdout, value, cost, agreement = row
        if code in (GIVEN, HOLDOUT):
            assert (code == HOLDOUT) == holdout
            chosen[member].append((category, discovery, value))
            if not holdout:
                spent[campaign] += cost
                if agreement >= 0:
                    maker_spent[agreement] += cost / 2
    for offers in chosen.values():
        assert len(offers) <= slots
        assert len({category for category, _, _ in offers}) == len(offers)
        assert sum(discovery for _, discovery, _ in offers) <= max_discovery
    for campaign, money in spent.items():
        assert money <= budgets[campaign] + 1e-9
    for agreement, money in maker_spent.items():
        assert money <= caps[agreement] + 1e-9
    # An outranked offer lost to a full list, its category's offer or the discovery share,
    # each of which was worth at least as much.
    for row, code in zip(rows, codes.tolist(), strict=True):
        if code != OUTRANKED:
            continue
        member, _, category, discovery, _, value, _, _ = row
        offers = chosen[member]
        same_category = [v for c, _, v in offers if c == category]
        full = len(offers) == slots and min(v for _, _, v in offers) >= value
        discovery_full = discovery and sum(d for _, d, _ in offers) == max_discovery
        assert full or (same_category and same_category[0] >= value) or discovery_full
    # The instance makes every rule bind.
    assert {GIVEN, HOLDOUT, OUTRANKED, BUDGET, AGREEMENT} <= set(codes.tolist())


@pytest.mark.parametrize("seed", range(4))
def test_choose_matches_the_rule_walked_with_plain_dicts(seed):
    """The documented rule, walked in Python over a small random instance: same outcomes."""
    rng = np.random.default_rng(100 + seed)
    rows = {
        (int(rng.integers(0, 40)), campaign): (
            int(rng.integers(0, 40)),
            campaign,
            campaign % 8,
            bool(rng.random() < 0.3),
            bool(rng.random() < 0.15),
            float(rng.integers(1, 30)) / 10,  # coarse values: ties happen
            float(rng.uniform(0.05, 0.5)),
            campaign % 2 if campaign % 3 == 0 else -1,
        )
        for campaign in rng.integers(0, 20, size=400).tolist()
    }
    rows = [(member, *row[1:]) for (member, _), row in rows.items()]
    budgets = {c: float(rng.uniform(0.3, 3)) for c in range(20)}
    caps = {0: 0.8, 1: 1.5}
    slots, max_discovery = 3, 1
    limits = Limits(
        slots,
        max_discovery,
        np.array(list(budgets)),
        np.array(list(budgets.values())),
        np.array(list(caps)),
        np.array(list(caps.values())),
    )
    codes = choose(_candidates(rows), NOTHING_FIXED, limits).tolist()

    expected = {}
    lists = defaultdict(list)
    left, cap_left = dict(budgets), dict(caps)
    walk = sorted(range(len(rows)), key=lambda i: (-rows[i][5], rows[i][0], rows[i][1]))
    for i in walk:
        member, campaign, category, discovery, holdout, _, cost, agreement = rows[i]
        mine = lists[member]
        if (
            len(mine) >= slots
            or category in {c for c, _ in mine}
            or (discovery and sum(d for _, d in mine) >= max_discovery)
        ):
            expected[i] = OUTRANKED
        elif cost > left[campaign]:
            expected[i] = BUDGET
        elif agreement >= 0 and cost / 2 > cap_left[agreement]:
            expected[i] = AGREEMENT
        else:
            expected[i] = HOLDOUT if holdout else GIVEN
            if not holdout:
                left[campaign] -= cost
                if agreement >= 0:
                    cap_left[agreement] -= cost / 2
            mine.append((category, discovery))
    assert codes == [expected[i] for i in range(len(rows))]
    assert {GIVEN, HOLDOUT, OUTRANKED, BUDGET} <= set(codes)
