"""The site's connections bind parameters server-side and prepare what they run again.

The till's and the cashier's statements are the same on every request: PostgreSQL plans
each once per connection instead of once per request (docs/performance.md). The oracle is
PostgreSQL's own list of the session's prepared statements.
"""

from __future__ import annotations

import pytest
from django.db import connection

from apps.members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

MARK = "/* prepared-statements-test */"


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_run_twice_is_prepared_and_still_answers():
    member = MemberFactory()
    sql = f"{MARK} SELECT card_number FROM members_member WHERE id = %s"
    answers = []
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [member.pk])
            answers.append(cursor.fetchone()[0])
    assert answers == [member.card_number] * 3
    assert any(MARK in statement for statement in _prepared())


def test_a_statement_run_once_is_not_prepared():
    with connection.cursor() as cursor:
        cursor.execute(f"{MARK} SELECT count(*) FROM members_member WHERE id > %s", [0])
    assert not any("id > $1" in s and MARK in s for s in _prepared())
    assert Member.objects.count() == 0


def test_a_script_with_parameters_runs_every_statement():
    # The extended protocol takes one statement per parameterized query; a script (the
    # erasure's, the retention's) is bound on the client and runs whole, twice over.
    first, second = MemberFactory(first_name="Ann"), MemberFactory(first_name="Bob")
    script = (
        "UPDATE members_member SET first_name = %s WHERE id = %s; "
        "UPDATE members_member SET first_name = %s WHERE id = %s;"
    )
    for suffix in ("1", "2"):
        with connection.cursor() as cursor:
            cursor.execute(script, [f"A{suffix}", first.pk, f"B{suffix}", second.pk])
    names = dict(Member.objects.values_list("pk", "first_name"))
    assert names == {first.pk: "A2", second.pk: "B2"}
