"""The dashboard figures' shared look: a plain layout dict, axes, a names axis, the legend."""

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


LABEL_CHARACTERS = 32


def names_axis(names: list[str]) -> dict:
    """A category axis of names, each cut to LABEL_CHARACTERS on the tick (whole in the
    hover): long campaign names would otherwise take most of a chart's width."""
    ticks = [n if len(n) <= LABEL_CHARACTERS else n[: LABEL_CHARACTERS - 1] + "…" for n in names]
    return {
        "automargin": True,
        "autorange": "reversed",
        "tickmode": "array",
        "tickvals": names,
        "ticktext": ticks,
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


def hex_to_rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
