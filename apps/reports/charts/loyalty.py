"""The loyalty tab's figures: cells, moves between loyalty groups, member value, list reach."""

from __future__ import annotations

from operator import attrgetter

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.labels import (
    COLORS,
    LOYALTY_COLORS,
    LOYALTY_LABELS,
    LOYALTY_ORDER,
    MEASURE_COLOR,
    MOVE_COLORS,
    MOVE_LABELS,
)
from apps.reports.charts.layout import LEGEND, figure, hex_to_rgba
from apps.reports.selectors import CellTotal, HistogramBin, PeriodReach, StoreValue
from apps.segments.charts import (
    PARETO_TITLE,
    PARETO_X_TITLE,
    PARETO_Y_TITLE,
    pareto_annotations,
    pareto_traces,
)


def cells_figure(cells: list[CellTotal], *, measure: str) -> dict:
    """Buyers (or sales) per usage tier, one bar per loyalty group, in the palette.

    `measure` is "members" or "sales".
    """
    money = measure == "sales"
    value_of = attrgetter(measure)
    traces = []
    for loyalty in LOYALTY_ORDER:
        label = str(LOYALTY_LABELS[loyalty])
        rows = sorted((c for c in cells if c.loyalty == loyalty), key=lambda c: c.usage_tier)
        traces.append(
            go.Bar(
                name=label,
                x=[_("%(tier)s usage") % {"tier": c.tier_name} for c in rows],
                y=[float(value_of(c)) for c in rows],
                marker_color=LOYALTY_COLORS[loyalty],
                hovertemplate=(
                    f"{label}, %{{x}}: "
                    + ("$%{y:,.0f}" if money else _("%{y:,} buyers"))
                    + "<extra></extra>"
                ),
            )
        )
    return figure(
        traces,
        _("Category sales by loyalty × usage cell")
        if money
        else _("Buyers by loyalty × usage cell"),
        barmode="group",
        xaxis={"title": {"text": _("Usage tier (category spend terciles)")}},
        yaxis={
            "title": {"text": _("Sales at paid prices ($)") if money else _("Buyers")},
            "tickprefix": "$" if money else "",
            "tickformat": ",.0f",
            "rangemode": "tozero",
        },
    )


def moves_figure(totals: dict[tuple[str, str], int], *, since: str) -> dict:
    """A Sankey of buyers from the previous snapshot's loyalty group to the current one."""
    sources = ["national", "swinger", "store", "new"]
    targets = ["national", "swinger", "store", "lapsed"]
    now = _("now")
    labels = [f"{MOVE_LABELS[s]} ({since})" for s in sources] + [
        f"{MOVE_LABELS[t]} ({now})" for t in targets
    ]
    colors = [MOVE_COLORS[s] for s in sources] + [MOVE_COLORS[t] for t in targets]
    link = {"source": [], "target": [], "value": [], "color": []}
    for i, source in enumerate(sources):
        for j, target in enumerate(targets):
            value = totals.get((source, target), 0)
            if value:
                link["source"].append(i)
                link["target"].append(len(sources) + j)
                link["value"].append(value)
                link["color"].append(hex_to_rgba(MOVE_COLORS[source], 0.35))
    traces = [
        go.Sankey(
            arrangement="fixed",
            node={"label": labels, "color": colors, "pad": 18, "thickness": 18},
            link={**link, "hovertemplate": "%{source.label} → %{target.label}: "
                  + _("%{value:,} buyers") + "<extra></extra>"},
            valueformat=",d",
        )
    ]  # fmt: skip
    title = _("How buyers moved between loyalty groups since %(since)s") % {"since": since}
    return figure(traces, title, height=380)


def histogram_figure(bins: list[HistogramBin], *, measure: str) -> dict:
    """Members per bin of CLV or of P(active)."""
    clv = measure == "clv"
    width = next((b.upper - b.lower for b in bins if b.upper is not None), 1.0)
    scale = 1 if clv else 100
    text = []
    for b in bins:
        if clv:
            upper = _(" and above") if b.upper is None else f"–${b.upper:,.0f}"
            text.append(f"${b.lower:,.0f}{upper}")
        else:
            text.append(f"{b.lower:.0%}–{b.upper:.0%}")
    traces = [
        go.Bar(
            x=[scale * (b.lower + width / 2) for b in bins],
            y=[b.members for b in bins],
            width=[scale * width] * len(bins),
            customdata=text,
            marker_color=MEASURE_COLOR,
            marker_line={"color": "white", "width": 1},
            hovertemplate="%{customdata}: " + _("%{y:,} members") + "<extra></extra>",
        )
    ]
    if clv:
        title, xaxis = (
            _("Members by 12-month customer lifetime value"),
            {"title": {"text": _("CLV, 12 months ($; last bar: top 1 % and above)")},
             "tickprefix": "$", "tickformat": ",.0f"},
        )  # fmt: skip
    else:
        title, xaxis = (
            _("Members by probability of being still active"),
            {"title": {"text": "P(active) (%)"}, "range": [0, 100], "ticksuffix": "%"},
        )
    return figure(
        traces,
        title,
        showlegend=False,
        xaxis=xaxis,
        yaxis={"title": {"text": _("Members")}, "tickformat": ",d"},
    )


def at_risk_figure(stores: list[StoreValue]) -> dict:
    """Members per home store, those at risk of churning in red, stores as rows."""
    names = [s.store for s in stores]
    traces = [
        go.Bar(
            name=_("At risk"),
            y=names,
            x=[s.at_risk for s in stores],
            orientation="h",
            marker_color=COLORS["at_risk"],
            customdata=[100 * (s.at_risk_share or 0) for s in stores],
            hovertemplate=_("%{y}: %{x:,} at risk (%{customdata:.1f}%)") + "<extra></extra>",
        ),
        go.Bar(
            name=_("Not at risk"),
            y=names,
            x=[s.members - s.at_risk for s in stores],
            orientation="h",
            marker_color=COLORS["not_at_risk"],
            hovertemplate=_("%{y}: %{x:,} not at risk") + "<extra></extra>",
        ),
    ]
    return figure(
        traces,
        _("Members at risk of churning, by home store"),
        height=max(300, 130 + 28 * len(names)),
        barmode="stack",
        xaxis={"title": {"text": _("Members scored")}, "tickformat": ",d"},
        yaxis={"automargin": True, "autorange": "reversed"},
        legend={**LEGEND, "traceorder": "normal"},
    )


def reach_figure(periods: list[PeriodReach]) -> dict:
    """Per list period: lists made (eligible members), lists with offers, lists redeemed."""
    x = [p.period_start.isoformat() for p in periods]
    traces = []
    for count_of, name, color in (
        (attrgetter("lists"), _("Lists made (eligible members)"), COLORS["lists_made"]),
        (attrgetter("with_offers"), _("With an offer"), COLORS["lists_with_offer"]),
        (attrgetter("redeemed_lists"), _("With a redemption"), COLORS["lists_redeemed"]),
    ):
        traces.append(
            go.Bar(
                name=name,
                x=x,
                y=[count_of(p) for p in periods],
                marker_color=color,
                hovertemplate=f"{name}, "
                + _("period of %{x|%b %d, %Y}")
                + ": %{y:,}<extra></extra>",
            )
        )
    return figure(
        traces,
        _("List reach per biweekly period"),
        barmode="group",
        xaxis={"title": {"text": _("List period starting")}, "type": "date",
               "tickformat": pgettext("plotly tick format", "%b %d")},
        yaxis={"title": {"text": _("Lists")}, "tickformat": ",d", "rangemode": "tozero"},
    )  # fmt: skip


def pareto_figure(points: list[dict], top_share: float | None) -> dict:
    """Cumulative share of sales by share of members, best members first (as Member value)."""
    curve = [(0.0, 0.0)] + [(p["member_share"], p["sales_share"]) for p in points]
    return figure(
        pareto_traces(curve, color=MEASURE_COLOR),
        str(PARETO_TITLE),
        annotations=pareto_annotations(top_share),
        xaxis={"title": {"text": str(PARETO_X_TITLE)}, "range": [0, 100]},
        yaxis={"title": {"text": str(PARETO_Y_TITLE)}, "range": [0, 101]},
    )
