"""Plain words for the campaign results, shared by the tables, their CSV and the charts.

A result is stated with its 95 % interval first and the best estimate after it, so that a
reader meets the uncertainty before the number; an interval that spans zero is said to be
"not yet significant", with the audience a clear answer would need.
"""

from __future__ import annotations

from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SIGNIFICANT = _("significant")
NOT_YET_SIGNIFICANT = _("not yet significant")
TOO_FEW = _("too few members to trust the interval")


def signed(kind: str, value: float) -> str:
    """'+$1.20' / '−$0.51' (dollars), '+3.1' (points: shares ×100), '+860%' (ratio)."""
    minus = "−" if value < 0 else "+"
    if kind == "dollars":
        return f"{minus}${abs(value):,.2f}"
    if kind == "points":
        return f"{minus}{abs(100 * value):.1f}"
    return f"{minus}{abs(100 * value):,.0f}%"


def interval(kind: str, low: float | None, high: float | None, estimate: float | None) -> str:
    """'between −$0.51 and +$1.26 (best estimate +$0.37)'; the estimate alone without bounds."""
    unit = gettext(" points") if kind == "points" else ""
    if estimate is None:
        return "—"
    if low is None or high is None:
        return f"{signed(kind, estimate)}{unit} " + gettext("(no interval: too few members)")
    return gettext("between %(low)s and %(high)s (best estimate %(estimate)s)") % {
        "low": signed(kind, low),
        "high": f"{signed(kind, high)}{unit}",
        "estimate": signed(kind, estimate),
    }


def verdict(significant: bool | None, too_few: bool = False) -> str:
    """'significant', 'not yet significant' (with why, when the groups are too small), or
    '' when there is no interval to judge by."""
    if significant is None:
        return ""
    if significant:
        return str(SIGNIFICANT)
    return f"{NOT_YET_SIGNIFICANT}: {TOO_FEW}" if too_few else str(NOT_YET_SIGNIFICANT)


def _about(count: int) -> int:
    """Two significant digits: an estimate from noisy figures is not exact to the member."""
    if count < 100:
        return count
    step = 10 ** (len(str(count)) - 2)
    return round(count / step) * step


def members_needed(needed: int | None, more: int | None) -> str:
    """'about 2,300 members in all (1,900 more than now)' for a lift not yet significant."""
    if needed is None or more is None:
        return ""
    return gettext("about %(needed)s members in all (%(more)s more than now)") % {
        "needed": f"{_about(needed):,}",
        "more": f"{_about(more):,}",
    }


def next_snapshot(month, upcoming, latest=None) -> str:
    """Say why moves between months are missing and when they will come.

    `month` is the snapshot month shown (or None), `latest` the latest month with one (the
    period chosen may end before it); `upcoming` a selectors.NextSnapshot.
    """
    if month is not None and latest is not None and latest > month:
        shown = dateformat.format(month, "M Y")
        return (
            f"No snapshot of a month before {shown}: the first ones are of {shown}. Choose a "
            f"later month to see moves (the latest is {dateformat.format(latest, 'M Y')})."
        )
    if upcoming.day is None:
        when = (
            "The nightly segment refresh is switched off (Admin → Periodic tasks): compute "
            "segments for another month under Segments, then refresh this page."
        )
    else:
        at = f" at {upcoming.segments_at}" if upcoming.segments_at else ""
        after = f", this page at {upcoming.reports_at}" if upcoming.reports_at else ""
        when = (
            f"the nightly run on {dateformat.format(upcoming.day, 'D M j')} (segments{at}{after})."
        )
    if month is None:
        opening = (
            "No segment snapshot yet; moves appear once segments have been computed for two months."
        )
        return f"{opening} The first comes with {when}" if upcoming.day else f"{opening} {when}"
    has = dateformat.format(month, "M Y")
    opening = f"Appears once segments have been computed for two months; there is {has} only."
    if upcoming.day is None:
        return f"{opening} {when}"
    return f"{opening} The next month's comes with {when}"
