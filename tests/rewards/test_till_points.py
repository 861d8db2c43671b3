"""The cashier screen's one read of points and certificates (apps.rewards.selectors.till_points)
against the reads it replaces there, which stay the member page's: points_summary without
movements and the open certificates' queryset. Varied members: nothing at all; lots expiring
soon, partly or wholly used, past their last day or beyond the window; certificates open,
expired, used, given back; a tier held or the lowest by default."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.baskets.models import Basket
from apps.rewards.certificates import open_certificates
from apps.rewards.models import (
    CertificateUse,
    LotUse,
    MemberTier,
    PointsBalance,
    PointsEntry,
    RebateCertificate,
    RebateRun,
    Tier,
)
from apps.rewards.selectors import points_summary, till_points
from tests.factories import MemberFactory, StoreFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
FIELDS = ("id", "member_id", "run_id", "code", "value", "issued_on", "valid_until")


def lot(member, points, until, key, used=()):
    entry = PointsEntry.objects.create(
        member=member, kind="earn", points=points, key=key, created_at=NOW, valid_until=until
    )
    for n, taken in enumerate(used):
        spend = PointsEntry.objects.create(
            member=member, kind="redeem", points=-taken, key=f"{key}:s{n}", created_at=NOW
        )
        LotUse.objects.create(consumer=spend, lot=entry, points=taken, member=member)
    return entry


def certificate(member, run, code, until, uses=()):
    cert = RebateCertificate.objects.create(
        member=member, run=run, code=code, value=Decimal("7.50"),
        issued_on=dt.date(2026, 10, 1), valid_until=until,
    )  # fmt: skip
    store = StoreFactory()
    for n, reversed_at in enumerate(uses):
        basket = Basket.objects.create(
            basket_id=f"POS:c{code[-3:]}-{n}", member=member, store=store, purchased_at=NOW
        )
        CertificateUse.objects.create(
            certificate=cert, basket=basket, amount=cert.value, created_at=NOW,
            reversed_at=reversed_at,
        )  # fmt: skip


def busy_member():
    member, other = MemberFactory(), MemberFactory()
    soon = TODAY + dt.timedelta(days=10)
    lot(member, 40, soon, "a")
    lot(member, 25, soon, "b", used=[5, 7])  # same day as a: 40 + 13
    lot(member, 30, TODAY + dt.timedelta(days=20), "c", used=[30])  # all used: not shown
    lot(member, 15, TODAY, "d")  # its last day is today: still expiring
    lot(member, 50, TODAY - dt.timedelta(days=1), "e")  # past: not shown
    lot(member, 60, TODAY + dt.timedelta(days=59), "f", used=[1])  # the window's last day
    lot(member, 70, TODAY + dt.timedelta(days=60), "g")  # beyond the window
    lot(other, 80, soon, "h")  # another member's
    PointsBalance.objects.update_or_create(member=member, defaults={"points": 123})
    top = Tier.objects.order_by("-min_spend").first() or Tier.objects.create(
        name="Gold", min_spend=Decimal("1000")
    )
    MemberTier.objects.create(
        member=member, tier=top, spend=Decimal("1500"), since=TODAY, computed_on=TODAY
    )
    run = RebateRun.objects.create(
        year=2025, points_per_certificate=500, certificate_value=Decimal("5.00"),
        remainder="carry", ran_at=timezone.now(),
    )  # fmt: skip
    certificate(member, run, "971000000000000001", dt.date(2026, 12, 31))
    certificate(member, run, "971000000000000002", TODAY)
    certificate(member, run, "971000000000000003", TODAY - dt.timedelta(days=1))
    certificate(member, run, "971000000000000004", dt.date(2026, 12, 31), uses=[None])
    certificate(member, run, "971000000000000005", dt.date(2026, 12, 31), uses=[NOW])
    certificate(member, run, "971000000000000006", dt.date(2026, 12, 31), uses=[NOW, None])
    certificate(other, run, "971000000000000007", dt.date(2026, 12, 31))
    return member


def only_lots_member():
    member = MemberFactory()
    lot(member, 10, TODAY + dt.timedelta(days=3), "x")
    return member


@pytest.mark.parametrize("make", [MemberFactory, only_lots_member, busy_member])
def test_till_points_reads_what_the_two_reads_did(make, django_assert_num_queries):
    member = make()
    expected = points_summary(member_id=member.pk, today=TODAY, recent=False)
    certs = list(open_certificates(member_id=member.pk, on=TODAY))
    with django_assert_num_queries(1):
        summary, listed = till_points(member_id=member.pk, today=TODAY)
    assert summary == expected
    assert [[getattr(c, f) for f in FIELDS] for c in listed] == [
        [getattr(c, f) for f in FIELDS] for c in certs
    ]


def test_till_points_by_hand():
    member = busy_member()
    summary, listed = till_points(member_id=member.pk, today=TODAY)
    assert summary.balance == 123
    assert summary.expiring == [
        (TODAY, 15),
        (TODAY + dt.timedelta(days=10), 53),
        (TODAY + dt.timedelta(days=59), 59),
    ]
    assert summary.recent == []
    assert summary.tier is not None and summary.tier.spend == Decimal("1500")
    assert [c.code[-1] for c in listed] == ["2", "1", "5"]
    assert all(c.value == Decimal("7.50") for c in listed)
