"""Paying with points and rebate certificates at the till, and what returns give back.

The sale (tests.checkout.conftest.body) comes to $10.82 after its offers and earns 10
points at the default rule. Ada starts with 1,000 points (a lot spendable until Feb 2027)
and, where a test needs one, a $5.00 certificate valid Mar 1 – Mar 31 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.baskets.models import Basket
from apps.checkout.models import PosTransaction
from apps.members.models import Member
from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import (
    CertificateUse,
    EntryKind,
    PointsBalance,
    PointsEntry,
    RebateCertificate,
    RebateRun,
)
from apps.rewards.verify import ledger_problems
from tests.checkout.conftest import HEINZ, MILK, OWN, body, post
from tests.checkout.test_returns import give_back, ret

START = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))


def balance(member) -> int:
    return PointsBalance.objects.get(member=member).points


@pytest.fixture
def ada(chain):
    entry_record(
        Movement(member_id=chain["member"].pk, kind=EntryKind.IMPORT, points=1000,
                 key="start", at=START)
    )  # fmt: skip
    return chain


def certificate(member, *, code="4711000001", value="5.00", until=dt.date(2026, 3, 31)):
    run, _ = RebateRun.objects.get_or_create(
        year=2025,
        defaults={"points_per_certificate": 500, "certificate_value": Decimal("5.00"),
                  "remainder": "carry", "ran_at": START},
    )  # fmt: skip
    return RebateCertificate.objects.create(
        member=member, run=run, code=code, value=Decimal(value),
        issued_on=dt.date(2026, 1, 1), valid_until=until,
    )  # fmt: skip


def test_points_pay_part_of_the_sale_and_it_still_earns(ada):
    response = post(ada["secret"], body(points=500))
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["tenders"] == {
        "points": 500, "points_value": "5.00", "certificates": [], "to_pay": "5.82",
    }  # fmt: skip
    # Tenders are payment, not discounts: the goods' $10.82 earn 10 points.
    assert answer["points"] == {"earned": 10, "bonus": 0, "balance": 1000 - 500 + 10}
    spend = PointsEntry.objects.get(kind=EntryKind.REDEEM)
    assert spend.points == -500
    assert spend.basket_id == Basket.objects.get().pk
    assert balance(ada["member"]) == 510
    assert ledger_problems() == {}


def test_a_replayed_sale_with_points_spends_them_once(ada):
    first = post(ada["secret"], body(points=500))
    again = post(ada["secret"], body(points=500))
    assert again.json() == first.json()
    assert PointsEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    assert balance(ada["member"]) == 510


def test_points_beyond_the_balance_refuse_the_sale_and_record_nothing(ada):
    response = post(ada["secret"], body(points=1001))
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"points": ["The member has 1,000 points, fewer than 1,001."]}
    }
    assert not PosTransaction.objects.exists() and not Basket.objects.exists()
    # The till asks again without them: the same transaction id goes through.
    assert post(ada["secret"], body()).status_code == 200


def test_points_worth_more_than_the_total_are_refused(ada):
    response = post(ada["secret"], body(points=1000, lines=[body()["lines"][2]]))
    assert response.status_code == 400
    assert response.json()["errors"]["points"] == [
        "1,000 points pay $10.00, more than the $3.00 left to pay."
    ]


def test_points_need_a_member(ada):
    response = post(ada["secret"], body(points=100, scanned=""))
    assert response.status_code == 400
    assert "points" in response.json()["errors"]


@pytest.mark.parametrize(
    "points", [0, -5, 1.5, "100", True, 100_000_001], ids=["0", "neg", "frac", "str", "bool", "big"]
)
def test_points_must_be_a_positive_whole_number(ada, points):
    response = post(ada["secret"], body(points=points))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["points"]


def test_a_certificate_pays_once(ada):
    certificate(ada["member"])
    first = post(ada["secret"], body(certificates=["4711000001"]))
    assert first.status_code == 200, first.content
    assert first.json()["tenders"] == {
        "points": 0, "points_value": "0.00",
        "certificates": [{"code": "4711000001", "amount": "5.00"}], "to_pay": "5.82",
    }  # fmt: skip
    second = post(ada["secret"], body(transaction_id="T-2", certificates=["4711000001"]))
    assert second.status_code == 400
    assert second.json() == {
        "errors": {"certificates[0]": ["This certificate has been used already."]}
    }
    assert CertificateUse.objects.count() == 1


def test_a_certificate_worth_more_than_the_basket_gives_no_change(ada):
    certificate(ada["member"], value="50.00")
    answer = post(ada["secret"], body(certificates=["4711000001"])).json()
    assert answer["tenders"]["certificates"] == [{"code": "4711000001", "amount": "10.82"}]
    assert answer["tenders"]["to_pay"] == "0.00"


def test_expired_unknown_and_other_members_certificates_are_refused(ada):
    certificate(ada["member"], code="1", until=dt.date(2026, 3, 4))
    other = Member.objects.create(card_number="999")
    certificate(other, code="2")
    response = post(ada["secret"], body(certificates=["1", "2", "3"]))
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "certificates[0]": ["This certificate could be used until Mar 4, 2026."],
            "certificates[1]": ["No such certificate of this member."],
            "certificates[2]": ["No such certificate of this member."],
        }
    }
    assert not CertificateUse.objects.exists()


def test_returns_give_spent_points_back_once_never_taking_them_twice(ada):
    """Odoo pull 212922: refunding an order paid with points took the points again.

    Paid 10.82: 500 points ($5.00) and 5.82 in money; earned 10. Return 1 Heinz (refund
    2.74): floor(500 × 2.74 / 10.82) = 126 points back ($1.26), 1.48 in money, and the
    goods' 2 earned points reversed. Then the rest (refund 8.08): the other 374 points,
    5.82 − 1.48 = 4.34 in money, the other 8 earned points. The member ends where she
    began: 1,000 points.
    """
    assert post(ada["secret"], body(points=500)).status_code == 200
    first = give_back(ada["secret"], ret())
    assert first.status_code == 200, first.content
    assert first.json()["tenders"] == {"cash": "1.48", "points": 126, "certificates": []}
    assert first.json()["points"] == {"reversed": 2, "balance": 510 - 2 + 126}
    rest = [
        {"upc": HEINZ, "quantity": 1}, {"upc": OWN, "quantity": 1}, {"upc": MILK, "quantity": 1.5},
    ]  # fmt: skip
    second = give_back(ada["secret"], ret(transaction_id="R-2", lines=rest))
    assert second.status_code == 200, second.content
    assert second.json()["refund_total"] == "8.08"
    assert second.json()["tenders"] == {"cash": "4.34", "points": 374, "certificates": []}
    assert second.json()["points"] == {"reversed": 8, "balance": 1000}
    assert balance(ada["member"]) == 1000
    # A replayed return gives nothing back again.
    assert give_back(ada["secret"], ret(transaction_id="R-2", lines=rest)).json() == second.json()
    assert balance(ada["member"]) == 1000
    back = PointsEntry.objects.filter(kind=EntryKind.REVERSE, points__gt=0)
    assert sorted(back.values_list("points", flat=True)) == [126, 374]
    # They keep the last day of the lot they were spent from.
    assert set(back.values_list("valid_until", flat=True)) == {dt.date(2027, 2, 28)}
    assert ledger_problems() == {}


def test_a_certificate_comes_back_only_with_the_whole_sale(ada):
    """A part return keeps the certificate's share off the refund: 5.00 × 2.74 / 10.82 =
    1.27 of 2.74. The rest of the sale back: the certificate itself (its 5.00) and 5.82 −
    1.47 = 4.35 in money."""
    cert = certificate(ada["member"])
    assert post(ada["secret"], body(certificates=[cert.code])).status_code == 200
    first = give_back(ada["secret"], ret()).json()
    assert first["tenders"] == {"cash": "1.47", "points": 0, "certificates": []}
    rest = [
        {"upc": HEINZ, "quantity": 1}, {"upc": OWN, "quantity": 1}, {"upc": MILK, "quantity": 1.5},
    ]  # fmt: skip
    second = give_back(ada["secret"], ret(transaction_id="R-2", lines=rest)).json()
    assert second["tenders"] == {"cash": "4.35", "points": 0, "certificates": [cert.code]}
    use = CertificateUse.objects.get()
    assert use.reversed_at is not None
    # Given back, it pays again.
    again = post(ada["secret"], body(transaction_id="T-3", certificates=[cert.code]))
    assert again.status_code == 200, again.content
    assert CertificateUse.objects.filter(reversed_at__isnull=True).count() == 1
