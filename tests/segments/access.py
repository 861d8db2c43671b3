"""Access rows of the member-value actions: marketing (and admins) only."""

from __future__ import annotations

import datetime as dt

from tests.access_rules import MARKETING, NOT_ALLOWED, page

EXPECTED = {
    "segments:fit_make_live": page(*MARKETING, ok=NOT_ALLOWED),  # POST only
    "segments:affinity": page(*MARKETING),
}
SAMPLE_KWARGS = {
    "segments:fit_make_live": lambda o: {"pk": o["fit"].pk},
}


def add_sample_objects(objects: dict) -> None:
    from apps.segments.models import RepeatModelFit

    objects["fit"] = RepeatModelFit.objects.create(
        calibration_end=dt.date(2026, 1, 1), r=1, alpha=1, a=1, b=1,
        bgnbd_log_likelihood=-1, members=1, repeat_buyers=1,
    )  # fmt: skip
