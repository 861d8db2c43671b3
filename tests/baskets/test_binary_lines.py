"""Basket lines in binary COPY (`importing/binary_lines.py`) read back as PostgreSQL reads
their staged texts.

The oracle is PostgreSQL's own text input: each staged text cast to basketline's column
type in SQL. The cases hold what the text rules let through: NULL members between members
(those rows are shorter), negative and negative-zero money, "5." and ".5", leading zeros,
the largest value each numeric holds, microseconds, and the first and last years.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.db import connection

from apps.baskets.importing.binary_lines import binary_lines
from apps.baskets.services import IMPORT_LINES_COPY_SQL

pytestmark = pytest.mark.django_db

# (basket, product, member, owner, time, quantity, amount, discount), as staged texts.
LINES = [
    ("1", "7", "3", "3", "2026-01-05 07:00:00+00:00", "1", "12.34", "0.00"),
    ("1", "8", None, "-4000017", "2026-01-05 07:00:00.123456+00:00", "0.250", "-1.5", "0"),
    ("2", "9", "5", "5", "0001-01-01 00:00:00+00:00", ".5", "-0.00", ".5"),
    ("3", "1", None, "-1", "9999-12-31 23:59:59.999999+00:00", "5.", "-.05", "7."),
    ("4", "2", "6", "6", "2000-01-01 00:00:00+00:00", "9999999.999", "9999999999.99", "0012"),
    ("5", "3", "7", "7", "1999-12-31 23:59:59.999999+00:00", "0000001.5", "-9999999999.99", "1"),
    ("6", "4", None, "-9", "2024-02-29 12:00:00+00:00", "10000", "10000.01", "9999.99"),
]
TYPES = ["bigint", "bigint", "bigint", "bigint", "timestamptz"]
TYPES += ["numeric(10,3)", "numeric(12,2)", "numeric(12,2)"]


def _as_postgres_reads_text(cursor) -> list[tuple]:
    fields = ", ".join(f"%s::{kind}" for kind in TYPES)
    rows = []
    for line in LINES:
        cursor.execute(f"SELECT {fields}", line)
        rows.append(cursor.fetchone())
    return rows


def test_binary_lines_read_back_as_their_texts_cast_by_postgresql():
    columns = [pa.array(column, pa.string()) for column in zip(*LINES, strict=True)]
    data = binary_lines(
        basket_pks=columns[0],
        product_ids=columns[1],
        member_ids=pa.array([None if m is None else int(m) for m in columns[2].to_pylist()]),
        owner_ids=columns[3],
        times=columns[4],
        quantity=columns[5],
        amount=columns[6],
        discount=columns[7],
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        # basketline's column types; its own ids numbered in COPY order (an identity on
        # PostgreSQL, a sequence default on Citus: neither is copied by LIKE alone).
        cursor.execute("CREATE TEMP TABLE lines_read (LIKE baskets_basketline) ON COMMIT DROP")
        cursor.execute("ALTER TABLE lines_read DROP COLUMN id, ADD COLUMN id bigserial")
        copy_sql = IMPORT_LINES_COPY_SQL.replace("baskets_basketline", "lines_read")
        with cursor.copy(copy_sql) as copy:
            copy.write(data)
        cursor.execute(
            "SELECT basket_id, product_id, member_id, owner_id, purchased_at, quantity, "
            "amount, discount FROM lines_read ORDER BY id"
        )
        written = cursor.fetchall()
        expected = _as_postgres_reads_text(cursor)
    assert len(written) == len(LINES)
    assert written == expected
    # The display scale too: "5." is 5.000, "-.05" is -0.05, "-0.00" is 0.00.
    assert [str(row[5]) for row in written][3] == "5.000"
    assert [str(row[6]) for row in written][2:4] == ["0.00", "-0.05"]


def test_a_money_value_longer_than_its_column_is_refused():
    texts = pa.array(["1"], pa.string())
    with pytest.raises((ValueError, pa.ArrowInvalid)):
        binary_lines(
            basket_pks=texts,
            product_ids=texts,
            member_ids=pa.array([1]),
            owner_ids=texts,
            times=pa.array(["2026-01-05 07:00:00+00:00"]),
            quantity=texts,
            amount=pa.array(["99999999999.99"]),
            discount=texts,
        )
