"""The look every plotly figure shares: a plain layout dict, axes, the legend at the foot.

In `core` so that any app may draw a figure the dashboard's way (rewards draws the points
page's chart; reports, portal and segments the rest); `apps.reports.charts.layout`
re-exports it with the dashboard's own helpers.
"""

from __future__ import annotations

from apps.core.labels import CHROME

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12}
LEGEND = {"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"}


def axis_style(axis: dict) -> dict:
    return {
        "gridcolor": CHROME["grid"],
        "zerolinecolor": CHROME["axis"],
        "automargin": True,
        **axis,
    }


def figure(traces: list, title: str, *, height: int = 360, **layout) -> dict:
    """Return {data, layout} for `json_script`: validated traces, a plain layout.

    Traces are graph_objects (validated); the layout is a dict rather than go.Layout with a
    template, whose deep copies and validation cost tens of ms per chart on every page.
    """
    # The legend at the foot of the figure, under the x-axis title, whatever the height.
    layout.setdefault("legend", LEGEND)
    for name in ("xaxis", "yaxis"):
        layout[name] = axis_style(layout.get(name, {}))
    return {
        "data": [trace.to_plotly_json() for trace in traces],
        "layout": {
            "title": {"text": title, "x": 0, "font": {"size": 15}},
            "height": height,
            "margin": {"l": 60, "r": 20, "t": 50, "b": 95},
            "plot_bgcolor": "white",
            "paper_bgcolor": "white",
            "font": FONT,
            **layout,
        },
    }
