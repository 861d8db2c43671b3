"""Tenders: points and rebate certificates paying part of a sale, and what a return gives back.

At a sale, certificates go first (each whole and once: one worth more than what is left to
pay gives no change), then points at `CRM_POINT_VALUE_CENTS` each, within the member's
balance and what is left to pay. Whatever does not fit refuses the whole transaction
(`TenderRefused`, nothing recorded) with the reason by field, so the till asks again
without it: what the till is told is what happened.

Tenders are payment, not discounts: the basket keeps the goods' prices after offers, and
points are earned on them whatever paid (so a return's reversal works on goods alone).

A return gives each tender back its share of the refund, never more and never twice
(the failure of Odoo pull 212922, where a refund of an order paid with points took the
points a second time). With T the sale's total, R the refunds so far (this one included),
P the points spent and C the certificates' amounts, the returns so far give back:
- floor(P × R / T) points, all P when everything is back;
- the certificates once everything is back (a certificate is whole); until then their
  share C × R / T stays off the refund;
- the rest in money.
Each return gives the difference between those sums after it and before it, so rounding
never adds up to more than was paid. Points given back keep the last day they had (the
return's day if that has passed); a certificate past its last day comes back as money.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Sum

from apps.checkout.models import PosTransaction
from apps.checkout.services.amounts import ZERO, money, points_value
from apps.members.models import Member
from apps.rewards.ledger import Movement, balance_locked, entry_record
from apps.rewards.models import (
    CertificateUse,
    EntryKind,
    LotUse,
    PointsEntry,
    RebateCertificate,
)


class TenderRefused(Exception):
    """The points or certificates asked for cannot pay this sale; `errors` by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(slots=True)
class Taken:
    """What a sale's tenders paid: points and their value, certificates and their amounts."""

    points: int = 0
    certificates: list[tuple[str, Decimal]] = field(default_factory=list)

    def answer(self, total: Decimal) -> dict:
        paid = points_value(self.points) + sum((a for _, a in self.certificates), ZERO)
        return {
            "points": self.points,
            "points_value": str(points_value(self.points)),
            "certificates": [{"code": c, "amount": str(a)} for c, a in self.certificates],
            "to_pay": str(total - paid),
        }


def _certificate_problem(certificate, *, member: Member, used: set[int], day: dt.date, left):
    if certificate is None or certificate.member_id != member.pk:
        return "No such certificate of this member."
    if certificate.pk in used:
        return "This certificate has been used already."
    if certificate.issued_on > day:
        return f"This certificate can be used from {certificate.issued_on:%b %-d, %Y}."
    if certificate.valid_until < day:
        return f"This certificate could be used until {certificate.valid_until:%b %-d, %Y}."
    if left <= 0:
        return "The basket is paid already: keep this certificate for another visit."
    return None


def tenders_take(
    *, basket_id: int, member: Member | None, total: Decimal,
    codes: tuple[str, ...], points: int, at: dt.datetime, day: dt.date,
) -> Taken:  # fmt: skip
    """Pay part of a sale (its `total`, after offers) with certificates, then points.

    Raises TenderRefused when any of them does not fit; call it in the sale's transaction.
    """
    taken = Taken()
    if not codes and not points:
        return taken
    if member is None:
        field_name = "points" if points else "certificates"
        raise TenderRefused({field_name: ["No member card: points and certificates need it."]})
    # Found by code whoever holds them (another member's is refused by name below), then
    # the member's own locked: a lock names the member, to stay on one shard on Citus.
    certificates = {c.code: c for c in RebateCertificate.objects.filter(code__in=codes)}
    certificates.update(
        (c.code, c)
        for c in RebateCertificate.objects.select_for_update().filter(
            member_id=member.pk, code__in=codes
        )
    )
    used = set(
        CertificateUse.objects.filter(
            certificate__in=certificates.values(), reversed_at__isnull=True
        ).values_list("certificate_id", flat=True)
    )
    errors: dict[str, list[str]] = {}
    left, uses = total, []
    for i, code in enumerate(codes):
        certificate = certificates.get(code)
        problem = _certificate_problem(certificate, member=member, used=used, day=day, left=left)
        if problem:
            errors[f"certificates[{i}]"] = [problem]
            continue
        amount = min(certificate.value, left)
        left -= amount
        taken.certificates.append((code, amount))
        uses.append(
            CertificateUse(
                certificate=certificate,
                basket_id=basket_id,
                amount=amount,
                created_at=at,
            )  # fmt: skip
        )
    if points:
        balance = balance_locked(member.pk, at=at)
        if points > balance:
            errors["points"] = [f"The member has {balance:,} points, fewer than {points:,}."]
        elif points_value(points) > left:
            errors["points"] = [
                f"{points:,} points pay ${points_value(points)}, more than the ${left} left to pay."
            ]
    if errors:
        raise TenderRefused(errors)
    CertificateUse.objects.bulk_create(uses)
    if points:
        entry_record(
            Movement(
                member_id=member.pk,
                kind=EntryKind.REDEEM,
                points=-points,
                key=f"spend:{basket_id}",
                at=at,
                basket_id=basket_id,
            )  # fmt: skip
        )
        taken.points = points
    return taken


@dataclass(slots=True)
class GivenBack:
    """What a return gives back to each tender: money, points, certificates."""

    cash: Decimal
    points: int = 0
    certificates: list[str] = field(default_factory=list)
    balance: int | None = None

    def answer(self) -> dict:
        return {"cash": str(self.cash), "points": self.points, "certificates": self.certificates}


@dataclass(frozen=True, slots=True)
class _Shares:
    points: int
    certificates: Decimal

    @classmethod
    def after(cls, refunded: Decimal, *, total: Decimal, points: int, certificates: Decimal):
        if refunded >= total:
            return cls(points, certificates)
        return cls(math.floor(points * refunded / total), money(certificates * refunded / total))


def tenders_give_back(
    *, original: PosTransaction, pos: PosTransaction, refund: Decimal,
    refunded_before: Decimal, at: dt.datetime, day: dt.date,
) -> GivenBack:  # fmt: skip
    """Split the return's `refund` between the sale's tenders (see the module docstring).

    `refunded_before`: what the sale's earlier returns refunded. Call it in the return's
    transaction, with the sale locked (its returns happen one at a time).
    """
    tenders = original.response.get("tenders") or {}
    points, codes = tenders.get("points", 0), tenders.get("certificates", [])
    if not points and not codes:
        return GivenBack(cash=refund)
    total = Decimal(original.response["total"])
    member_id = original.basket.member_id  # the tenders were the member's
    # The uses are locked alone and their certificates read after: a cluster locks rows of
    # one member's shard only when the statement names the member and joins nothing.
    live_uses = list(
        CertificateUse.objects.select_for_update().filter(
            member_id=member_id, basket_id=original.basket_id, reversed_at__isnull=True
        )
    )
    certificates_of = RebateCertificate.objects.filter(member_id=member_id).in_bulk(
        [use.certificate_id for use in live_uses]
    )
    for use in live_uses:
        use.certificate = certificates_of[use.certificate_id]
    certificates = sum((Decimal(c["amount"]) for c in codes), ZERO)
    sums = {"total": total, "points": points, "certificates": certificates}
    before = _Shares.after(refunded_before, **sums)
    now = _Shares.after(refunded_before + refund, **sums)
    given = GivenBack(
        cash=refund
        - (points_value(now.points) - points_value(before.points))
        - (now.certificates - before.certificates)
    )
    if now.certificates == certificates and before.certificates < certificates:
        for use in live_uses:
            if use.certificate.valid_until < day:
                given.cash += use.amount  # past its last day: it comes back as money
            else:
                given.certificates.append(use.certificate.code)
            use.reversed_at, use.returned_in_id = at, pos.basket_id
        CertificateUse.objects.bulk_update(live_uses, ["reversed_at", "returned_in"])
    if now.points > before.points:
        given.points = now.points - before.points
        given.balance = _points_back(original, pos=pos, points=given.points, at=at, day=day)
    return given


def _points_back(original: PosTransaction, *, pos: PosTransaction, points: int, at, day) -> int:
    """Give back spent points as a lot with the last day they had; return the balance."""
    spend = PointsEntry.objects.get(
        member_id=original.basket.member_id, key=f"spend:{original.basket_id}"
    )
    last_day = LotUse.objects.filter(consumer=spend).aggregate(day=Max("lot__valid_until"))["day"]
    _, balance = entry_record(
        Movement(
            member_id=spend.member_id,
            kind=EntryKind.REVERSE,
            points=points,
            key=f"refund:{pos.basket_id}",
            at=at,
            basket_id=pos.basket_id,
            reverses_id=spend.pk,
            valid_until=max(last_day or day, day),
        )  # fmt: skip
    )
    return balance


def refunded_before(*, original: PosTransaction, pos: PosTransaction) -> Decimal:
    """What the sale's earlier returns refunded (their baskets hold the refunds, negative)."""
    total = (
        PosTransaction.objects.filter(original=original, basket__isnull=False)
        .exclude(pk=pos.pk)
        .aggregate(total=Sum("basket__total_amount"))["total"]
    )
    return -(total or ZERO)
