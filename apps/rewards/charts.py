"""The points page's figure: points in and out, month by month (plotly, built in Python).

Drawn with the dashboard's look (`apps.core.figures`) and one colour per meaning
(`apps.core.labels.COLORS`). Earned points rise above zero; spent, converted and expired
points stack below it, so a month's bar reads as what came in against where it went.
"""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from apps.core.figures import figure
from apps.core.labels import COLORS
from apps.rewards.monthly import PointsMonth

TITLE = _("Points by month")
# (attribute, legend name, colour, sign on the chart): outflows are drawn below zero.
SERIES = (
    ("earned", _("Earned"), COLORS["points_earned"], 1),
    ("spent", _("Spent"), COLORS["points_spent"], -1),
    ("converted", _("Converted to rebates"), COLORS["points_converted"], -1),
    ("expired", _("Expired"), COLORS["points_expired"], -1),
)


def points_month_figure(months: list[PointsMonth]) -> dict | None:
    """Return the figure for `json_script`, or None when no month has any movement."""
    if not any(getattr(m, name) for m in months for name, *_rest in SERIES):
        return None
    x = [m.month.isoformat() for m in months]
    traces = [
        go.Bar(
            name=str(label),
            x=x,
            y=[sign * getattr(m, name) for m in months],
            customdata=[getattr(m, name) for m in months],
            marker_color=colour,
            # Each bar spans its month, centred in it, under the month's label.
            xperiod="M1",
            xperiodalignment="middle",
            hovertemplate=pgettext("plotly hover format", "%{x|%b %Y}")
            + "<br>"
            + gettext("%(label)s: %%{customdata:,} points") % {"label": label}
            + "<extra></extra>",
        )
        for name, label, colour, sign in SERIES
    ]
    return figure(
        traces,
        str(TITLE),
        height=380,
        barmode="relative",
        bargap=0.2,
        margin={"l": 10, "r": 10, "t": 50, "b": 95},
        # Plotly picks how many months to label for the width (every month wide, fewer on a
        # phone); the year goes under the month, so that a label stays narrow.
        xaxis={
            "type": "date",
            "ticklabelmode": "period",
            "tickformat": pgettext("plotly tick format", "%b\n%Y"),
        },
        yaxis={"title": {"text": gettext("Points (out below zero)")}, "tickformat": ",d"},
    )
