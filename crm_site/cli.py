"""Argument types shared by the management commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def iso_date(text: str) -> dt.date:
    """Parse a YYYY-MM-DD command-line date, or fail with a clear message."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
