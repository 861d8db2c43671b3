"""The checks a fit must pass to go live: parameters off the fitter's caps, finite
log-likelihoods, enough members. Hand-made fits; the caps are the fitter's own bounds."""

from __future__ import annotations

import math

import pytest

from apps.segments.stats import BgNbdFit, GammaGammaFit, RepeatModelFits, fit_problems

# CDNOW's published estimates (see docs/models.md): a fit every check passes.
SANE_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4}
SANE_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44, "log_likelihood": -4000.0}


def fits(bg: dict | None = None, gg: dict | None = None) -> RepeatModelFits:
    return RepeatModelFits(
        bgnbd=BgNbdFit(**(SANE_BG | (bg or {})), n=2357),
        gamma_gamma=GammaGammaFit(**(SANE_GG | (gg or {})), n=946),
    )


def test_a_sane_fit_has_no_problems():
    assert fit_problems(fits(), members=2357, repeat_buyers=946) == []


@pytest.mark.parametrize(
    ("bg", "gg", "problem"),
    [
        # The 2031 fit of the demo: b stopped on the cap of 1e4.
        ({"a": 427.2, "b": 1e4}, {}, "BG/NBD b = 10,000 is at the fitter's upper cap (10,000): "
         "the history does not pin it down"),
        # Within 1 % of the cap counts: L-BFGS-B may stop a hair inside.
        ({"a": 9_950.0}, {}, "BG/NBD a = 9,950 is at the fitter's upper cap (10,000): "
         "the history does not pin it down"),
        ({}, {"q": 1000.0}, "Gamma-Gamma q = 1,000 is at the fitter's upper cap (1,000): "
         "the history does not pin it down"),
        ({"alpha": math.exp(-20)}, {}, "BG/NBD alpha = 2.06e-09 is at the fitter's lower cap "
         "(2.06e-09): the history does not pin it down"),
        ({"log_likelihood": -math.inf}, {}, "the BG/NBD log-likelihood is -inf, not a finite "
         "number"),
        ({}, {"log_likelihood": math.nan}, "the Gamma-Gamma log-likelihood is nan, not a finite "
         "number"),
    ],
)  # fmt: skip
def test_each_problem_is_named_in_plain_words(bg, gg, problem):
    assert fit_problems(fits(bg, gg), members=2357, repeat_buyers=946) == [problem]


def test_two_percent_under_a_cap_is_inside():
    assert fit_problems(fits({"b": 9_800.0}), members=2357, repeat_buyers=946) == []


def test_too_few_members_or_repeat_buyers():
    assert fit_problems(fits(), members=99, repeat_buyers=19) == [
        "only 99 members bought (at least 100 are needed)",
        "only 19 members came back (at least 20 are needed)",
    ]
    assert fit_problems(fits(), members=100, repeat_buyers=20) == []
