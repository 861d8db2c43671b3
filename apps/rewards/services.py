"""Staff and programme movements: spending, adjusting and voiding points.

Each is one ledger movement with a key, so a repeated request acts once. Spending needs
the points (it never takes a balance below zero); an adjustment or a void says who and why
and is audited by its own entry (user, reason), which no one can edit or delete.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import Role
from apps.rewards.ledger import Movement, balance_locked, entry_record
from apps.rewards.models import EntryKind, PointsEntry

ADJUST_ROLES = (Role.MARKETING,)


@transaction.atomic
def points_spend(*, member_id: int, points: int, key: str, at: dt.datetime | None = None):
    """Spend `points` of the member's balance (key: the till transaction); return
    (entry id or None if replayed, balance). Raises ValidationError when they are not there.
    """
    if points <= 0:
        raise ValidationError("Points to spend must be a positive whole number.")
    balance = balance_locked(member_id, at=at)
    if PointsEntry.objects.filter(member_id=member_id, key=key).exists():
        return None, balance
    if points > balance:
        raise ValidationError(f"The member has {balance:,} points, fewer than {points:,}.")
    return entry_record(
        Movement(member_id=member_id, kind=EntryKind.REDEEM, points=-points, key=key, at=at)
    )


def _staff_check(user, reason: str) -> str:
    if not user.has_role(*ADJUST_ROLES):
        raise ValidationError("Only a marketing user can adjust points.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the reason stays with the ledger."})
    return reason


@transaction.atomic
def points_adjust(*, member_id: int, points: int, user, reason: str, key: str):
    """Add (or take away, negative) points by hand, with a reason; once per key (the form's
    one-time token)."""
    reason = _staff_check(user, reason)
    if points == 0:
        raise ValidationError({"points": "Enter a number of points other than 0."})
    return entry_record(
        Movement(
            member_id=member_id,
            kind=EntryKind.ADJUST,
            points=points,
            key=f"adjust:{key}",
            user_id=user.pk,
            reason=reason,
        )
    )


@transaction.atomic
def points_void(*, entry_id: int, user, reason: str):
    """Cancel a lot granted by mistake: take back what is left of it, once.

    What the member spent of it already stays spent (the lot's uses say what); voiding
    twice changes nothing.
    """
    reason = _staff_check(user, reason)
    entry = PointsEntry.objects.get(pk=entry_id)
    if entry.points <= 0:
        raise ValidationError("Only points added (a lot) can be voided.")
    balance = balance_locked(entry.member_id)
    left = entry.points - sum(entry.used_by.values_list("points", flat=True))
    if (
        left <= 0
        or PointsEntry.objects.filter(member_id=entry.member_id, key=f"void:{entry.pk}").exists()
    ):
        return None, balance
    return entry_record(
        Movement(
            member_id=entry.member_id,
            kind=EntryKind.ADJUST,
            points=-left,
            key=f"void:{entry.pk}",
            reverses_id=entry.pk,
            prefer_lot=entry.pk,
            user_id=user.pk,
            reason=f"Void: {reason}",
        )
    )
