"""Plotly figures of the dashboard, built in Python and embedded as JSON (`json_script`).

Every colour comes from `apps.core.labels`, one per meaning across the product's pages:
national brand blue, store brand green, swingers orange; usage tiers light to dark; the
store's net cost brown, manufacturers' share violet; a single measure in slate.
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

import plotly.graph_objects as go

from apps.core.labels import (
    CHROME,
    COLORS,
    LOYALTY_COLORS,
    LOYALTY_LABELS,
    LOYALTY_ORDER,
    MANUFACTURER_COLOR,
    MEASURE_COLOR,
    MOVE_COLORS,
    MOVE_LABELS,
    STORE_COST_COLOR,
    TIER_COLORS,
    TIER_ORDER,
    usage_label,
)
from apps.reports import wording
from apps.reports.selectors import (
    CampaignResult,
    CellRedemption,
    CellTotal,
    HistogramBin,
    MonthCost,
    PeriodReach,
    StoreValue,
)
from apps.segments.charts import (
    PARETO_TITLE,
    PARETO_X_TITLE,
    PARETO_Y_TITLE,
    pareto_annotations,
    pareto_traces,
)

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12}
LEGEND = {"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"}


def _axis(axis: dict) -> dict:
    return {
        "gridcolor": CHROME["grid"],
        "zerolinecolor": CHROME["axis"],
        "automargin": True,
        **axis,
    }


LABEL_CHARACTERS = 32


def _names_axis(names: list[str]) -> dict:
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


def _figure(traces: list, title: str, *, height: int = 360, **layout) -> dict:
    """Return {data, layout} for `json_script`: validated traces, a plain layout.

    Traces are graph_objects (validated); the layout is a dict rather than go.Layout with a
    template, whose deep copies and validation cost tens of ms per chart on every page.
    """
    # The legend at the foot of the figure, under the x-axis title, whatever the height.
    layout.setdefault("legend", LEGEND)
    for name in ("xaxis", "yaxis"):
        layout[name] = _axis(layout.get(name, {}))
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


def _hex_to_rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def cells_figure(cells: list[CellTotal], *, measure: str) -> dict:
    """Buyers (or sales) per usage tier, one bar per loyalty group, in the palette.

    `measure` is "members" or "sales".
    """
    money = measure == "sales"
    value_of = attrgetter(measure)
    traces = []
    for loyalty in LOYALTY_ORDER:
        label = LOYALTY_LABELS[loyalty]
        rows = sorted((c for c in cells if c.loyalty == loyalty), key=lambda c: c.usage_tier)
        traces.append(
            go.Bar(
                name=label,
                x=[f"{c.tier_name} usage" for c in rows],
                y=[float(value_of(c)) for c in rows],
                marker_color=LOYALTY_COLORS[loyalty],
                hovertemplate=(
                    f"{label}, %{{x}}: "
                    + ("$%{y:,.0f}" if money else "%{y:,} buyers")
                    + "<extra></extra>"
                ),
            )
        )
    return _figure(
        traces,
        "Category sales by loyalty × usage cell" if money else "Buyers by loyalty × usage cell",
        barmode="group",
        xaxis={"title": {"text": "Usage tier (category spend terciles)"}},
        yaxis={
            "title": {"text": "Sales at paid prices ($)" if money else "Buyers"},
            "tickprefix": "$" if money else "",
            "tickformat": ",.0f",
            "rangemode": "tozero",
        },
    )


def moves_figure(totals: dict[tuple[str, str], int], *, since: str) -> dict:
    """A Sankey of buyers from the previous snapshot's loyalty group to the current one."""
    sources = ["national", "swinger", "store", "new"]
    targets = ["national", "swinger", "store", "lapsed"]
    labels = [f"{MOVE_LABELS[s]} ({since})" for s in sources] + [
        f"{MOVE_LABELS[t]} (now)" for t in targets
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
                link["color"].append(_hex_to_rgba(MOVE_COLORS[source], 0.35))
    traces = [
        go.Sankey(
            arrangement="fixed",
            node={"label": labels, "color": colors, "pad": 18, "thickness": 18},
            link={**link, "hovertemplate": "%{source.label} → %{target.label}: "
                  "%{value:,} buyers<extra></extra>"},
            valueformat=",d",
        )
    ]  # fmt: skip
    return _figure(traces, f"How buyers moved between loyalty groups since {since}", height=380)


def histogram_figure(bins: list[HistogramBin], *, measure: str) -> dict:
    """Members per bin of CLV or of P(active)."""
    clv = measure == "clv"
    width = next((b.upper - b.lower for b in bins if b.upper is not None), 1.0)
    scale = 1 if clv else 100
    text = []
    for b in bins:
        if clv:
            upper = " and above" if b.upper is None else f"–${b.upper:,.0f}"
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
            hovertemplate="%{customdata}: %{y:,} members<extra></extra>",
        )
    ]
    if clv:
        title, xaxis = (
            "Members by 12-month customer lifetime value",
            {"title": {"text": "CLV, 12 months ($; last bar: top 1 % and above)"},
             "tickprefix": "$", "tickformat": ",.0f"},
        )  # fmt: skip
    else:
        title, xaxis = (
            "Members by probability of being still active",
            {"title": {"text": "P(active) (%)"}, "range": [0, 100], "ticksuffix": "%"},
        )
    return _figure(
        traces,
        title,
        showlegend=False,
        xaxis=xaxis,
        yaxis={"title": {"text": "Members"}, "tickformat": ",d"},
    )


def at_risk_figure(stores: list[StoreValue]) -> dict:
    """Members per home store, those at risk of churning in red, stores as rows."""
    names = [s.store for s in stores]
    traces = [
        go.Bar(
            name="At risk",
            y=names,
            x=[s.at_risk for s in stores],
            orientation="h",
            marker_color=COLORS["at_risk"],
            customdata=[100 * (s.at_risk_share or 0) for s in stores],
            hovertemplate="%{y}: %{x:,} at risk (%{customdata:.1f}%)<extra></extra>",
        ),
        go.Bar(
            name="Not at risk",
            y=names,
            x=[s.members - s.at_risk for s in stores],
            orientation="h",
            marker_color=COLORS["not_at_risk"],
            hovertemplate="%{y}: %{x:,} not at risk<extra></extra>",
        ),
    ]
    return _figure(
        traces,
        "Members at risk of churning, by home store",
        height=max(300, 130 + 28 * len(names)),
        barmode="stack",
        xaxis={"title": {"text": "Members scored"}, "tickformat": ",d"},
        yaxis={"automargin": True, "autorange": "reversed"},
        legend={**LEGEND, "traceorder": "normal"},
    )


def reach_figure(periods: list[PeriodReach]) -> dict:
    """Per list period: lists made (eligible members), lists with offers, lists redeemed."""
    x = [p.period_start.isoformat() for p in periods]
    traces = []
    for count_of, name, color in (
        (attrgetter("lists"), "Lists made (eligible members)", COLORS["lists_made"]),
        (attrgetter("with_offers"), "With an offer", COLORS["lists_with_offer"]),
        (attrgetter("redeemed_lists"), "With a redemption", COLORS["lists_redeemed"]),
    ):
        traces.append(
            go.Bar(
                name=name,
                x=x,
                y=[count_of(p) for p in periods],
                marker_color=color,
                hovertemplate=f"{name}, period of %{{x|%b %d, %Y}}: %{{y:,}}<extra></extra>",
            )
        )
    return _figure(
        traces,
        "List reach per biweekly period",
        barmode="group",
        xaxis={"title": {"text": "List period starting"}, "type": "date",
               "tickformat": "%b %d"},
        yaxis={"title": {"text": "Lists"}, "tickformat": ",d", "rangemode": "tozero"},
    )  # fmt: skip


def redemption_rate_figure(cell_rows: list[CellRedemption]) -> dict:
    """Redemption rate (redeemers ÷ members who got the offer) per campaign and usage tier."""
    totals: dict[tuple[str, int], list[int]] = {}
    campaigns: list[str] = []
    for r in cell_rows:
        if r.campaign_name not in campaigns:
            campaigns.append(r.campaign_name)
        got = totals.setdefault((r.campaign_name, r.usage_tier), [0, 0])
        got[0] += r.figures.redeemers
        got[1] += r.figures.reached
    traces = []
    for tier in TIER_ORDER:
        name = usage_label(tier)
        values = [totals.get((c, tier)) for c in campaigns]
        traces.append(
            go.Bar(
                name=name,
                x=campaigns,
                y=[100 * v[0] / v[1] if v and v[1] else None for v in values],
                customdata=[[v[0], v[1]] if v else [0, 0] for v in values],
                marker_color=TIER_COLORS[tier],
                hovertemplate=(
                    f"%{{x}}, {name.lower()}: %{{y:.1f}}% "
                    "(%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>"
                ),
            )
        )
    return _figure(
        traces,
        "Redemption rate by campaign and usage tier",
        barmode="group",
        xaxis={"title": {"text": "Campaign"}},
        yaxis={"title": {"text": "Redemption rate (%)"},
               "ticksuffix": "%", "rangemode": "tozero"},
    )  # fmt: skip


def cost_split_figure(campaigns: list[CampaignResult]) -> dict:
    """Discount cost per campaign: the store's net cost and the manufacturers' share."""
    names = [c.name for c in campaigns]
    traces = [
        go.Bar(
            name="Store (net cost)",
            y=names,
            x=[float(c.redemption.store_cost) for c in campaigns],
            orientation="h",
            marker_color=STORE_COST_COLOR,
            hovertemplate="%{y}: store pays $%{x:,.2f}<extra></extra>",
        ),
        go.Bar(
            name="Manufacturers",
            y=names,
            x=[float(c.redemption.manufacturer_share) for c in campaigns],
            orientation="h",
            marker_color=MANUFACTURER_COLOR,
            hovertemplate="%{y}: manufacturers pay $%{x:,.2f}<extra></extra>",
        ),
    ]
    return _figure(
        traces,
        "Discount cost by campaign: store vs manufacturers",
        height=max(260, 120 + 40 * len(names)),
        barmode="stack",
        xaxis={"title": {"text": "Discounts given ($)"}, "tickprefix": "$",
               "tickformat": ",.0f"},
        yaxis=_names_axis(names),
    )  # fmt: skip


MONTH_BAR_MS = 20 * 86_400_000  # a month's bar: 20 days wide, however few months are shown


def _few_months_range(months: list) -> dict:
    """Show at least three months' width, so one month alone is not one bar across the chart."""
    if not months or len(months) >= 3:
        return {}
    return {"range": [(months[0] - dt.timedelta(days=45)).isoformat(),
                      (months[-1] + dt.timedelta(days=45)).isoformat()]}  # fmt: skip


def cost_month_figure(months: list[MonthCost]) -> dict:
    """Discounts per month, the store's net cost and the manufacturers' share stacked."""
    x = [m.month.isoformat() for m in months]
    traces = [
        go.Bar(
            name="Store (net cost)",
            x=x,
            y=[float(m.store_cost) for m in months],
            width=[MONTH_BAR_MS] * len(x),
            marker_color=STORE_COST_COLOR,
            hovertemplate="%{x|%b %Y}: store pays $%{y:,.2f}<extra></extra>",
        ),
        go.Bar(
            name="Manufacturers",
            x=x,
            y=[float(m.manufacturer_share) for m in months],
            width=[MONTH_BAR_MS] * len(x),
            marker_color=MANUFACTURER_COLOR,
            hovertemplate="%{x|%b %Y}: manufacturers pay $%{y:,.2f}<extra></extra>",
        ),
    ]
    return _figure(
        traces,
        "Discount cost per month",
        barmode="stack",
        xaxis={"title": {"text": "Month of purchase"}, "type": "date", "tickformat": "%b %Y",
               "dtick": "M1", **_few_months_range([m.month for m in months])},
        yaxis={"title": {"text": "Discounts given ($)"}, "tickprefix": "$",
               "tickformat": ",.0f"},
    )  # fmt: skip


def lift_figure(campaigns: list[CampaignResult], *, measure: str) -> dict:
    """Each campaign's difference to its holdout with its 95 % interval (a forest plot).

    `measure` is "sales" (the sales lift per member) or "conversion". A filled diamond is a
    difference whose interval excludes zero; a hollow one is not yet significant (the hover
    says so in words, with the interval first).
    """
    spend = measure == "sales"
    kind = "dollars" if spend else "points"
    lift_of = attrgetter(f"{measure}.lift")
    shown = [c for c in campaigns if lift_of(c).estimate is not None]
    lifts = [lift_of(c) for c in shown]
    scale = 1 if spend else 100
    diff = [scale * f.estimate for f in lifts]
    # Without an interval (a group of one member) the point is drawn alone.
    low = [d if f.low is None else scale * f.low for f, d in zip(lifts, diff, strict=True)]
    high = [d if f.high is None else scale * f.high for f, d in zip(lifts, diff, strict=True)]
    words = []
    for f in lifts:
        said = wording.interval(kind, f.low, f.high, f.estimate)
        verdict = wording.verdict(f.verdict.significant, f.verdict.too_few)
        words.append(f"{said}{': ' + verdict if verdict else ''}")
    symbols = ["diamond" if f.verdict.significant else "diamond-open" for f in lifts]
    traces = [
        go.Scatter(
            x=diff,
            y=[c.name for c in shown],
            mode="markers",
            marker={"color": MEASURE_COLOR, "size": 12, "symbol": symbols,
                    "line": {"color": MEASURE_COLOR, "width": 2}},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [h - d for h, d in zip(high, diff, strict=True)],
                "arrayminus": [d - lo for d, lo in zip(diff, low, strict=True)],
                "color": MEASURE_COLOR,
                "thickness": 2,
                "width": 6,
            },
            customdata=words,
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    ]  # fmt: skip
    title = (
        "Lift in category sales per member vs holdout"
        if spend
        else "Lift in conversion to the target brand type vs holdout"
    ) + "<br><sup>95% CI · filled: significant · hollow: not yet significant</sup>"
    axis = (
        {"title": {"text": "Treated − holdout, category sales per member ($)"},
         "tickprefix": "$", "zeroline": False}
        if spend
        else {"title": {"text": "Treated − holdout, share converted (percentage points)"},
              "zeroline": False}
    )  # fmt: skip
    return _figure(
        traces,
        title,
        height=max(260, 130 + 40 * len(shown)),
        showlegend=False,
        shapes=[
            {
                "type": "line",
                "x0": 0,
                "x1": 0,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": CHROME["reference"], "dash": "dot"},
            }
        ],
        xaxis=axis,
        yaxis=_names_axis([c.name for c in shown]),
    )


def pareto_figure(points: list[dict], top_share: float | None) -> dict:
    """Cumulative share of sales by share of members, best members first (as Member value)."""
    curve = [(0.0, 0.0)] + [(p["member_share"], p["sales_share"]) for p in points]
    return _figure(
        pareto_traces(curve, color=MEASURE_COLOR),
        PARETO_TITLE,
        annotations=pareto_annotations(top_share),
        xaxis={"title": {"text": PARETO_X_TITLE}, "range": [0, 100]},
        yaxis={"title": {"text": PARETO_Y_TITLE}, "range": [0, 101]},
    )
