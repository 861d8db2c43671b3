"""Plotly figures of the member-value page, built in Python and embedded as JSON."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PARETO_TITLE = _("Pareto curve: share of sales by the best members")
PARETO_X_TITLE = _("Share of members, most valuable first (%)")
PARETO_Y_TITLE = _("Cumulative share of sales (%)")
# The one label of the Pareto headline, on the member-value page and the dashboard alike.
# xgettext:no-python-format
TOP_SHARE_CAPTION = _("Top 20% of members bring")


def top_share_percent(top_share: float | None) -> str:
    """Return the top 20 %'s share of sales as shown everywhere: whole percent, or a dash."""
    return "—" if top_share is None else f"{100 * top_share:.0f}%"


def pareto_headline(top_share: float | None) -> str:
    """Return "Top 20% of members bring 63% of sales"."""
    return gettext("%(caption)s %(share)s of sales") % {
        "caption": TOP_SHARE_CAPTION,
        "share": top_share_percent(top_share),
    }


def pareto_traces(points: list[tuple[float, float]], *, color: str) -> list[go.Scatter]:
    """The Pareto curve (points: share of members, share of sales, as fractions) and the
    diagonal of equal spend; the member-value page and the marketing dashboard draw these."""
    return [
        go.Scatter(
            x=[100 * m for m, _ in points],
            y=[100 * s for _, s in points],
            mode="lines",
            line={"color": color, "width": 3},
            name=gettext("Members"),
            hovertemplate=gettext("Top %{x:.0f}% of members: %{y:.1f}% of sales")
            + "<extra></extra>",
        ),
        go.Scatter(
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            line={"color": "#adb5bd", "dash": "dot"},
            name=gettext("Equal spend"),
            hoverinfo="skip",
        ),
    ]


def pareto_annotations(top_share: float | None) -> list[dict]:
    """The arrow at the top 20 % of members, when their share of sales is known."""
    if top_share is None:
        return []
    text = pareto_headline(top_share)
    return [{"x": 20, "y": 100 * top_share, "text": text, "showarrow": True, "arrowhead": 2,
             "ax": 60, "ay": 30}]  # fmt: skip


def pareto_figure(points: list[dict], top_share: float | None) -> dict:
    """Return the cumulative share of sales by share of members, best members first.

    points: the rows of selectors.pareto_points (the dashboard draws the same rows).
    """
    curve = [(0.0, 0.0)] + [(p["member_share"], p["sales_share"]) for p in points]
    figure = go.Figure(pareto_traces(curve, color="#198754"))
    figure.update_layout(
        title={"text": str(PARETO_TITLE), "x": 0},
        xaxis={"title": str(PARETO_X_TITLE), "range": [0, 100]},
        yaxis={"title": str(PARETO_Y_TITLE), "range": [0, 101]},
        annotations=pareto_annotations(top_share),
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        height=360,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.25},
    )
    return json.loads(figure.to_json())
