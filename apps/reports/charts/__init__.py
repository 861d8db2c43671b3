"""Plotly figures of the dashboard, built in Python and embedded as JSON (`json_script`).

Every colour comes from `apps.core.labels`, one per meaning across the product's pages:
national brand blue, store brand green, swingers orange; usage tiers light to dark; the
store's net cost brown, manufacturers' share violet; a single measure in slate.

One module per tab (`loyalty`, `redemption`; `offers`: the offer model's calibration) on a
shared look (`layout`); the figure functions are re-exported here.
"""

from __future__ import annotations

from apps.reports.charts.loyalty import (
    at_risk_figure,
    cells_figure,
    histogram_figure,
    moves_figure,
    pareto_figure,
    reach_figure,
)
from apps.reports.charts.offers import calibration_figure
from apps.reports.charts.redemption import (
    cost_month_figure,
    cost_split_figure,
    lift_figure,
    redemption_rate_figure,
)

__all__ = [
    "at_risk_figure",
    "calibration_figure",
    "cells_figure",
    "cost_month_figure",
    "cost_split_figure",
    "histogram_figure",
    "lift_figure",
    "moves_figure",
    "pareto_figure",
    "reach_figure",
    "redemption_rate_figure",
]
