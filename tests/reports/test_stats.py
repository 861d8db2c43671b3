"""Lift intervals against textbook computations written out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from apps.reports.stats import (
    mean_and_variance,
    members_for_mean,
    members_for_share,
    members_needed,
    significant,
    two_proportion_interval,
    welch_interval,
)


def test_mean_and_variance_from_sums():
    # treated 12, 15, 9, 20, 14: Σx = 70, Σx² = 144 + 225 + 81 + 400 + 196 = 1046
    # mean 14; s² = (1046 − 70·14) / 4 = 66 / 4 = 16.5
    mean, variance = mean_and_variance([5, 1, 0], [70, 3, 0], [1046, 9, 0])
    assert mean[0] == 14 and variance[0] == pytest.approx(16.5)
    # one member: a mean but no variance; no member: neither
    assert mean[1] == 3 and np.isnan(variance[1])
    assert np.isnan(mean[2]) and np.isnan(variance[2])


def test_welch_interval_by_hand():
    # treated 12, 15, 9, 20, 14: mean 14, s₁² = 16.5
    # holdout 10, 8, 11, 9:      mean 9.5, deviations .5, −1.5, 1.5, −.5, s₀² = 5/3
    # SE² = 16.5/5 + (5/3)/4 = 3.3 + 0.416667 = 3.716667, SE = 1.927866
    # ν = 3.716667² / (3.3²/4 + 0.416667²/3) = 13.813611 / 2.780370 = 4.968263
    # t(0.975, 4.968) = 2.575529 (between the table's 2.571 at 5 and 2.776 at 4 df)
    # 4.5 ± 2.575529 · 1.927866 = 4.5 ± 4.965274 → (−0.465274, 9.465274)
    result = welch_interval([5], [14.0], [16.5], [4], [9.5], [5 / 3])
    assert result.difference[0] == pytest.approx(4.5)
    assert result.se[0] == pytest.approx(1.927866, abs=1e-6)
    assert result.df[0] == pytest.approx(4.968263, abs=1e-6)
    assert result.low[0] == pytest.approx(-0.465274, abs=1e-6)
    assert result.high[0] == pytest.approx(9.465274, abs=1e-6)
    assert result.p_value[0] == pytest.approx(0.0672, abs=1e-4)


def test_welch_reproduces_a_published_example():
    # The first example of the Wikipedia article "Welch's t-test": t = −2.46, p = 0.021.
    a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
    a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
    n = [len(a1)], [len(a2)]
    m1, v1 = mean_and_variance(n[0], [sum(a1)], [sum(x * x for x in a1)])
    m0, v0 = mean_and_variance(n[1], [sum(a2)], [sum(x * x for x in a2)])
    result = welch_interval(n[0], m1, v1, n[1], m0, v0)
    assert result.difference[0] / result.se[0] == pytest.approx(-2.46, abs=0.005)
    assert result.p_value[0] == pytest.approx(0.021, abs=0.0005)
    # ν by hand: s₁² = 7.867429, s₂² = 3.812667; a = s₁²/15 = 0.524495, b = 0.254178;
    # (a + b)² / (a²/14 + b²/14) = 0.606332 / 0.024264 = 24.99
    assert result.df[0] == pytest.approx(24.99, abs=0.01)


def test_welch_without_spread_is_exact():
    result = welch_interval([3], [2.0], [0.0], [3], [1.0], [0.0])
    assert (result.low[0], result.high[0]) == (1.0, 1.0)


def test_two_proportion_interval_by_hand():
    # 3 of 5 treated converted, 1 of 4 held out: p₁ = .6, p₀ = .25, difference .35
    # SE = √(.6·.4/5 + .25·.75/4) = √(.048 + .046875) = √.094875 = 0.308018
    # .35 ± 1.959964 · 0.308018 = .35 ± 0.603704 → (−0.253704, 0.953704)
    result = two_proportion_interval([3], [5], [1], [4])
    assert result.difference[0] == pytest.approx(0.35)
    assert result.se[0] == pytest.approx(math.sqrt(0.094875))
    assert result.low[0] == pytest.approx(-0.253704, abs=1e-6)
    assert result.high[0] == pytest.approx(0.953704, abs=1e-6)


def test_intervals_are_vectorized_over_campaigns():
    result = two_proportion_interval([3, 10], [5, 20], [1, 5], [4, 20])
    assert result.difference.tolist() == pytest.approx([0.35, 0.25])
    # second: SE = √(.5·.5/20 + .25·.75/20) = √(.0125 + .009375) = 0.147902
    assert result.se[1] == pytest.approx(0.147902, abs=1e-6)


# z₀.₉₇₅ + z₀.₈ = 1.959964 + 0.841621 = 2.801585; squared: 7.848880.


def test_members_needed_is_the_textbook_two_sample_size_for_equal_groups():
    # σ = 10, δ = 5, two equal groups: n = 2 · 7.848880 · 10² / 5² = 62.79 per group,
    # so 125.58 members in all, rounded up: 126.
    needed = members_needed([50], [100.0], [50], [100.0], [5.0])
    assert needed.tolist() == [126.0]
    # Half the difference needs four times the members: 2 · 7.848880 · 100 / 6.25 · 2.
    assert members_needed([50], [100.0], [50], [100.0], [-2.5]).tolist() == [503.0]


def test_members_needed_keeps_the_campaigns_split_and_both_variances():
    # A 10 % holdout (r = n₀/n₁ = 1/9), σ = 10 in both groups, δ = 5:
    # n₁ = 7.848880 · (100 + 100 · 9) / 25 = 313.955, n₀ = n₁ / 9 = 34.884; 348.84 → 349.
    # Equal groups with σ₁² = 144, σ₀² = 64, δ = 4: n₁ = 7.848880 · 208 / 16 = 102.035
    # per group, 204.07 in all → 205.
    needed = members_needed([90, 40], [100.0, 144.0], [10, 40], [100.0, 64.0], [5.0, 4.0])
    assert needed.tolist() == [349.0, 205.0]


def test_members_needed_is_unknown_without_a_difference_or_a_spread():
    needed = members_needed([50, 50, 1], [100.0, 0.0, 4.0], [50, 50, 9], [100.0, 0.0, 4.0],
                            [0.0, 1.0, 1.0])  # fmt: skip
    # No difference: no audience finds it; no spread: the difference is exact (0 needed,
    # but there is nothing to ask); one treated member: no variance to size with.
    assert math.isnan(needed[0]) and needed[1] == 0.0 and math.isnan(needed[2])


def test_an_interval_that_spans_zero_is_not_yet_significant():
    assert significant(-1.0, 2.0) is False
    assert significant(0.1, 2.0) is True
    assert significant(-3.0, -0.5) is True
    assert significant(None, 1.0) is None


def test_the_sizes_a_large_sample_interval_needs():
    # 30 in the smaller group: a 10 % holdout of 100 (10 held out) needs 300 in all; equal
    # groups of 20 need 60.
    assert members_for_mean([90, 20], [10, 20]).tolist() == [300.0, 60.0]
    # 5 with and 5 without in each group, split as now: 40 treated of whom 2 converted and
    # 10 held out of whom 4 did: the fewest count is 2 of 50 members, so 5 · 50 / 2 = 125.
    # Nobody held out converted: no count to scale from.
    needed = members_for_share([2, 3], [40, 40], [4, 0], [10, 10])
    assert needed[0] == 125.0 and math.isnan(needed[1])
