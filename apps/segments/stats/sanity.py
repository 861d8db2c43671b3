"""Is a fit fit to use? The checks that decide whether a new fit may replace the live one.

The fitter always returns something: when the history cannot pin a parameter down (a
calibration end weeks past the last basket makes every member look gone, so the dropout
Beta runs to its cap), L-BFGS-B stops on the bound it was given and the fit "succeeds".
Such a fit scores members nonsensically (P(active) 0.00 for last week's shopper), so it is
kept as a candidate for a person to look at, not put live.
"""

from __future__ import annotations

import math

from .bgnbd import LOG_BOUNDS as BGNBD_LOG_BOUNDS
from .gamma_gamma import LOG_BOUNDS as GAMMA_GAMMA_LOG_BOUNDS
from .scoring import RepeatModelFits

__all__ = ["MIN_MEMBERS", "MIN_REPEAT_BUYERS", "fit_problems"]

# Four BG/NBD parameters and three Gamma-Gamma ones need a few hundred members to mean
# anything; under these counts a chain has no use for the models yet.
MIN_MEMBERS = 100
MIN_REPEAT_BUYERS = 20

# A parameter within 1 % of a bound (on its own scale) sits on it: L-BFGS-B may stop a hair
# inside a bound it is pushing against.
CAP_MARGIN = math.log(1.01)


def _bound_problems(
    model: str, values: dict[str, float | None], bounds: dict[str, tuple[float, float]]
) -> list[str]:
    problems = []
    for name, value in values.items():
        if value is None:
            problems.append(f"{model} {name} is missing")
            continue
        if not math.isfinite(value) or value <= 0:
            problems.append(f"{model} {name} = {value} is not a positive number")
            continue
        low, high = bounds[name]
        log_value = math.log(value)
        if log_value >= high - CAP_MARGIN:
            problems.append(
                f"{model} {name} = {value:,.6g} is at the fitter's upper cap "
                f"({math.exp(high):,.6g}): the history does not pin it down"
            )
        elif log_value <= low + CAP_MARGIN:
            problems.append(
                f"{model} {name} = {value:.3g} is at the fitter's lower cap "
                f"({math.exp(low):.3g}): the history does not pin it down"
            )
    return problems


def fit_problems(
    fits: RepeatModelFits,
    *,
    members: int,
    repeat_buyers: int,
    min_members: int = MIN_MEMBERS,
    min_repeat_buyers: int = MIN_REPEAT_BUYERS,
) -> list[str]:
    """Return why the fits should not go live, in plain words; empty when they may.

    A fit may go live when every parameter lies inside the box the fitter searches (not on
    one of its caps), both log-likelihoods are finite and enough members are behind it.
    """
    problems: list[str] = []
    if members < min_members:
        problems.append(f"only {members} members bought (at least {min_members} are needed)")
    if repeat_buyers < min_repeat_buyers:
        problems.append(
            f"only {repeat_buyers} members came back (at least {min_repeat_buyers} are needed)"
        )
    bg, gg = fits.bgnbd, fits.gamma_gamma
    for model, ll in (("BG/NBD", bg.log_likelihood), ("Gamma-Gamma", gg.log_likelihood)):
        if ll is None or not math.isfinite(ll):
            problems.append(f"the {model} log-likelihood is {ll}, not a finite number")
    problems += _bound_problems(
        "BG/NBD", {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b}, BGNBD_LOG_BOUNDS
    )
    problems += _bound_problems(
        "Gamma-Gamma", {"p": gg.p, "q": gg.q, "gamma": gg.gamma}, GAMMA_GAMMA_LOG_BOUNDS
    )
    return problems
