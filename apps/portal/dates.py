"""Days and months as the portal writes them, in the page's language.

English keeps the portal's own wording ("December 2026", "Dec 4, 2026"); another language
writes its own format of the same kind (apps.core.dates: Chinese 2026年12月, 2026年12月4日).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext

from apps.core.dates import local_date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# How `figures.agreement_plan` stores a category's snapshot note in a release (in English).
STORED_DAY = r"(\w{3}) (\d{1,2}), (\d{4})"
STORED_SNAPSHOT_NOTE = re.compile(
    rf"Cells from the segment snapshot of {STORED_DAY} – {STORED_DAY}\.", re.ASCII
)


def month_text(day: dt.date) -> str:
    """Return the month of `day`: "December 2026"."""
    return local_date(day, "F Y")


def day_text(day: dt.date) -> str:
    """Return `day` as the portal writes it: "Dec 4, 2026"."""
    return local_date(day, "M j, Y")


def _stored_day(month: str, day: str, year: str) -> dt.date:
    return dt.date(int(year), MONTHS.index(month) + 1, int(day))


def snapshot_note(stored: str | None) -> str:
    """Return a category's note on its snapshot, from the English one a release stores."""
    if stored is None:
        return gettext("No segment snapshot of this category yet: no buyer has a cell.")
    found = STORED_SNAPSHOT_NOTE.fullmatch(stored)
    if found is None or found[1] not in MONTHS or found[4] not in MONTHS:
        return stored
    start, end = _stored_day(*found.groups()[:3]), _stored_day(*found.groups()[3:])
    return gettext("Cells from the segment snapshot of %(start)s – %(end)s.") % {
        "start": day_text(start),
        "end": day_text(end),
    }
