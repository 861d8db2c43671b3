"""Plain words for the campaign results, shared by the tables, their CSV and the charts.

A result is stated with its 95 % interval first and the best estimate after it, so that a
reader meets the uncertainty before the number; an interval that spans zero is said to be
"not yet significant", with the audience a clear answer would need.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.dates import local_date

SIGNIFICANT = _("significant")
NOT_YET_SIGNIFICANT = _("not yet significant")
TOO_FEW = _("too few members to trust the interval")
REFRESH_OFF = _(
    "The nightly segment refresh is switched off (Admin → Periodic tasks): compute segments "
    "for another month under Segments, then refresh this page."
)


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
        return gettext(
            "No snapshot of a month before %(month)s: the first ones are of %(month)s. Choose "
            "a later month to see moves (the latest is %(latest)s)."
        ) % {"month": local_date(month, "M Y"), "latest": local_date(latest, "M Y")}
    if month is None:
        opening = gettext(
            "No segment snapshot yet; moves appear once segments have been computed for two months."
        )
    else:
        opening = gettext(
            "Appears once segments have been computed for two months; there is %(month)s only."
        ) % {"month": local_date(month, "M Y")}
    if upcoming.day is None:
        return " ".join((opening, str(REFRESH_OFF)))
    times = {"segments": upcoming.segments_at, "reports": upcoming.reports_at}
    if upcoming.segments_at and upcoming.reports_at:
        detail = gettext("segments at %(segments)s, this page at %(reports)s") % times
    elif upcoming.segments_at:
        detail = gettext("segments at %(segments)s") % times
    elif upcoming.reports_at:
        detail = gettext("segments, this page at %(reports)s") % times
    else:
        detail = gettext("segments")
    values = {"day": local_date(upcoming.day, "D M j"), "detail": detail}
    if month is None:
        then = gettext("The first comes with the nightly run on %(day)s (%(detail)s).") % values
    else:
        then = (
            gettext("The next month's comes with the nightly run on %(day)s (%(detail)s).") % values
        )
    return " ".join((opening, then))
