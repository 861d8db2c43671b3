"""The chain's clock: local days and the half-open periods every app counts in.

A period is [start, end): `end` is the first day after it, so periods of lists, snapshots
and fits follow each other without a gap or an overlap, and a SQL filter reads
`purchased_at >= start AND purchased_at < end`. People read the last day it includes.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """Return the start of a local calendar day in the chain's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def last_day(end: dt.date) -> dt.date:
    """Return the last day a period ending (exclusive) at `end` includes, as people read it."""
    return end - dt.timedelta(days=1)
