"""Receivers of upstream apps' signals that keep the dashboard's aggregates in step."""

from __future__ import annotations

from django.dispatch import receiver

from apps.reports.services import reports_refresh_member_value
from apps.segments.signals import live_fit_changed


@receiver(live_fit_changed, dispatch_uid="reports_follow_live_fit")
def _live_fit_changed(sender, fit_id: int, previous_id: int | None, **kwargs) -> None:
    """Recompute the member-value figures for the fit just made live (promoted, restored or
    newly fitted), so the dashboard never shows a fit that is no longer live."""
    reports_refresh_member_value()
