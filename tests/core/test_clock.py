"""The chain's clock: local midnights and the last day of a half-open period."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings

from apps.core.clock import last_day, local_midnight


@override_settings(TIME_ZONE="America/Chicago")
def test_local_midnight_is_the_chains_midnight_on_either_side_of_a_clock_change():
    # Chicago is UTC-6 in winter and UTC-5 from 8 March 2026 on.
    assert local_midnight(dt.date(2026, 3, 8)) == dt.datetime(2026, 3, 8, 6, 0, tzinfo=dt.UTC)
    assert local_midnight(dt.date(2026, 3, 9)) == dt.datetime(2026, 3, 9, 5, 0, tzinfo=dt.UTC)


def test_the_last_day_of_a_period_is_the_day_before_its_end():
    assert last_day(dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)
    assert last_day(dt.date(2028, 3, 1)) == dt.date(2028, 2, 29)
    assert last_day(dt.date(2027, 1, 1)) == dt.date(2026, 12, 31)
