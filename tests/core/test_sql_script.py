"""Migration scripts split into statements, plpgsql bodies kept whole."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.db import connection

from apps.core.sql_script import sql_statements

SCRIPT = r"""
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'refused (% on %)', TG_OP, TG_TABLE_NAME;
END $$;

CREATE TRIGGER a BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION refuse();
CREATE TRIGGER b BEFORE DELETE ON t
    FOR EACH ROW EXECUTE FUNCTION refuse();
"""


def test_a_function_and_the_triggers_after_it_are_three_statements():
    statements = sql_statements(SCRIPT)
    assert len(statements) == 3
    assert statements[0].startswith("CREATE FUNCTION refuse()")
    assert statements[0].endswith("END $$;")
    assert "RAISE EXCEPTION 'refused (% on %)', TG_OP, TG_TABLE_NAME;" in statements[0]
    assert statements[1] == (
        "CREATE TRIGGER a BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION refuse();"
    )
    assert statements[2] == (
        "CREATE TRIGGER b BEFORE DELETE ON t\n    FOR EACH ROW EXECUTE FUNCTION refuse();"
    )


def test_a_body_opened_and_closed_on_lines_of_its_own():
    script = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS\n$$\nSELECT 1;\n$$;\nSELECT f();"
    assert sql_statements(script) == [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS\n$$\nSELECT 1;\n$$;",
        "SELECT f();",
    ]


MIGRATIONS_WITH_TRIGGERS = [
    "apps.audit.migrations.0002_triggers",
    "apps.audit.migrations.0004_refuse_truncate",
    "apps.checkout.migrations.0003_redemption_slots",
    "apps.rewards.migrations.0002_append_only_and_default_rule",
]


@pytest.mark.django_db
def test_the_migrations_split_this_way_created_every_trigger_they_name():
    named = set()
    for module in MIGRATIONS_WITH_TRIGGERS:
        source = Path(importlib.import_module(module).__file__).read_text()
        named |= set(re.findall(r"CREATE TRIGGER (\w+)", source))
    assert len(named) >= 8
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    assert named <= present
