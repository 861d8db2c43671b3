"""Signals segments sends, so that apps downstream follow it without segments importing them."""

from __future__ import annotations

from django.dispatch import Signal

# A different fit became live (its scores are what every page reads now). Sent inside the
# transaction that made it live, with fit_id and previous_id (None when none was live), so
# a receiver's writes commit or roll back with the change.
live_fit_changed = Signal()
