"""Django's clock set to a fixed day for tests whose outcome would otherwise move with the date."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone


def freeze_django_clock(monkeypatch, moment: dt.datetime) -> None:
    """Make `timezone.now()` start at `moment` (aware) and run on with the real clock.

    Running on keeps timestamps taken during the test in order (sign-ins, approvals, jobs);
    the day is the fixed one. It reaches whatever calls `timezone.now()` or
    `timezone.localdate()` through the module in this process: the app's views and services
    and the live server's thread. Not other processes (a Celery worker), PostgreSQL's
    `now()`, nor a model field's `default=timezone.now`, bound when the model was imported.
    """
    start = moment.astimezone(dt.UTC)
    started = time.monotonic()
    monkeypatch.setattr(
        timezone, "now", lambda: start + dt.timedelta(seconds=time.monotonic() - started)
    )
