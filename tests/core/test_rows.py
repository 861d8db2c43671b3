"""Hand-written SQL rows become the same instances the ORM would give (apps/core/rows.py).

The oracle is the ORM itself: each field of an instance built from a raw row must equal the
ORM's read of the same row, including the converted kinds (jsonb to a dict, inet, arrays,
datetimes) and the extra columns set as attributes.
"""

from __future__ import annotations

import pytest
from django.db import connection

from apps.audit.services import audit_record
from apps.campaigns.models import Campaign
from apps.core import rows
from tests.checkout.conftest import build_chain
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _raw(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(model)} FROM {model._meta.db_table} WHERE id = %s", [pk]
        )
        return cursor.fetchone()


@pytest.mark.parametrize("make", ["audit", "campaign", "member"])
def test_a_raw_row_gives_the_orms_instance(make):
    if make == "audit":
        made = audit_record(kind="lookup", detail={"kind": "card", "cards": ["4001"], "n": 2})
        made.ip_address = None
    elif make == "campaign":
        build_chain()
        made = Campaign.objects.order_by("pk").first()
        Campaign.objects.filter(pk=made.pk).update(target_cells=["A1", "B2"])
    else:
        made = MemberFactory()
    model = type(made)
    expected = model.objects.get(pk=made.pk)
    built = rows.instance(model, _raw(model, made.pk))
    assert _fields(built) == _fields(expected)
    assert not built._state.adding and built._state.db == "default"
    if make == "audit":
        assert built.detail == {"kind": "card", "cards": ["4001"], "n": 2}  # parsed, not text
    if make == "campaign":
        assert built.target_cells == ["A1", "B2"]


def test_an_instance_starts_at_its_columns_in_a_wider_row():
    build_chain()
    campaign = Campaign.objects.order_by("pk").first()
    row = ("before", *_raw(Campaign, campaign.pk), "after")
    built = rows.instance(Campaign, row, 1)
    assert _fields(built) == _fields(Campaign.objects.get(pk=campaign.pk))
    assert rows.width(Campaign) == len(row) - 2


def test_rows_sets_the_extra_columns_and_explains_its_statement():
    first, second = MemberFactory(), MemberFactory()
    found = rows.Rows(
        type(first),
        f"SELECT {rows.columns(type(first))}, id * 10 AS tenfold FROM members_member "
        "WHERE id = ANY(%s) ORDER BY id",
        [[second.pk, first.pk]],
        extra=("tenfold",),
    )
    assert [(m.pk, m.card_number, m.tenfold) for m in found] == [
        (first.pk, first.card_number, first.pk * 10),
        (second.pk, second.card_number, second.pk * 10),
    ]
    assert "members_member" in found.explain()


def test_insert_returns_what_the_orm_reads_back_defaults_included():
    from apps.audit.models import AuditEvent

    user = UserFactory()
    made = rows.insert(
        AuditEvent, kind="lookup", actor_id=user.pk, actor_name="till 7",
        ip_address="2001:DB8::1", path="/members/lookup/", query="", object_type="member",
        object_id="4001", row_count=1, detail={"cards": ["4001"], "truncated": False},
    )  # fmt: skip
    stored = AuditEvent.objects.get(pk=made.pk)
    assert _fields(made) == _fields(stored)
    assert made.at is not None and not made._state.adding  # the database's default, read back
    assert stored.ip_address == "2001:db8::1"  # cleaned as the ORM's insert cleans it
    assert stored.detail == {"cards": ["4001"], "truncated": False} and stored.actor == user
