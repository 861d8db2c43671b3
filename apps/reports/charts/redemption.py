"""The redemption tab's figures: redemption rates, who pays the discounts, lift vs holdout."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.labels import (
    CHROME,
    MANUFACTURER_COLOR,
    MEASURE_COLOR,
    STORE_COST_COLOR,
    TIER_COLORS,
    TIER_ORDER,
    usage_label,
)
from apps.reports import wording
from apps.reports.charts.layout import figure, names_axis
from apps.reports.selectors import CampaignResult, CellRedemption, MonthCost


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
        name = str(usage_label(tier))
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
                    + _("(%{customdata[0]:,} of %{customdata[1]:,})")
                    + "<extra></extra>"
                ),
            )
        )
    return figure(
        traces,
        _("Redemption rate by campaign and usage tier"),
        barmode="group",
        xaxis={"title": {"text": _("Campaign")}},
        yaxis={"title": {"text": _("Redemption rate (%)")},
               "ticksuffix": "%", "rangemode": "tozero"},
    )  # fmt: skip


def cost_split_figure(campaigns: list[CampaignResult]) -> dict:
    """Discount cost per campaign: the store's net cost and the manufacturers' share."""
    names = [c.name for c in campaigns]
    traces = [
        go.Bar(
            name=_("Store (net cost)"),
            y=names,
            x=[float(c.redemption.store_cost) for c in campaigns],
            orientation="h",
            marker_color=STORE_COST_COLOR,
            hovertemplate=_("%{y}: store pays $%{x:,.2f}") + "<extra></extra>",
        ),
        go.Bar(
            name=_("Manufacturers"),
            y=names,
            x=[float(c.redemption.manufacturer_share) for c in campaigns],
            orientation="h",
            marker_color=MANUFACTURER_COLOR,
            hovertemplate=_("%{y}: manufacturers pay $%{x:,.2f}") + "<extra></extra>",
        ),
    ]
    return figure(
        traces,
        _("Discount cost by campaign: store vs manufacturers"),
        height=max(260, 120 + 40 * len(names)),
        barmode="stack",
        xaxis={"title": {"text": _("Discounts given ($)")}, "tickprefix": "$",
               "tickformat": ",.0f"},
        yaxis=names_axis(names),
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
            name=_("Store (net cost)"),
            x=x,
            y=[float(m.store_cost) for m in months],
            width=[MONTH_BAR_MS] * len(x),
            marker_color=STORE_COST_COLOR,
            hovertemplate=_("%{x|%b %Y}: store pays $%{y:,.2f}") + "<extra></extra>",
        ),
        go.Bar(
            name=_("Manufacturers"),
            x=x,
            y=[float(m.manufacturer_share) for m in months],
            width=[MONTH_BAR_MS] * len(x),
            marker_color=MANUFACTURER_COLOR,
            hovertemplate=_("%{x|%b %Y}: manufacturers pay $%{y:,.2f}") + "<extra></extra>",
        ),
    ]
    return figure(
        traces,
        _("Discount cost per month"),
        barmode="stack",
        xaxis={"title": {"text": _("Month of purchase")}, "type": "date",
               "tickformat": pgettext("plotly tick format", "%b %Y"),
               "dtick": "M1", **_few_months_range([m.month for m in months])},
        yaxis={"title": {"text": _("Discounts given ($)")}, "tickprefix": "$",
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
        (
            _("Lift in category sales per member vs holdout")
            if spend
            else _("Lift in conversion to the target brand type vs holdout")
        )
        + "<br><sup>"
        + _("95% CI · filled: significant · hollow: not yet significant")
        + "</sup>"
    )
    axis = (
        {"title": {"text": _("Treated − holdout, category sales per member ($)")},
         "tickprefix": "$", "zeroline": False}
        if spend
        else {"title": {"text": _("Treated − holdout, share converted (percentage points)")},
              "zeroline": False}
    )  # fmt: skip
    return figure(
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
        yaxis=names_axis([c.name for c in shown]),
    )
