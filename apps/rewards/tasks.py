"""Celery tasks for rewards: thin wrappers that call one service each."""

from __future__ import annotations

from celery import shared_task

from apps.rewards.expiry import points_expire


@shared_task(acks_late=True)
def points_expire_task() -> dict:
    """Expire every lot past its last day (nightly, by beat). Safe to run twice."""
    lots, points = points_expire()
    return {"lots": lots, "points": points}
