"""Plotly figures of the portal, drawn from a section's published figures only.

A withheld figure is never drawn as a number: a withheld week is a full-height band marked
"withheld", a withheld part of a stacked bar is named beside the bar, a withheld cell of a
heatmap is blank and reads "withheld".
"""

from __future__ import annotations

import datetime as dt
import json

import plotly.graph_objects as go
from django.utils.translation import gettext, pgettext

from apps.core.labels import BRAND_COLORS, COLORS, MEASURE_SCALE, NATIONAL, STORE
from apps.portal.formatting import as_text
from apps.portal.sections import GROUP_LABELS, TOTAL, Section, Withheld

# Your money is the manufacturers' share of discounts on every page; other national brands
# and the store brand are the colours of national-brand and store-brand loyal buyers on
# the chain's dashboard (apps.core.labels: one colour per meaning).
GROUP_COLORS = {
    "yours": COLORS["your_brands"],
    "national": BRAND_COLORS[NATIONAL],
    "store": BRAND_COLORS[STORE],
}
FUNDED_COLOR = COLORS["manufacturer_share"]
WITHHELD_COLOR = COLORS["hidden"]
LAYOUT = dict(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 50})
DAY_MS = 86_400_000
WEEKLY_TICKS_UP_TO = 12  # weeks; beyond, plotly's own ticks


def _number(value):
    """Return a plottable number, or None for a withheld or empty figure."""
    return None if value is None or isinstance(value, Withheld) else float(value)


def weekly_funding_figure(section: Section) -> dict:
    """Bars of the money you funded each week; a withheld week is a band that says so."""
    weeks = [str(row["label"]) for row in section.rows]
    funded = [_number(row["funded"]) for row in section.rows]
    withheld = [w for w, row in zip(weeks, section.rows, strict=True)
                if isinstance(row["funded"], Withheld)]  # fmt: skip
    figure = go.Figure(
        go.Bar(
            x=weeks,
            y=funded,
            # Each bar spans its week from Monday, however few weeks the period holds (one
            # week alone would otherwise be drawn as wide as the chart).
            width=[6 * DAY_MS] * len(weeks),
            offset=0,
            marker_color=FUNDED_COLOR,
            name=gettext("Funded by you"),
            customdata=[as_text(row["redemptions"], "count") for row in section.rows],
            # Plotly's placeholders (%{x}) are no Python format: the message keeps them as is.
            # xgettext:no-python-format
            hovertemplate=gettext("Week of %{x}: $%{y:,.2f} funded, %{customdata} redemptions")
            + "<extra></extra>",
        )
    )
    if withheld:
        top = max((v for v in funded if v), default=1.0)
        figure.add_trace(
            go.Bar(
                x=withheld,
                y=[top] * len(withheld),
                width=[6 * DAY_MS] * len(withheld),
                offset=0,
                marker={"color": WITHHELD_COLOR, "opacity": 0.25, "pattern": {"shape": "/"}},
                text=[gettext("withheld")] * len(withheld),
                textposition="inside",
                name=gettext("Withheld (too few members)"),
                # xgettext:no-python-format
                hovertemplate=gettext("Week of %{x}: withheld") + "<extra></extra>",
            )
        )
    # A d3 date format: month and day of each Monday's tick.
    # xgettext:no-python-format
    tick = pgettext("plotly tick format", "%b %-d")
    xaxis = {"title": gettext("Week from (Monday)"), "type": "date", "tickformat": tick}
    if 0 < len(weeks) <= WEEKLY_TICKS_UP_TO:
        # One tick per Monday: plotly's own ticks on a short range repeat a day's date.
        first, last = dt.date.fromisoformat(weeks[0]), dt.date.fromisoformat(weeks[-1])
        xaxis |= {
            "tick0": weeks[0],
            "dtick": 7 * DAY_MS,
            "range": [(first - dt.timedelta(days=3)).isoformat(),
                      (last + dt.timedelta(days=10)).isoformat()],
        }  # fmt: skip
    figure.update_layout(
        title={"text": gettext("Discount money you funded, by week"), "x": 0},
        xaxis=xaxis,
        yaxis={"title": gettext("Funded ($)"), "rangemode": "tozero"},
        height=320,
        legend={"orientation": "h", "y": -0.3},
        barmode="overlay",
        **LAYOUT,
    )
    return json.loads(figure.to_json())


def sales_mix_figure(section: Section) -> dict:
    """Stacked bars: each category's member sales by brand type; withheld parts named."""
    labels = [str(row["label"]) for row in section.rows]
    names = {k: str(label) for k, label in GROUP_LABELS.items()}
    figure = go.Figure()
    for key, name in names.items():
        figure.add_trace(
            go.Bar(
                y=labels,
                x=[_number(row.get(key)) for row in section.rows],
                name=name,
                orientation="h",
                marker_color=GROUP_COLORS[key],
                customdata=[as_text(row.get(key), "money") for row in section.rows],
                hovertemplate="%{y}: %{customdata}<extra>" + name + "</extra>",
            )
        )
    notes = [
        pgettext("list separator", ", ").join(
            n for k, n in names.items() if isinstance(row.get(k), Withheld)
        )
        for row in section.rows
    ]
    if any(notes):
        figure.add_trace(
            go.Scatter(
                y=labels,
                x=[sum(_number(row.get(k)) or 0 for k in names) for row in section.rows],
                mode="text",
                text=[
                    "  " + gettext("withheld: %(parts)s") % {"parts": n} if n else "" for n in notes
                ],  # fmt: skip
                textposition="middle right",
                textfont={"color": WITHHELD_COLOR},
                name=gettext("Withheld (too few members)"),
                hoverinfo="skip",
            )
        )
    figure.update_layout(
        barmode="stack",
        title={"text": gettext("Member sales by brand type"), "x": 0},
        xaxis={"title": gettext("Sales ($)")},
        yaxis={"autorange": "reversed"},
        height=max(260, 60 + 36 * len(labels)),
        legend={"orientation": "h", "y": -0.25, "traceorder": "normal"},
        **LAYOUT,
    )
    return json.loads(figure.to_json())


def matrix_figure(section: Section, *, title: str, colorscale: str | list = MEASURE_SCALE) -> dict:
    """A heatmap of a cross-table's cells (not its totals); withheld cells blank, labelled."""
    columns = [c for c in section.columns[1:] if c.key != TOTAL]
    rows = [row for row in section.rows if any(row[c.key] is not None for c in columns)]
    z = [[_number(row[c.key]) for c in columns] for row in rows]
    text = [["" if row[c.key] is None else as_text(row[c.key], c.kind) for c in columns]
            for row in rows]  # fmt: skip
    published = [v for line in z for v in line if v is not None]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            # From zero: a cell showing 0 is the palest, whatever the other cells hold.
            zmin=0,
            zmax=max(published, default=0) or 1,
            x=[str(c.label) for c in columns],
            y=[str(row["label"]) for row in rows],
            text=text,
            texttemplate="%{text}",
            colorscale=colorscale,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        title={"text": str(title), "x": 0},
        yaxis={"autorange": "reversed"},
        height=120 + 60 * len(rows),
        **LAYOUT,
    )
    return json.loads(figure.to_json())
