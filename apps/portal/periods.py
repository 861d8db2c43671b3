"""Reporting periods of the portal: calendar months, each released once after it ends.

Free date ranges let a reader subtract two overlapping reports (one day apart) and read off
the members who bought on the day between them. A release mechanism with a budget needs a
finite set of questions, so the portal answers only fixed periods: calendar months. Months
rather than ISO weeks because a month's counts are about four times larger (noise weighs
four times less), a year costs twelve releases instead of fifty-two, and settlement
statements are cut by month too. The redemptions table still shows each week inside the
month. A month is released only once it has ended, so a release never freezes half a
month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from apps.portal.dates import month_text

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included; `previous` is the calendar month before."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(start, following - dt.timedelta(days=1))

    @classmethod
    def of_day(cls, day: dt.date) -> Period:
        return cls.month(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Return the month written YYYY-MM; ValueError otherwise."""
        found = MONTH_RE.match(text or "")
        if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1900:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls.month(int(found[1]), int(found[2]))

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        return month_text(self.start)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        return Period.of_day(self.start - dt.timedelta(days=1))

    @property
    def next(self) -> Period:
        return Period.of_day(self.end + dt.timedelta(days=1))

    def params(self) -> dict:
        """Local-midnight bounds of the period and of the month before, [from, to)."""
        return {
            "prev_start": _midnight(self.previous.start),
            "start": _midnight(self.start),
            "end": _midnight(self.end + dt.timedelta(days=1)),
            "tz": settings.TIME_ZONE,
        }


def agreement_months(agreement, *, today: dt.date) -> list[Period]:
    """Return the months of the agreement's term that have ended by `today`, newest first."""
    months = []
    month = Period.of_day(agreement.valid_from)
    while month.start <= agreement.valid_until and month.end < today:
        months.append(month)
        month = month.next
    return months[::-1]


def months_between(first: Period, last: Period) -> list[Period]:
    """Return the months from `first` to `last`, both included, oldest first."""
    found, month = [], first
    while month.start <= last.start:
        found.append(month)
        month = month.next
    return found
