"""The offer model's calibration: predicted against actual redemption rate by score decile."""

from __future__ import annotations

import plotly.graph_objects as go

from apps.core.labels import CHROME, MEASURE_COLOR
from apps.reports.charts.layout import figure
from apps.reports.selectors import CalibrationDecile


def calibration_figure(deciles: list[CalibrationDecile]) -> dict:
    """One point per score decile (mean predicted %, share redeemed %) and the diagonal.

    A point on the dashed diagonal is a decile whose offers were redeemed as often as
    predicted; above it, more often. Both axes share one range, so the diagonal is at 45°.
    """
    x = [100 * d.predicted for d in deciles]
    y = [100 * d.actual for d in deciles]
    top = max([*x, *y, 1.0]) * 1.08
    traces = [
        go.Scatter(
            name="Perfect calibration (predicted = actual)",
            x=[0, top],
            y=[0, top],
            mode="lines",
            line={"color": CHROME["reference"], "dash": "dash"},
            hoverinfo="skip",
        ),
        go.Scatter(
            name="Score decile (1 = lowest scores)",
            x=x,
            y=y,
            mode="lines+markers+text",
            text=[str(d.decile) for d in deciles],
            textposition="top left",
            marker={"color": MEASURE_COLOR, "size": 9},
            line={"color": MEASURE_COLOR, "width": 1},
            customdata=[[d.decile, d.redeemed, d.offers] for d in deciles],
            hovertemplate=(
                "Decile %{customdata[0]}: predicted %{x:.1f}%, redeemed %{y:.1f}% "
                "(%{customdata[1]:,} of %{customdata[2]:,} offers)<extra></extra>"
            ),
        ),
    ]
    return figure(
        traces,
        "Offer model calibration<br><sup>given offers of ended periods, by score decile</sup>",
        height=400,
        xaxis={"title": {"text": "Predicted redemption rate (%)"}, "ticksuffix": "%",
               "range": [0, top], "constrain": "domain"},
        yaxis={"title": {"text": "Actual redemption rate (%)"}, "ticksuffix": "%",
               "range": [0, top]},
    )  # fmt: skip
