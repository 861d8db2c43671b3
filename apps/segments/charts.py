"""Plotly figures of the member-value page, built in Python and embedded as JSON."""

from __future__ import annotations

import json

import plotly.graph_objects as go


def pareto_figure(points: list[tuple[float, float]], top_share: float | None) -> dict:
    """Return the cumulative share of sales by share of members, best members first."""
    members = [100 * m for m, _ in points]
    sales = [100 * s for _, s in points]
    figure = go.Figure(
        go.Scatter(
            x=members,
            y=sales,
            mode="lines",
            line={"color": "#198754", "width": 3},
            hovertemplate="Top %{x:.0f}% of members: %{y:.1f}% of sales<extra></extra>",
            name="Members",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            line={"color": "#adb5bd", "dash": "dot"},
            name="Equal spend",
            hoverinfo="skip",
        )
    )
    if top_share is not None:
        figure.add_annotation(
            x=20,
            y=100 * top_share,
            text=f"Top 20% bring {100 * top_share:.0f}% of sales",
            showarrow=True,
            arrowhead=2,
            ax=60,
            ay=30,
        )
    figure.update_layout(
        title={"text": "Pareto curve: share of sales by the best members", "x": 0},
        xaxis={"title": "Share of members, most valuable first (%)", "range": [0, 100]},
        yaxis={"title": "Cumulative share of sales (%)", "range": [0, 101]},
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        height=360,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.25},
    )
    return json.loads(figure.to_json())
