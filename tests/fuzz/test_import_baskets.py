"""Fuzz the till file import (baskets.csv) against an oracle built from the generated rows.

Hypothesis writes files mixing good rows (a small real catalog, known and new cards and
stores, unicode and quoted ids, every time and number notation the rules allow, huge values)
with malformed ones (wrong field counts, bad dates and numbers, NUL and undecodable bytes,
broken quoting, over-long ids, unknown UPCs, rows of one basket that disagree), plus BOM,
blank lines, CRLF and lone CR, shuffled and extra columns. The oracle knows each record's
physical line and whether it is good, so it predicts independently of the importer:
which lines are rejected (and why), which baskets and lines load with which totals, and that
a second import changes nothing. Every example runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import event, given
from hypothesis import strategies as st

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine, ImportReject, Store
from apps.jobs.models import Job
from apps.members.models import Member
from tests.factories import BasketFactory, MemberFactory, ProductFactory, StoreFactory
from tests.fuzz.profiles import fuzz_settings

pytestmark = pytest.mark.django_db

COLUMNS = ("basket_id", "card_number", "store", "purchased_at", "upc", "quantity", "amount")
ALL_COLUMNS = (*COLUMNS, "discount")
UPCS = ("000000000001", "000000000002", "000000000003")
CARDS = ("1001", "1002")
STORES = ("S01",)
OLD_BASKET = "OLD-1"  # loaded by an earlier import: its rows are skipped whole
# Stands for an undecodable byte until the file is encoded (no generated text holds it).
BAD_BYTE = "\ue000"
LIMITS = {"basket_id": 64, "card_number": 32, "store": 32}
UTC = dt.UTC


@dataclass(frozen=True)
class Head:
    """The basket columns of a row, as the oracle sees them (stripped, time in UTC)."""

    card: str
    store: str
    utc: dt.datetime


@dataclass(frozen=True)
class Good:
    basket_id: str
    head: Head
    upc: str
    quantity: Decimal
    amount: Decimal
    discount: Decimal


@dataclass
class Record:
    """One CSV record as written: its text, and what the oracle expects of it."""

    text: str
    good: Good | None = None
    reason: str | None = None  # a fragment of the expected reject reason
    blank: bool = False


# ---------------------------------------------------------------------------------------------
# Values

# Ids: letters, digits, punctuation (commas and quotes force CSV quoting), symbols, spaces
# inside. No control characters, surrogates, private use (BAD_BYTE) or U+FFFD.
id_text = st.text(
    alphabet=st.characters(
        categories=["L", "N", "P", "S", "Zs"], exclude_characters="\ufffd" + BAD_BYTE
    ),
    min_size=1,
    max_size=16,
).map(str.strip)


def new_id(limit: int) -> st.SearchStrategy[str]:
    return id_text.filter(lambda s: 0 < len(s) <= limit)


local_naive = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 12, 31))
offsets = st.integers(-12 * 4, 14 * 4).map(lambda q: dt.timezone(dt.timedelta(minutes=15 * q)))


@st.composite
def times(draw) -> tuple[str, dt.datetime]:
    """A purchase time as written in the file, and the instant it means."""
    moment = draw(local_naive)
    if not draw(st.booleans()):
        moment = moment.replace(microsecond=0)
    seconds = draw(st.booleans()) or moment.second or moment.microsecond
    if not seconds:
        moment = moment.replace(second=0, microsecond=0)
    sep = draw(st.sampled_from("T "))
    spec = "seconds" if moment.microsecond == 0 else "microseconds"
    if draw(st.booleans()):
        # Store-local wall time; an ambiguous autumn hour is the first (fold=0).
        utc = moment.replace(tzinfo=ZoneInfo(django_settings.TIME_ZONE)).astimezone(UTC)
        text = moment.isoformat(sep=sep, timespec=spec if seconds else "minutes")
    else:
        aware = moment.replace(tzinfo=draw(offsets))
        utc = aware.astimezone(UTC)
        text = aware.isoformat(sep=sep, timespec=spec if seconds else "minutes")
        if text.endswith("+00:00") and draw(st.booleans()):
            text = text.removesuffix("+00:00") + "Z"
    return text, utc


def notations(value: Decimal, places: int) -> list[str]:
    """Ways the rules allow to write a non-negative decimal with at most `places` decimals."""
    texts = {f"{value:.{places}f}"}
    whole, _, fraction = f"{value:.{places}f}".partition(".")
    fraction = fraction.rstrip("0")
    texts.add(f"{whole}.{fraction}" if fraction else whole)
    if not fraction:
        texts.add(f"{whole}.")  # "3." is a number to PostgreSQL
    if whole == "0" and fraction:
        texts.add(f".{fraction}")
    if len(whole) < 7:
        texts.add(f"0{whole}" + (f".{fraction}" if fraction else ""))
    return sorted(texts)


@st.composite
def written(draw, values: st.SearchStrategy[Decimal], places: int) -> tuple[str, Decimal]:
    value = draw(values)
    return draw(st.sampled_from(notations(value, places))), value


quantities = written(
    st.one_of(
        st.integers(1, 20).map(Decimal),
        st.integers(1, 99_999).map(lambda n: Decimal(n) / 1000),
        st.just(Decimal("9999999.999")),
    ),
    3,
)
amounts = written(
    st.one_of(
        st.integers(0, 9_999).map(lambda n: Decimal(n) / 100),
        st.integers(0, 999_999_999_999).map(lambda n: Decimal(n) / 100),
    ),
    2,
)
discounts = st.one_of(st.just(("", Decimal("0.00"))), amounts)


# ---------------------------------------------------------------------------------------------
# Malformed values: (column, text, expected reason fragment)
BAD_VALUES = {
    "purchased_at": [
        ("2026-13-01T00:00:00", "bad purchased_at"),
        ("2026-02-30T10:00:00", "bad purchased_at"),
        ("yesterday", "bad purchased_at"),
        ("2026-03-01", "no time of day"),
        ("", "missing purchased_at"),
        ("9999-12-31T23:00:00", "bad purchased_at"),
        ("0001-01-01T00:00:00+01:00", "bad purchased_at"),
        ("2026-03-01T09:30:00+25:00", "bad purchased_at"),
        ("２０２６-03-01T09:30:00", "bad purchased_at"),
        ("2026-03-01T09:30:00\x00", "bad purchased_at"),
        ("9" * 5000, "bad purchased_at"),
    ],
    "quantity": [
        ("-1", "quantity must be positive"),
        ("0", "quantity must be positive"),
        ("0.000", "quantity must be positive"),
        ("1e3", "bad quantity"),
        ("1.2345", "bad quantity"),
        ("abc", "bad quantity"),
        ("99999999", "bad quantity"),
        ("١", "bad quantity"),
        ("NaN", "bad quantity"),
        ("inf", "bad quantity"),
        ("1,5", "bad quantity"),
        ("", "missing quantity"),
        ("1" * 100_000, "bad quantity"),
    ],
    "amount": [
        ("-1", "negative amount"),
        ("1.234", "bad amount"),
        ("x", "bad amount"),
        ("12345678901", "bad amount"),
        ("", "missing amount"),
        ("٣", "bad amount"),
        ("1e2", "bad amount"),
        ("Infinity", "bad amount"),
        ("3\x00", "bad amount"),
    ],
    "discount": [
        ("-0.01", "negative discount"),
        ("abc", "bad discount"),
        ("1.005", "bad discount"),
        ("NaN", "bad discount"),
    ],
    "upc": [
        ("999999999999", "unknown upc"),
        ("", "missing upc"),
        ("00000000000１", "unknown upc"),
        ("x" * 300, "unknown upc"),
    ],
    "basket_id": [
        ("", "missing basket_id"),
        ("B" * 65, "basket_id longer than 64"),
        ("B\x00", "bad basket_id"),
        ("B\x07", "bad basket_id"),
        (f"B{BAD_BYTE}", "bad basket_id"),
        ("B\n1", "bad basket_id"),  # a quoted field running over two lines
    ],
    "card_number": [
        ("C" * 33, "card_number longer than 32"),
        ("1\x1b", "bad card_number"),
        (f"1{BAD_BYTE}", "bad card_number"),
    ],
    "store": [
        ("", "missing store"),
        ("S" * 33, "store longer than 32"),
        ("S\t1", "bad store"),
        (f"S{BAD_BYTE}", "bad store"),
        ("S\r\n1", "bad store"),
    ],
}


# ---------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True)
class Layout:
    """How the file is written: column order (with extra columns), quoting, header case."""

    columns: tuple[str, ...]
    header: str
    quote_all: bool
    bom: bool


@st.composite
def layouts(draw) -> Layout:
    extras = draw(st.lists(st.sampled_from(["note", "till", "Lane"]), max_size=2, unique=True))
    columns = tuple(draw(st.permutations([*ALL_COLUMNS, *extras])))
    names = [
        draw(st.sampled_from([c, c.upper(), f" {c.title()} "])) if c in ALL_COLUMNS else c
        for c in columns
    ]
    quote_all = draw(st.booleans())
    header = csv_text(names, end="", quote_all=draw(st.booleans()))
    return Layout(columns=columns, header=header, quote_all=quote_all, bom=draw(st.booleans()))


extra_values = st.one_of(
    st.just(""),
    st.text(
        alphabet=st.characters(exclude_categories=["Cs", "Co"], exclude_characters="\r"),
        max_size=30,
    ),
    st.sampled_from(["a\nb", "multi\r\nline", '"quoted", text', "\x00", "ok"]),
)


def csv_text(row: list[str], *, end: str, quote_all: bool = False) -> str:
    """The row as one CSV record ending in `end` ("\r", "\n", "\r\n" or nothing)."""
    out = io.StringIO()
    # The writer quotes only the line breaks of its own terminator: give it both.
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(out, lineterminator="\r\n", quoting=quoting).writerow(row)
    return out.getvalue().removesuffix("\r\n") + end


def render(layout: Layout, values: dict[str, str], extras: dict[str, str], end: str) -> str:
    row = [values[c] if c in values else extras.get(c, "") for c in layout.columns]
    return csv_text(row, end=end, quote_all=layout.quote_all)


@st.composite
def baskets(draw) -> tuple[str, str, str, tuple[str, dt.datetime]]:
    """A basket's id, card, store and time (written, instant)."""
    basket_id = draw(st.sampled_from(["new"] * 6 + ["old", "long"]))
    basket_id = {"old": OLD_BASKET, "long": "B" * 62}.get(basket_id) or draw(
        new_id(LIMITS["basket_id"])
    )
    card = draw(st.one_of(st.just(""), st.sampled_from(CARDS), new_id(LIMITS["card_number"])))
    store = draw(st.one_of(st.sampled_from(STORES), new_id(LIMITS["store"])))
    return basket_id, card, store, draw(times())


def padded(draw, text: str) -> str:
    """The value, sometimes with spaces around it (the importer strips them)."""
    return draw(st.sampled_from([text, f" {text}", f"{text}  "])) if text else text


@st.composite
def good_record(draw, layout: Layout, basket, end: str) -> Record:
    basket_id, card, store, (when, utc) = basket
    if draw(st.sampled_from(range(12))) == 11:  # another card, store or time: disagrees
        card = draw(st.sampled_from([card, "1002", "9"]))
        store = draw(st.sampled_from([store, "S02"]))
        when, utc = draw(st.sampled_from([(when, utc), draw(times())]))
    upc = draw(st.sampled_from(UPCS))
    qty_text, qty = draw(quantities)
    amount_text, amount = draw(amounts)
    discount_text, discount = draw(discounts)
    values = {
        "basket_id": padded(draw, basket_id),
        "card_number": padded(draw, card),
        "store": padded(draw, store),
        "purchased_at": padded(draw, when),
        "upc": padded(draw, upc),
        "quantity": padded(draw, qty_text),
        "amount": padded(draw, amount_text),
        "discount": padded(draw, discount_text),
    }
    extras = {c: draw(extra_values) for c in layout.columns if c not in ALL_COLUMNS}
    good = Good(basket_id, Head(card, store, utc), upc, qty, amount, discount)
    return Record(render(layout, values, extras, end), good=good)


@st.composite
def bad_record(draw, layout: Layout, basket, end: str) -> Record:
    template = draw(good_record(layout, basket, end))
    good = template.good
    values = {
        "basket_id": good.basket_id,
        "card_number": good.head.card,
        "store": good.head.store,
        "purchased_at": good.head.utc.isoformat(),
        "upc": good.upc,
        "quantity": f"{good.quantity:.3f}",
        "amount": f"{good.amount:.2f}",
        "discount": f"{good.discount:.2f}",
    }
    kind = draw(st.sampled_from(["value"] * 6 + ["fields", "spaces", "csv"]))
    if kind == "value":
        column = draw(st.sampled_from(sorted(BAD_VALUES)))
        text, reason = draw(st.sampled_from(BAD_VALUES[column]))
        values[column] = text
        return Record(render(layout, values, {}, end), reason=reason)
    if kind == "fields":
        row = [values.get(c, "") for c in layout.columns]
        if draw(st.booleans()):
            del row[draw(st.integers(0, len(row) - 1)) :]
            row = row or [""]
        else:
            row += draw(st.lists(st.sampled_from(["", "x", "1"]), min_size=1, max_size=3))
        return Record(csv_text(row, end=end), reason="wrong number of fields")
    if kind == "spaces":
        return Record(" " * draw(st.integers(1, 3)) + end, reason="wrong number of fields")
    # A quote closed in the middle of a field.
    return Record('"X"x' + "," * (len(layout.columns) - 1) + end, reason="malformed CSV")


@st.composite
def till_files(draw) -> tuple[Layout, list[Record]]:
    layout = draw(layouts())
    pool = draw(st.lists(baskets(), min_size=1, max_size=5))
    # Distinct ids, but for the basket loaded earlier, which may come more than once.
    pool = [(b[0] if b[0] == OLD_BASKET else f"{i}-{b[0]}", *b[1:]) for i, b in enumerate(pool)]
    records: list[Record] = []
    for _ in range(draw(st.integers(1, 16))):
        end = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
        if records and records[-1].text.endswith("\r") and end.startswith("\n"):
            end = "\r"  # "\r" then "\n" would be one line break, not two
        basket = draw(st.sampled_from(pool))
        kind = draw(st.sampled_from(["good"] * 5 + ["bad"] * 2 + ["blank"]))
        if kind == "blank":
            records.append(Record(end, blank=True))
        elif kind == "good":
            records.append(draw(good_record(layout, basket, end)))
        else:
            records.append(draw(bad_record(layout, basket, end)))
    if draw(st.sampled_from(range(8))) == 7:  # an opening quote never closed: to the end
        unclosed = '"never closed,' + ",".join(["x"] * 8) + "\n"
        records.append(Record(unclosed, reason="malformed CSV"))
    if records and not records[-1].blank and draw(st.booleans()):
        records[-1].text = records[-1].text.rstrip("\r\n")  # no newline at the end of the file
    return layout, records


def file_bytes(layout: Layout, records: list[Record]) -> bytes:
    text = layout.header + "\n" + "".join(r.text for r in records)
    data = text.encode("utf-8").replace(BAD_BYTE.encode("utf-8"), b"\xff")
    return (b"\xef\xbb\xbf" if layout.bom else b"") + data


def physical_lines(text: str) -> int:
    """How many lines a record takes, as Python's universal newlines count them."""
    breaks = len(re.findall(r"\r\n|\r|\n", text))
    return breaks if text.endswith(("\r", "\n")) else breaks + 1


# ---------------------------------------------------------------------------------------------
# The oracle


@dataclass
class Expected:
    rejects: dict[int, str]  # line → reason fragment
    baskets: dict[str, tuple]  # basket_id → (card or None, store, utc, total, discount, lines)
    lines: Counter  # (basket_id, upc, quantity, amount, discount)
    rows_read: int
    loaded: int


def expect(records: list[Record]) -> Expected:
    rejects: dict[int, str] = {}
    goods: list[tuple[int, Good]] = []
    line = 2
    rows = 0
    for record in records:
        if not record.blank:
            rows += 1
            if record.good is not None:
                goods.append((line, record.good))
            else:
                rejects[line] = record.reason
        line += physical_lines(record.text)
    by_basket: dict[str, list[tuple[int, Good]]] = defaultdict(list)
    for line, good in goods:
        by_basket[good.basket_id].append((line, good))
    baskets: dict[str, tuple] = {}
    lines: Counter = Counter()
    for basket_id, rows_of in by_basket.items():
        heads = {g.head for _, g in rows_of}
        too_large = max(
            sum(g.amount for _, g in rows_of), sum(g.discount for _, g in rows_of)
        ) > Decimal("9999999999.99")
        if len(heads) > 1 or too_large:
            for line, _ in rows_of:
                rejects[line] = "disagree" if len(heads) > 1 else "totals more than"
            continue
        if basket_id == OLD_BASKET:
            continue
        (head,) = heads
        baskets[basket_id] = (
            head.card or None,
            head.store,
            head.utc,
            sum(g.amount for _, g in rows_of),
            sum(g.discount for _, g in rows_of),
            len(rows_of),
        )
        for _, g in rows_of:
            lines[(basket_id, g.upc, g.quantity, g.amount, g.discount)] += 1
    return Expected(rejects, baskets, lines, rows, sum(lines.values()))


# ---------------------------------------------------------------------------------------------
# The test


def loaded_state() -> dict:
    return {
        "baskets": list(Basket.objects.order_by("basket_id").values()),
        "lines": list(BasketLine.objects.order_by("id").values()),
        "members": list(Member.objects.order_by("card_number").values()),
        "stores": list(Store.objects.order_by("code").values()),
    }


def reject_file_lines(path: Path) -> dict[int, str]:
    rejects = path.with_name(f"{path.name}.rejects.csv")
    if not rejects.exists():
        return {}
    with rejects.open(newline="", encoding="utf-8") as f:
        return {int(row["line"]): row["reason"] for row in csv.DictReader(f)}


@pytest.fixture
def catalog(db):
    for upc in UPCS:
        ProductFactory(upc=upc)
    for card in CARDS:
        MemberFactory(card_number=card)
    for code in STORES:
        StoreFactory(code=code)
    BasketFactory(basket_id=OLD_BASKET, member=None, store=Store.objects.get(code="S01"))


class Rollback(Exception):
    """Raised at the end of an example to undo its writes."""


@fuzz_settings(40)
@given(data=till_files())
def test_till_files(catalog, data):
    layout, records = data
    expected = expect(records)
    event(f"baskets loaded: {min(len(expected.baskets), 3)}+")
    event(f"rejects: {min(len(expected.rejects), 5)}+")
    for fragment in set(expected.rejects.values()):
        event(f"reject: {fragment}")
    existing_members = set(Member.objects.values_list("card_number", flat=True))
    existing_stores = set(Store.objects.values_list("code", flat=True))
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "baskets.csv"
            path.write_bytes(file_bytes(layout, records))
            baskets_before = Basket.objects.count()
            job = Job.objects.create(kind="pos_import")

            (first,) = pos_import_dir(directory=Path(tmp), job_id=job.pk).files

            assert first.error is None
            rejected = dict(expected.rejects)
            counts = (first.rows_read, first.loaded, first.rejected)
            assert counts == (expected.rows_read, expected.loaded, len(rejected))
            reported = reject_file_lines(path)
            assert sorted(reported) == sorted(rejected), "rejected lines"
            for line, fragment in rejected.items():
                assert fragment in reported[line], (line, fragment, reported[line])
            stored = dict(ImportReject.objects.filter(job=job).values_list("line", "reason"))
            assert sorted(stored) == sorted(rejected)

            assert Basket.objects.count() == baskets_before + len(expected.baskets)
            for basket_id, (card, store, utc, total, discount, count) in expected.baskets.items():
                basket = Basket.objects.select_related("member", "store").get(basket_id=basket_id)
                got = (
                    basket.member.card_number if basket.member else None,
                    basket.store.code,
                    basket.purchased_at,
                    basket.total_amount,
                    basket.total_discount,
                    basket.line_count,
                )
                assert got == (card, store, utc, total, discount, count), basket_id
            lines = BasketLine.objects.filter(basket__basket_id__in=expected.baskets)
            got_lines = Counter(
                (b, u, q, a, d)
                for b, u, q, a, d in lines.values_list(
                    "basket__basket_id", "product__upc", "quantity", "amount", "discount"
                )
            )
            assert got_lines == expected.lines
            # Lines copy their basket's member and time.
            copied = lines.values_list(
                "member_id", "basket__member_id", "purchased_at", "basket__purchased_at"
            )
            assert all(m == bm and t == bt for m, bm, t, bt in copied)
            new_cards = {b[0] for b in expected.baskets.values() if b[0]} - existing_members
            new_stores = {b[1] for b in expected.baskets.values()} - existing_stores
            assert Member.objects.count() == len(existing_members) + len(new_cards)
            assert Store.objects.count() == len(existing_stores) + len(new_stores)

            before = loaded_state()
            (again,) = pos_import_dir(directory=Path(tmp), job_id=job.pk).files

            assert loaded_state() == before
            assert (again.rows_read, again.loaded, again.rejected) == (
                expected.rows_read,
                0,
                len(rejected),
            )
            assert ImportReject.objects.filter(job=job).count() == len(rejected)
            raise Rollback
    except Rollback:
        pass
