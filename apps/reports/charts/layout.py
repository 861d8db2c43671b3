"""The dashboard figures' shared look: a plain layout dict, axes, a names axis, the legend."""

from __future__ import annotations

# The shared look lives in core (the points page draws with it too); re-exported here.
from apps.core.figures import FONT, LEGEND, axis_style, figure  # noqa: F401

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


def hex_to_rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
