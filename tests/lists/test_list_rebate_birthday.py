"""The list shows the member's open rebate certificates and their birthday gift.

Certificates are written by hand (which is open is read off their dates and uses); the
birthday gift is given by the list generation itself, once however often it runs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.baskets.models import Basket
from apps.lists.models import ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from apps.rewards.models import (
    CertificateUse,
    PointsBalance,
    PointsEntry,
    RebateCertificate,
    RebateRun,
)
from apps.rewards.verify import ledger_problems
from tests.factories import StoreFactory
from tests.lists.conftest import PERIOD
from tests.lists.test_guard_rails import pdf_text

pytestmark = pytest.mark.usefixtures("before_period")


def generate() -> None:
    lists_generate_for_range(period_start=PERIOD, lo=0, hi=10**12, rules=ListRules())
    lists_print_offers(period_start=PERIOD)


def certificate(member, run, code, *, issued=dt.date(2026, 1, 1), until=dt.date(2026, 3, 31)):
    return RebateCertificate.objects.create(
        member=member, run=run, code=code, value=Decimal("5.00"), issued_on=issued,
        valid_until=until,
    )  # fmt: skip


def use(cert, n: int, *, reversed_at=None) -> None:
    store = StoreFactory()
    basket = Basket.objects.create(
        basket_id=f"POS:T-{n}", member=cert.member, store=store, purchased_at=timezone.now()
    )
    CertificateUse.objects.create(
        certificate=cert, basket=basket, amount=cert.value,
        created_at=timezone.now(), reversed_at=reversed_at,
    )  # fmt: skip


@pytest.fixture
def certificates(chain):
    best = chain["members"]["best"]
    run = RebateRun.objects.create(
        year=2025, points_per_certificate=500, certificate_value=Decimal("5.00"),
        remainder="carry", ran_at=timezone.now(),
    )  # fmt: skip
    open_ = certificate(best, run, "970000000001111111")
    used = certificate(best, run, "970000000002222222")
    use(used, 1)
    given_back = certificate(best, run, "970000000003333333")
    use(given_back, 2, reversed_at=timezone.now())
    certificate(best, run, "970000000004444444", until=dt.date(2026, 3, 1))  # before the list
    certificate(best, run, "970000000005555555", issued=dt.date(2026, 3, 16))  # after it
    return {"shown": [open_.code, given_back.code], "hidden": [
        "970000000002222222", "970000000004444444", "970000000005555555"]}  # fmt: skip


def test_the_list_shows_open_certificates_with_value_last_day_and_barcode(
    client, marketing_user, certificates
):
    generate()
    shopping_list = ShoppingList.objects.get(member__card_number="100000000005")
    client.force_login(marketing_user)
    page = client.get(reverse("lists:detail", args=[shopping_list.barcode])).content.decode()
    pdf = pdf_text(client.get(reverse("lists:pdf", args=[shopping_list.barcode])).content)
    for shown in (page, pdf):
        for code in certificates["shown"]:
            assert code in shown
        for code in certificates["hidden"]:
            assert code not in shown
        assert "$5.00 off your shopping" in shown
    assert "Use it by Mar 31, 2026." in page and "Use it by Mar 31, 2026." in pdf
    assert page.count('aria-label="Barcode 97') == 2  # each certificate's Code128


def test_the_birthday_gift_comes_with_the_list_once(client, marketing_user, chain):
    members = chain["members"]
    members["best"].birth_date = dt.date(1990, 3, 10)  # in [Mar 2, Mar 16)
    members["no_cycle"].birth_date = dt.date(1990, 3, 20)  # after the period
    members["short_1c"].birth_date = dt.date(1990, 3, 5)  # no list: no gift with it
    for member in members.values():
        member.save()
    generate()
    generate()  # made again: nothing given twice
    best = members["best"]
    assert list(
        PointsEntry.objects.filter(kind="bonus").values_list("member_id", "key", "points")
    ) == [(best.pk, f"birthday:{best.pk}:2026", 200)]
    assert PointsBalance.objects.get(member=best).points == 200
    assert ledger_problems() == {}

    client.force_login(marketing_user)
    lists = {sl.member_id: sl for sl in ShoppingList.objects.filter(period_start=PERIOD)}
    text = "Happy birthday! 200 points are yours."
    page = client.get(reverse("lists:detail", args=[lists[best.pk].barcode])).content.decode()
    pdf = pdf_text(client.get(reverse("lists:pdf", args=[lists[best.pk].barcode])).content)
    assert text in page and text in pdf
    other = lists[members["no_cycle"].pk].barcode
    assert text not in client.get(reverse("lists:detail", args=[other])).content.decode()
