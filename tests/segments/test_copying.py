"""The snapshot's line read: a row per product, its lines packed as fixed-size records.

The engine tests (test_snapshot_engine.py) compare whole snapshots with the former SQL;
these pin the read itself: every line once, each field from its own line and product
(a record misread by a byte, or fields taken from the wrong line, changes a value), and a
binary COPY stream that is not what the parser expects refused rather than misread.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.conf import settings
from django.db import connection

from apps.baskets.models import Basket, BasketLine
from apps.catalog.models import BrandType
from apps.core.pgcopy import fill_numeric
from apps.segments import copying
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, StoreFactory

START, END = dt.date(2026, 3, 1), dt.date(2026, 4, 1)  # spans the spring DST change


def _stream(*rows: list[bytes | None]) -> bytes:
    body = b""
    for row in rows:
        body += len(row).to_bytes(2, "big")
        for field in row:
            if field is None:
                body += (-1).to_bytes(4, "big", signed=True)
            else:
                body += len(field).to_bytes(4, "big") + field
    return copying.SIGNATURE + bytes(8) + body + copying.TRAILER


def test_rows_reads_each_field_and_null():
    rows = copying._rows(_stream([b"ab", None], [b"", b"xyz"]), 2)
    assert [[None if f is None else bytes(f) for f in row] for row in rows] == [
        [b"ab", None],
        [b"", b"xyz"],
    ]
    assert copying._rows(_stream(), 2) == []


def test_rows_refuses_what_it_does_not_expect():
    with pytest.raises(ValueError, match="other fields"):
        copying._rows(_stream([b"a"]), 2)
    with pytest.raises(ValueError, match="after its trailer"):
        copying._rows(_stream([b"a"]) + copying.TRAILER, 1)
    with pytest.raises(ValueError, match="not a binary COPY"):
        copying._rows(b"PGCOPY", 1)


@pytest.mark.django_db
def test_lines_read_gives_every_line_with_its_own_fields():
    store = StoreFactory()
    food, drink = CategoryFactory(name="Food"), CategoryFactory(name="Drink")
    other = CategoryFactory(name="Other")
    national = ProductFactory(category=food, brand_type=BrandType.NATIONAL)
    own = ProductFactory(category=food, brand_type=BrandType.STORE)
    soda = ProductFactory(category=drink, brand_type=BrandType.NATIONAL)
    elsewhere = ProductFactory(category=other, brand_type=BrandType.NATIONAL)
    ann, bob = MemberFactory(), MemberFactory()
    zone = ZoneInfo(settings.TIME_ZONE)
    expected = set()
    lines = []
    for n, (member, product, day, hour, amount) in enumerate(
        [
            (ann, national, 1, 0, "12.34"),
            (ann, own, 1, 23, "-0.05"),  # a return, late in the day
            (bob, own, 8, 1, "0.00"),  # a free line on the day the clocks spring forward
            (bob, soda, 31, 23, "99999999.99"),  # cents beyond 32 bits
            (ann, soda, 15, 12, "1.00"),
            (None, national, 2, 12, "5.00"),  # anonymous: not read
            (ann, elsewhere, 3, 12, "5.00"),  # another category: not read
            (bob, national, 0, 12, "5.00"),  # before the window
            (bob, national, 32, 0, "5.00"),  # on the window's end
        ]
    ):
        day_of = START + dt.timedelta(days=day - 1) if day else START - dt.timedelta(days=1)
        moment = dt.datetime.combine(day_of, dt.time(hour)).replace(tzinfo=zone)
        basket = Basket.objects.create(
            basket_id=f"R{n}", member=member, store=store, purchased_at=moment, source="import"
        )
        lines.append(
            BasketLine(
                basket=basket,
                product=product,
                member=member,
                purchased_at=moment,
                quantity=Decimal(1),
                amount=Decimal(amount),
            )
        )
        if member and product is not elsewhere and 1 <= day <= 31:
            expected.add(
                (
                    product.category_id,
                    member.pk,
                    (day_of - copying.EPOCH).days,
                    int(Decimal(amount) * 100),
                    product is not own,
                )
            )
    BasketLine.objects.bulk_create(lines)
    with connection.cursor() as cursor:
        midnights = copying.local_midnights(cursor, first=START, last=END, tz=settings.TIME_ZONE)
        read = copying.lines_read(
            cursor, category_ids=[food.pk, drink.pk], first=START, midnights=midnights
        )
    got = list(
        zip(
            read.category.tolist(),
            read.member.tolist(),
            read.day.tolist(),
            read.cents.tolist(),
            read.national.tolist(),
            strict=True,
        )
    )
    assert len(got) == len(expected) == 5
    assert set(got) == expected
    assert all(a.dtype == np.int64 for a in (read.category, read.member, read.day, read.cents))


@pytest.mark.django_db
def test_numerics_written_in_binary_read_back_as_their_decimal_values():
    """Each numeric shape (segmentmember's three) through PostgreSQL's own binary input:
    whole digits, leading and trailing zero digits, and the largest value each holds."""
    cases = [
        (copying.SPEND, 2, "numeric(12,2)", [0, 1, 99, 100, 123456, 10**8, 999999999999]),
        (copying.SHARE, 6, "numeric(7,6)", [0, 1, 5000, 999999, 1000000]),
        (copying.CYCLE, 2, "numeric(8,2)", [0, 50, 150, 1000000, 99999950]),
    ]
    with connection.cursor() as cursor:
        for shape, scale, column, units in cases:
            row = np.dtype([("fields", ">i2"), ("size", ">i4"), ("value", shape)])
            rows = np.zeros(len(units), dtype=row)
            rows["fields"], rows["size"] = 1, row["value"].itemsize
            fill_numeric(rows["value"], np.array(units, dtype=np.int64), scale=scale)
            cursor.execute(f"CREATE TEMP TABLE numbers (value {column})")
            with cursor.copy("COPY numbers FROM STDIN (FORMAT binary)") as copy:
                copy.write(copying.SIGNATURE + bytes(8) + rows.tobytes() + copying.TRAILER)
            cursor.execute("SELECT value::text FROM numbers")
            written = [value for (value,) in cursor.fetchall()]
            cursor.execute("DROP TABLE numbers")
            expected = [
                str(Decimal(u).scaleb(-scale).quantize(Decimal(1).scaleb(-scale))) for u in units
            ]
            assert written == expected


def test_a_value_too_long_for_its_numeric_is_refused():
    target = np.zeros(1, dtype=copying.SPEND)
    with pytest.raises(ValueError, match="more digits"):
        fill_numeric(target, np.array([10**14], dtype=np.int64), scale=2)
