"""A member's open rebate certificates: unexpired, not used at the till (a use given back by a
return counts as unused); shown on the member page and the cashier screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.baskets.models import Basket
from apps.rewards.certificates import open_certificates, open_certificates_listed
from apps.rewards.models import CertificateUse, RebateCertificate, RebateRun
from tests.factories import MemberFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def certs():
    member, other = MemberFactory(card_number="400000000101"), MemberFactory()
    run = RebateRun.objects.create(
        year=2025, points_per_certificate=500, certificate_value=Decimal("5.00"),
        remainder="carry", ran_at=timezone.now(),
    )  # fmt: skip

    def make(code, owner=member, until=dt.date(2026, 12, 31), uses=()):
        cert = RebateCertificate.objects.create(
            member=owner, run=run, code=code, value=Decimal("7.50"),
            issued_on=dt.date(2026, 10, 1), valid_until=until,
        )  # fmt: skip
        store = StoreFactory()
        for n, reversed_at in uses:
            basket = Basket.objects.create(basket_id=f"POS:c{code[-2:]}-{n}", member=owner,
                                           store=store, purchased_at=timezone.now())  # fmt: skip
            CertificateUse.objects.create(certificate=cert, basket=basket,
                                          amount=cert.value, created_at=timezone.now(),
                                          reversed_at=reversed_at)  # fmt: skip
        return cert

    make("971000000000000001")  # open
    make("971000000000000002", until=TODAY)  # its last day is today: still open
    make("971000000000000003", until=TODAY - dt.timedelta(days=1))  # expired
    make("971000000000000004", uses=[(1, None)])  # used
    make("971000000000000005", uses=[(1, timezone.now())])  # used, given back: open
    make("971000000000000006", uses=[(1, timezone.now()), (2, None)])  # given back, used again
    make("971000000000000007", owner=other)  # another member's
    return member


def test_open_means_unexpired_and_no_live_use(certs):
    codes = list(open_certificates(member_id=certs.pk, on=TODAY).values_list("code", flat=True))
    # Earliest last day first: ...2 ends today, the others on Dec 31 (then by code).
    assert codes == ["971000000000000002", "971000000000000001", "971000000000000005"]


def test_the_member_page_and_the_cashier_screen_show_them(client, certs, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    client.force_login(UserFactory(role=Role.MARKETING))
    page = client.get(reverse("members:detail", args=[certs.card_number])).content.decode()
    client.force_login(UserFactory(role=Role.CASHIER))
    screen = client.get(reverse("members:lookup"), {"q": certs.card_number}).content.decode()
    for shown in (page, screen):
        assert "Rebate certificates" in shown and "$7.50" in shown
        for code in ("971000000000000001", "971000000000000002", "971000000000000005"):
            assert code in shown
        for code in ("971000000000000003", "971000000000000004", "971000000000000006"):
            assert code not in shown
        assert "971000000000000007" not in shown


@pytest.mark.parametrize("issued_by", [None, dt.date(2026, 10, 1), dt.date(2026, 9, 30)])
def test_the_written_out_read_lists_what_the_querysets_does(certs, issued_by):
    # The queryset is the oracle; the written-out SQL is what the cashier's screen runs.
    expected = list(open_certificates(member_id=certs.pk, on=TODAY, issued_by=issued_by))
    listed = open_certificates_listed(member_id=certs.pk, on=TODAY, issued_by=issued_by)
    assert [c.code for c in listed] == [c.code for c in expected]
    assert [(c.pk, c.value, c.valid_until, c.run_id) for c in listed] == [
        (c.pk, c.value, c.valid_until, c.run_id) for c in expected
    ]
    assert len(listed) == (0 if issued_by == dt.date(2026, 9, 30) else 3)
