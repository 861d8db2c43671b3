"""The member's record leaves out no table that holds the member's rows.

The rule (apps/rights/access/registry.py): every model with a relation to members.Member
(a foreign key with or without a database constraint, or a one-to-one), and, repeatedly,
every model with a relation to one of those (rows hanging from the member's rows). A table
added later that refers to a member, or to a basket, list, redemption or any other of the
member's rows, fails the first test until a section of the record covers it.

The second test asks the database itself, with SQL written here, which rows of each of
those tables belong to a member, and checks the JSON export holds exactly them.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from apps.members.models import Member
from apps.rights.access.registry import NOT_MEMBER_DATA, covered_models
from tests.privacy.access_rows import member_with_every_row


def _relations(model):
    return [f for f in model._meta.get_fields() if f.is_relation and f.concrete and f.related_model]


def member_scope() -> dict[str, type]:
    """Label → model of every model the rule puts in a member's record (Member excluded)."""
    scope = {
        m._meta.label: m
        for m in apps.get_models(include_auto_created=True)
        if any(f.related_model is Member for f in _relations(m))
    }
    while True:
        new = {
            m._meta.label: m
            for m in apps.get_models(include_auto_created=True)
            if m._meta.label not in scope
            and any(f.related_model in scope.values() for f in _relations(m))
        }
        if not new:
            return scope
        scope.update(new)


def _pk_fields(model) -> list:
    return list(getattr(model._meta, "pk_fields", None) or [model._meta.pk])


def _rows_of(member_id: int, scope: dict[str, type]) -> dict[str, set[tuple[str, ...]]]:
    """Label → primary keys of the member's rows, found by SQL over the relations alone."""
    owned: dict[str, set] = {label: set() for label in scope}
    with connection.cursor() as cursor:
        for label, model in scope.items():
            table = connection.ops.quote_name(model._meta.db_table)
            keys = ", ".join(connection.ops.quote_name(f.column) for f in _pk_fields(model))
            for field in _relations(model):
                if field.related_model is Member:
                    column = connection.ops.quote_name(field.column)
                    cursor.execute(f"SELECT {keys} FROM {table} WHERE {column} = %s", [member_id])
                    owned[label] |= {tuple(str(v) for v in row) for row in cursor.fetchall()}
        changed = True
        while changed:  # rows hanging from the member's rows, at any depth
            changed = False
            for label, model in scope.items():
                table = connection.ops.quote_name(model._meta.db_table)
                keys = ", ".join(connection.ops.quote_name(f.column) for f in _pk_fields(model))
                for field in _relations(model):
                    parent = field.related_model._meta.label
                    if parent not in scope or not owned[parent]:
                        continue
                    assert field.target_field.primary_key, f"{label}.{field.name}"
                    parents = [int(key[0]) for key in owned[parent]]
                    column = connection.ops.quote_name(field.column)
                    cursor.execute(
                        f"SELECT {keys} FROM {table} WHERE {column} = ANY(%s)", [parents]
                    )
                    found = {tuple(str(v) for v in row) for row in cursor.fetchall()}
                    if not found <= owned[label]:
                        owned[label] |= found
                        changed = True
    return owned


def test_every_model_that_refers_to_a_member_is_in_the_record():
    missing = sorted(set(member_scope()) - covered_models() - set(NOT_MEMBER_DATA))
    assert not missing, (
        "These models refer to a member (or to a member's rows) but no section of the "
        f"member's record covers them; add a Table in apps/rights/access/: {missing}"
    )


def test_the_record_covers_only_member_data_besides_the_member_and_the_audit_trail():
    # The member's own row is the root; the audit trail refers to members by value, not by
    # relation (object_id, a lookup's cards), so the rule cannot find it.
    assert covered_models() - set(member_scope()) == {"members.Member", "audit.AuditEvent"}


def _export(client, member) -> tuple[dict, str]:
    response = client.get(reverse("privacy:export_json", args=[member.card_number]))
    assert response.status_code == 200
    text = response.content.decode()
    return json.loads(text), text


def _exported_keys(record: dict) -> dict[str, set[tuple[str, ...]]]:
    keys = {}
    for section in record["sections"]:
        for table in section["tables"]:
            model = apps.get_model(table["model"])
            names = [f.attname for f in _pk_fields(model)]
            keys[model._meta.label] = {
                tuple(str(row[name]) for name in names) for row in table["rows"]
            }
    return keys


@pytest.mark.django_db
def test_the_export_holds_every_row_of_the_member_and_none_of_another(client, privacy_user):
    member, other, made = member_with_every_row()
    scope = member_scope()
    not_made = sorted(set(scope) - set(made))
    assert not not_made, f"tests/privacy/access_rows.py makes no row in {not_made}"

    owned = _rows_of(member.pk, scope)
    client.force_login(privacy_user)
    record, text = _export(client, member)
    exported = _exported_keys(record)

    for label in scope:
        assert made[label] <= owned[label], label  # the SQL above finds what was made
        assert exported[label] == owned[label], label
    assert exported["members.Member"] == {(str(member.pk),)}
    assert made["audit.AuditEvent"] <= exported["audit.AuditEvent"]
    # The other member's rows, card and name appear nowhere, the shared lookup included.
    others = _rows_of(other.pk, scope)
    for label in scope:
        assert not (others[label] & exported[label]), label
    for value in (other.card_number, other.last_name, other.email):
        assert value not in text
