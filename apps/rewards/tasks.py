"""Celery tasks for rewards: thin wrappers that call one service each.

Each is safe to run twice: the expiry writes each lot's expiry once, the tier recompute
writes today's state, and the rebate converts a programme year once.
"""

from __future__ import annotations

from celery import shared_task

from apps.rewards.expiry import points_expire


@shared_task(acks_late=True)
def points_expire_task() -> dict:
    """Expire every lot past its last day (nightly, by beat)."""
    lots, points = points_expire()
    return {"lots": lots, "points": points}


@shared_task(acks_late=True)
def tiers_recompute_task() -> dict:
    """Put every member in the tier their trailing 12-month spend reaches (nightly)."""
    from apps.rewards.tiers import tiers_recompute

    return tiers_recompute()


@shared_task(acks_late=True)
def rebate_convert_task() -> dict:
    """Convert balances into certificates for the programme year that has just closed."""
    from apps.rewards.rebate import rebate_convert_closed_year

    return rebate_convert_closed_year()
