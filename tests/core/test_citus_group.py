"""distribute_group on a probe schema: keys widened, foreign keys kept where Citus can hold
them, everything restored going back; nothing at all on plain PostgreSQL.

Expected definitions are written out here, not derived from the code under test.
"""

from __future__ import annotations

import pytest
from django.db import connection

from apps.core.citus_group import DistributeGroup
from tests.core.test_citus import citus_functions

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE TABLE core_probe_member (id bigint PRIMARY KEY, card text NOT NULL UNIQUE);
CREATE TABLE core_probe_order (
    id bigserial PRIMARY KEY,
    owner_id bigint NOT NULL,
    member_id bigint REFERENCES core_probe_member (id),
    code text NOT NULL CONSTRAINT probe_order_code UNIQUE
);
CREATE TABLE core_probe_line (
    id bigserial PRIMARY KEY,
    member_id bigint NOT NULL REFERENCES core_probe_member (id),
    order_id bigint NOT NULL
        CONSTRAINT probe_line_order REFERENCES core_probe_order (id) DEFERRABLE INITIALLY DEFERRED,
    slot int NOT NULL,
    gone boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX probe_line_slot ON core_probe_line (order_id, slot) WHERE NOT gone;
CREATE TABLE core_probe_note (
    id bigserial PRIMARY KEY,
    line_id bigint CONSTRAINT probe_note_line REFERENCES core_probe_line (id)
);
"""

DEFINITIONS_SQL = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid::regclass::text LIKE 'core_probe_%%' AND contype IN ('p', 'u', 'f')
UNION ALL
SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid)
FROM pg_index WHERE indexrelid::regclass::text = 'probe_line_slot'
ORDER BY 1, 2
"""

OPERATION = DistributeGroup(
    reference=["core_probe_member"],
    group={"core_probe_order": "owner_id", "core_probe_line": "member_id"},
)


def definitions() -> dict[tuple[str, str], str]:
    with connection.cursor() as cursor:
        cursor.execute(DEFINITIONS_SQL)
        return {(table, name): definition for table, name, definition in cursor.fetchall()}


def placements() -> dict[str, tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_dist_partition') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute(
            "SELECT logicalrelid::regclass::text, partmethod, repmodel, colocationid "
            "FROM pg_dist_partition WHERE logicalrelid::regclass::text LIKE 'core_probe_%%'"
        )
        return {table: rest for table, *rest in cursor.fetchall()}


def test_the_group_is_distributed_with_its_keys_and_comes_back_as_it_was():
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA)
    before = definitions()
    with connection.schema_editor() as editor:
        OPERATION.database_forwards("cluster", editor, None, None)
    after = definitions()
    if not citus_functions():  # plain PostgreSQL: not a thing changed
        assert after == before
        assert placements() == {}
        return
    where = placements()
    assert where["core_probe_member"][:2] == ["n", "t"]  # a reference table
    assert where["core_probe_order"][0] == where["core_probe_line"][0] == "h"
    assert where["core_probe_order"][2] == where["core_probe_line"][2]  # co-located
    assert "core_probe_note" not in where  # left on the coordinator, untouched
    assert after[("core_probe_order", "core_probe_order_pkey")] == "PRIMARY KEY (id, owner_id)"
    assert after[("core_probe_order", "probe_order_code")] == "UNIQUE (code, owner_id)"
    assert after[("core_probe_line", "core_probe_line_pkey")] == "PRIMARY KEY (id, member_id)"
    assert after[("core_probe_line", "probe_line_slot")] == (
        "CREATE UNIQUE INDEX probe_line_slot ON public.core_probe_line "
        "USING btree (order_id, slot, member_id) WHERE (NOT gone)"
    )
    assert after[("core_probe_line", "probe_line_order")] == (
        "FOREIGN KEY (member_id, order_id) REFERENCES core_probe_order(owner_id, id) "
        "DEFERRABLE INITIALLY DEFERRED"
    )
    # To the reference table as before; from the coordinator into the group: gone.
    assert any(
        d == "FOREIGN KEY (member_id) REFERENCES core_probe_member(id)"
        for (table, _), d in after.items()
        if table == "core_probe_order"
    )
    assert ("core_probe_note", "probe_note_line") not in after

    with connection.schema_editor() as editor:
        OPERATION.database_backwards("cluster", editor, None, None)
    assert definitions() == before
    assert placements() == {}
