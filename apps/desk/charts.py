"""Plotly figures of the member pages, built in Python and embedded as JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

BRAND_GREEN = "#198754"


def weekly_spend_figure(weeks: list[tuple[dt.date, Decimal]]) -> dict:
    """Return a bar chart of spend per week as a plain dict for `json_script`."""
    fig = go.Figure(
        go.Bar(
            x=[week.isoformat() for week, _ in weeks],
            y=[float(total) for _, total in weeks],
            marker_color=BRAND_GREEN,
            hovertemplate=_("Week of %{x|%b %d, %Y}") + "<br>$%{y:,.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title={
            "text": ngettext(
                "Weekly spend, last %(weeks)d week",
                "Weekly spend, last %(weeks)d weeks",
                len(weeks),
            )
            % {"weeks": len(weeks)},
            "x": 0,
            "font": {"size": 15},
        },
        xaxis={
            "title": {"text": _("Week starting")},
            "tickformat": pgettext("plotly tick format", "%b %Y"),
            "type": "date",
        },
        yaxis={
            "title": {"text": _("Spend")},
            "tickprefix": "$",
            "tickformat": ",.0f",
            "rangemode": "tozero",
            "gridcolor": "#e9ecef",
        },
        margin={"l": 60, "r": 10, "t": 40, "b": 50},
        height=320,
        bargap=0.15,
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12},
    )
    return json.loads(fig.to_json())
