"""The points ledger after an erasure: no card in its keys, no staff text naming the member,
and its trigger still refusing every change but that redaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from apps.accounts.models import Role
from apps.rewards.models import PointsEntry
from apps.rewards.opening import points_import_file
from apps.rewards.services import points_adjust
from apps.rewards.verify import ledger_problems
from apps.rights.erasure import erase_members
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bea(tmp_path):
    member = MemberFactory(card_number="400000000555", first_name="Bea", last_name="Quist")
    other = MemberFactory(card_number="400000000777")
    opening = tmp_path / "opening.csv"
    earned = dt.date.today() - dt.timedelta(days=30)
    opening.write_text(
        f"card_number,points,earned_on\n400000000555,120,{earned}\n400000000777,40,{earned}\n"
    )
    points_import_file(path=opening, today=dt.date.today())
    staff = UserFactory(username="desk", role=Role.MARKETING)
    with transaction.atomic():
        points_adjust(member_id=member.pk, points=25, user=staff, key="t1",
                      reason="Bea Quist phoned: card 400000000555 lost")  # fmt: skip
        points_adjust(member_id=member.pk, points=-10, user=staff, key="t2", reason="Typo")
        points_adjust(member_id=other.pk, points=5, user=staff, key="t3",
                      reason="Goodwill, 400000000777")  # fmt: skip
    return member, other


def _texts(member_id: int) -> list[str]:
    rows = PointsEntry.objects.filter(member_id=member_id).values_list("key", "reason")
    return [text for row in rows for text in row]


def test_the_ledger_names_the_erased_member_nowhere(bea):
    member, other = bea
    assert any("400000000555" in text for text in _texts(member.pk))  # the staff reason

    erase_members([member.pk], reason="request")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM rewards_pointsentry"
            " WHERE key LIKE '%%400000000555%%' OR reason ~* '400000000555|Bea|Quist'"
        )
        assert cursor.fetchone()[0] == 0
    adjust = PointsEntry.objects.get(member=member, kind="adjust", points=25)
    assert adjust.reason == "[erased]"
    assert PointsEntry.objects.get(member=member, kind="import").key.startswith(
        f"import:{member.pk}:"
    )
    # The other member's entries are untouched, and the ledger still adds up.
    assert "Goodwill, 400000000777" in _texts(other.pk)
    assert ledger_problems() == {}


def test_the_ledger_still_refuses_every_other_change(bea):
    member, _ = bea
    entry = PointsEntry.objects.get(member=member, kind="adjust", points=25)
    refused = [
        ("off", "UPDATE rewards_pointsentry SET reason = 'x' WHERE id = %s"),
        ("on", "UPDATE rewards_pointsentry SET points = 26 WHERE id = %s"),
        ("on", "UPDATE rewards_pointsentry SET key = 'x', reason = 'x' WHERE id = %s"),
        ("on", "DELETE FROM rewards_pointsentry WHERE id = %s"),
        (
            "on",
            "UPDATE rewards_lotuse SET points = points WHERE consumer_id IN"
            " (SELECT id FROM rewards_pointsentry WHERE points = -10 AND id <> %s)",
        ),
    ]
    for setting, sql in refused:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT set_config('crm.erasure', %s, true)", [setting])
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert (entry.points, entry.reason) == (25, "Bea Quist phoned: card 400000000555 lost")
