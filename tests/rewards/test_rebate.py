"""The year-end rebate: each member's points of the year become certificates, once.

Every expected figure is worked out by hand from the lots each test creates (1 point a
dollar, lots spendable 12 months less a day, 500 points a $5.00 certificate, valid 90 days
from Jan 1: until Mar 31); the ledger's own check must come back empty after each run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import (
    LotUse,
    PointsBalance,
    PointsEntry,
    RebateCertificate,
    RebateRun,
)
from apps.rewards.rebate import closed_year, rebate_convert, rebate_convert_closed_year
from apps.rewards.verify import ledger_problems
from tests.factories import MemberFactory

CHICAGO = ZoneInfo("America/Chicago")
JAN_5 = dt.datetime(2027, 1, 5, 3, tzinfo=CHICAGO)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("programme"),
]


@pytest.fixture
def programme(settings):
    settings.CRM_POINTS_EXPIRY_MONTHS = 12
    settings.CRM_POINTS_EXPIRE_AT = "months"
    settings.CRM_PROGRAMME_YEAR_END = "12-31"
    settings.CRM_REBATE_POINTS_PER_CERTIFICATE = 500
    settings.CRM_REBATE_CERTIFICATE_VALUE = "5.00"
    settings.CRM_REBATE_REMAINDER = "carry"
    settings.CRM_REBATE_VALID_DAYS = 90


def move(member, kind, points, key, day: dt.date) -> int | None:
    with transaction.atomic():
        entry_id, _ = entry_record(
            Movement(member_id=member.pk, kind=kind, points=points, key=key,
                     at=dt.datetime(day.year, day.month, day.day, 12, tzinfo=CHICAGO))
        )  # fmt: skip
    return entry_id


def balance(member) -> int:
    return PointsBalance.objects.get(member=member).points


@pytest.fixture
def members():
    """Four members, their lots written out with what is left of each at the year's end."""
    ann, bob, cy, dee = (MemberFactory() for _ in range(4))
    lots = {}
    # Ann: created in an order unlike their last days, so id order is not the taking order.
    lots["ann_jun"] = move(ann, "earn", 400, "a1", dt.date(2026, 6, 1))  # until 2027-05-31
    lots["ann_mar"] = move(ann, "earn", 450, "a2", dt.date(2026, 3, 1))  # until 2027-02-28
    lots["ann_feb"] = move(ann, "earn", 300, "a3", dt.date(2026, 2, 10))  # until 2027-02-09
    lots["ann_jan"] = move(ann, "earn", 70, "a4", dt.date(2026, 1, 1))  # until 2026-12-31
    move(ann, "redeem", -50, "a5", dt.date(2026, 7, 1))  # from ann_jan: 20 left, to expire
    # Bob: 499, one short of a certificate.
    move(bob, "earn", 499, "b1", dt.date(2026, 5, 5))
    # Cy: 700 in the year, 300 earned after it closed (Jan 3: next year's).
    lots["cy_nov"] = move(cy, "earn", 700, "c1", dt.date(2026, 11, 1))
    lots["cy_jan"] = move(cy, "earn", 300, "c2", dt.date(2027, 1, 3))
    # Dee: a return took back 800 of 600 earned: 200 owed, nothing to convert.
    earn = move(dee, "earn", 600, "d1", dt.date(2026, 4, 1))
    with transaction.atomic():
        entry_record(Movement(member_id=dee.pk, kind="reverse", points=-800, key="d2",
                              reverses_id=earn, prefer_lot=earn,
                              at=dt.datetime(2026, 4, 2, 12, tzinfo=CHICAGO)))  # fmt: skip
    return {"ann": ann, "bob": bob, "cy": cy, "dee": dee, "lots": lots}


def test_whole_certificates_from_the_years_points_the_rest_carried(members):
    ann, bob, cy, dee = (members[k] for k in ("ann", "bob", "cy", "dee"))
    run = rebate_convert(2026, at=JAN_5)

    # Ann: 1,170 held; ann_jan's 20 expire on Dec 31; 1,150 → 2 certificates (1,000), 150 kept.
    # Cy: 700 of the year → 1 certificate; 200 and the 300 of January kept. Bob, Dee: none.
    assert run["created"] is True
    assert (run["members"], run["certificates"]) == (2, 3)
    assert (run["points_converted"], run["points_expired"]) == (1500, 0)
    assert (balance(ann), balance(bob), balance(cy), balance(dee)) == (150, 499, 500, -200)
    stored = RebateRun.objects.get(year=2026)
    assert (stored.members, stored.certificates, stored.remainder) == (2, 3, "carry")
    assert stored.points_per_certificate == 500 and stored.certificate_value == Decimal("5.00")

    ann_certs = RebateCertificate.objects.filter(member=ann)
    assert ann_certs.count() == 2 and RebateCertificate.objects.filter(member=cy).count() == 1
    for cert in RebateCertificate.objects.all():
        assert cert.value == Decimal("5.00") and cert.run_id == stored.pk
        assert cert.issued_on == dt.date(2027, 1, 1)
        assert cert.valid_until == dt.date(2027, 3, 31)  # 90 days: 31 + 28 + 31
    convert = PointsEntry.objects.get(member=ann, kind="convert")
    assert (convert.points, convert.key, convert.rebate_run_id) == (
        -1000,
        "rebate:2026:" + str(ann.pk),
        stored.pk,
    )
    assert ledger_problems() == {}


def test_lots_are_taken_earliest_last_day_first(members):
    rebate_convert(2026, at=JAN_5)
    lots = members["lots"]
    convert = PointsEntry.objects.get(member=members["ann"], kind="convert")
    taken = dict(LotUse.objects.filter(consumer=convert).values_list("lot_id", "points"))
    # ann_jan expired at the year's end; then Feb 9 (300), Feb 28 (450), May 31 (250 of 400).
    assert taken == {lots["ann_feb"]: 300, lots["ann_mar"]: 450, lots["ann_jun"]: 250}
    expired = PointsEntry.objects.get(member=members["ann"], kind="expire")
    assert expired.points == -20 and expired.key == f"expire:{lots['ann_jan']}"
    cy = PointsEntry.objects.get(member=members["cy"], kind="convert")
    assert dict(LotUse.objects.filter(consumer=cy).values_list("lot_id", "points")) == {
        lots["cy_nov"]: 500  # never the lot earned after the year closed
    }


def test_the_rest_expires_when_the_programme_says_so(members, settings):
    settings.CRM_REBATE_REMAINDER = "expire"
    ann, bob, cy, dee = (members[k] for k in ("ann", "bob", "cy", "dee"))
    run = rebate_convert(2026, at=JAN_5)
    # Ann: 150 of ann_jun expire. Bob: his 499 expire (no certificate). Cy: 200 of cy_nov
    # expire, January's 300 stay. Dee owes: nothing of hers moves.
    assert (run["certificates"], run["points_converted"], run["points_expired"]) == (3, 1500, 849)
    assert (balance(ann), balance(bob), balance(cy), balance(dee)) == (0, 0, 300, -200)
    lots = members["lots"]
    rest = PointsEntry.objects.get(key=f"rebate-rest:2026:{ann.pk}")
    assert rest.kind == "expire" and rest.points == -150
    assert dict(LotUse.objects.filter(consumer=rest).values_list("lot_id", "points")) == {
        lots["ann_jun"]: 150
    }
    assert RebateRun.objects.get(year=2026).remainder == "expire"
    assert ledger_problems() == {}


def test_converting_twice_is_converting_once(members):
    first = rebate_convert(2026, at=JAN_5)
    counts = (PointsEntry.objects.count(), LotUse.objects.count(),
              RebateCertificate.objects.count())  # fmt: skip
    codes = set(RebateCertificate.objects.values_list("code", flat=True))
    again = rebate_convert(2026, at=JAN_5 + dt.timedelta(days=3))
    assert again["created"] is False and again["run"] == first["run"]
    assert (again["members"], again["certificates"]) == (2, 3)
    assert (PointsEntry.objects.count(), LotUse.objects.count(),
            RebateCertificate.objects.count()) == counts  # fmt: skip
    assert set(RebateCertificate.objects.values_list("code", flat=True)) == codes
    assert balance(members["ann"]) == 150


def test_codes_are_unique_digits_for_a_code128_barcode(settings):
    settings.CRM_REBATE_POINTS_PER_CERTIFICATE = 10
    settings.CRM_REBATE_CERTIFICATE_VALUE = "2.50"
    member = MemberFactory()
    move(member, "earn", 205, "x", dt.date(2026, 8, 1))
    run = rebate_convert(2026, at=JAN_5)
    codes = list(RebateCertificate.objects.values_list("code", flat=True))
    assert run["certificates"] == 20 and len(set(codes)) == 20
    assert all(code.isdigit() and len(code) == 18 and code.startswith("97") for code in codes)
    assert {c.value for c in RebateCertificate.objects.all()} == {Decimal("2.50")}
    assert balance(member) == 5


def test_a_year_not_closed_is_refused_and_nothing_written(members):
    with pytest.raises(ValueError, match="closes at the end of 2026-12-31"):
        rebate_convert(2026, at=dt.datetime(2026, 12, 31, 23, 59, tzinfo=CHICAGO))
    assert not RebateRun.objects.exists() and not RebateCertificate.objects.exists()


def test_the_closed_year_follows_the_programme_year_end(settings):
    assert closed_year(dt.date(2027, 1, 1)) == 2026
    assert closed_year(dt.date(2026, 12, 31)) == 2025
    settings.CRM_PROGRAMME_YEAR_END = "03-31"
    assert closed_year(dt.date(2027, 4, 1)) == 2027
    assert closed_year(dt.date(2027, 3, 31)) == 2026


def test_the_beats_job_converts_the_year_just_closed_once(members):
    run = rebate_convert_closed_year(today=dt.date(2027, 1, 5))
    assert (run["year"], run["created"], run["certificates"]) == (2026, True, 3)
    again = rebate_convert_closed_year(today=dt.date(2027, 1, 6))
    assert (again["year"], again["created"]) == (2026, False)
    assert RebateCertificate.objects.count() == 3


def test_the_command_converts_once_and_refuses_an_open_year(capsys):
    member = MemberFactory()
    move(member, "earn", 1234, "y", dt.date(2025, 6, 1))  # spendable until 2026-05-31
    call_command("rebate_convert", year=2025)
    assert "Year 2025: 2 certificates for 1 members" in capsys.readouterr().out
    call_command("rebate_convert", year=2025)
    assert "converted already" in capsys.readouterr().out
    assert balance(member) == 234 and RebateCertificate.objects.count() == 2
    with pytest.raises(CommandError, match="closes at the end"):
        call_command("rebate_convert", year=2099)
    with pytest.raises(CommandError, match="year like"):
        call_command("rebate_convert", year=12)


@override_settings(CRM_REBATE_REMAINDER="sometimes")
def test_a_wrong_setting_is_a_clear_error():
    with pytest.raises(ValueError, match="'carry' or 'expire'"):
        rebate_convert(2026, at=JAN_5)
    assert not RebateRun.objects.exists()
