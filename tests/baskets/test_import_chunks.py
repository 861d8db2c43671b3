"""The columnar reader of baskets.csv stages exactly what the per-row reader staged.

The oracle is the per-row reader as it ran before (tests/baskets/reference_stage_rows.py).
Hypothesis writes files mixing plain rows, refused values, quoted fields holding commas,
quotes and line ends, broken quoting, wrong field counts, blank lines and every line end
(`\\n`, `\\r\\n`, a lone `\\r`), with an extra column; both readers stage them, and the COPY
lines must be the same (as a multiset: the columnar reader writes a chunk's plain rows
before its other rows). Chunks as small as a few characters put record ends, quoted fields
and `\\r\\n` pairs across chunk boundaries. No database: staging is text until COPY.
"""

from __future__ import annotations

import io
from collections import Counter
from contextlib import nullcontext

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from apps.baskets.importing import baskets, chunks
from apps.baskets.importing.staging import read_header
from tests.baskets.reference_stage_rows import reference_stage_rows
from tests.fuzz.profiles import fuzz_settings

PRODUCTS = {"000000000001": 1, "000000000002": 2, "3": 3}
HEADER = "basket_id,card_number,note,store,purchased_at,upc,quantity,amount,discount"
GOOD = {
    "basket_id": ["B1", "B2", " B3 ", "B\\4", "B 5", "Bé6", "pos:7"],
    "card_number": ["", "1001", "1002 "],
    "note": ["", "x"],
    "store": ["S01", "S02"],
    "purchased_at": [
        "2026-03-01 10:30",
        "2026-03-01T15:30:00Z",
        "2026-11-01 01:30",  # the repeated hour: the first one
        "2026-03-08 02:30",  # the skipped hour
        "2026-03-08 10:00",  # after the change, on the day the clocks change
        "2026-11-01 10:00",
        "2026-07-04T08:05:09",
        "2026-03-01 10:30:59",
        "9999-12-31 12:00",
        "0001-01-01 00:00",
    ],
    "upc": ["000000000001", "000000000002", " 3", "000000000001 "],
    "quantity": ["1", "2.5", ".250"],
    "amount": ["3.49", "0", "12.00"],
    "discount": ["", "0.50", "0"],
}
BAD = {
    "basket_id": ["", "POS:1:2", "B" * 65, "B\x01"],
    "card_number": ["C" * 33],
    "store": ["", "S\x7f"],
    "purchased_at": [
        "",
        "2026-13-01 10:00",
        "2026-02-30 10:00",
        "2026-03-01 24:00",
        "9999-12-31 23:30",
        "2026-03-01",
        "yesterday",
    ],
    "upc": ["", "999"],
    "quantity": ["0", "-1", "1.2345", "x"],
    "amount": ["", "-1.00", "1.234"],
    "discount": ["-0.5", "a"],
}
COLUMNS = HEADER.split(",")


@st.composite
def field(draw, column: str) -> str:
    """A value for the column: good mostly, refused sometimes, quoted now and then."""
    pool = GOOD[column] + (BAD.get(column, []) if draw(st.integers(0, 5)) == 0 else [])
    value = draw(st.sampled_from(pool))
    style = draw(st.sampled_from(["plain"] * 12 + ["quoted", "two lines", "stray quote"]))
    if style == "quoted":
        return '"' + value.replace('"', '""') + '"'
    if style == "two lines":
        return '"' + value + ",\n" + value + '"'
    if style == "stray quote":
        return 'a"b'  # broken quoting
    return value


@st.composite
def record(draw) -> str:
    """One record: a row of the header's width, or a wrong width, or a blank line."""
    kind = draw(st.sampled_from(["row"] * 12 + ["blank", "short", "long"]))
    if kind == "blank":
        return ""
    fields = [draw(field(column)) for column in COLUMNS]
    if kind == "short":
        fields = fields[: draw(st.integers(1, len(fields) - 1))]
    elif kind == "long":
        fields.append("extra")
    return ",".join(fields)


@st.composite
def csv_text(draw) -> str:
    rows = draw(st.lists(record(), min_size=0, max_size=25))
    ends = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(rows) + 1))
    text = HEADER + ends[0]
    for row, end in zip(rows, ends[1:], strict=False):
        text += row + end
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no line end after the last line
    return text


class Captured:
    """Stands in for the COPY stream and its buffer: keeps what would be sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.lines: list[str] = []
        self.copy = self

    def write(self, data: str | bytes) -> None:
        self.sent.append(data.decode() if isinstance(data, bytes) else data)

    def flush(self) -> None:
        self.write("".join(self.lines))
        self.lines.clear()

    close = flush

    def copy_lines(self) -> Counter:
        return Counter("".join(self.sent).splitlines(keepends=True))


def staged(text: str, stage) -> tuple[int, Counter]:
    """Stage the text with `stage` (the new reader or the reference) and return what it sent."""
    stream = io.TextIOWrapper(
        io.BytesIO(text.encode()), encoding="utf-8-sig", errors="replace", newline=""
    )
    header = read_header(stream, required=baskets.COLUMNS)
    out = Captured()
    if stage is reference_stage_rows:
        rows = stage(
            buffer=out,
            stream=stream,
            header=header,
            products=PRODUCTS,
            time_zone=settings.TIME_ZONE,
        )
    else:
        rows = stage(
            copies=lambda: nullcontext(out), stream=stream, header=header, products=PRODUCTS
        )
    return rows, out.copy_lines()


@fuzz_settings(300)
@given(text=csv_text(), chunk_chars=st.sampled_from([1, 2, 3, 5, 8, 13, 64, 4096]))
def test_the_columnar_reader_stages_what_the_per_row_reader_staged(text, chunk_chars):
    expected_rows, expected = staged(text, reference_stage_rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CHUNK_CHARS", chunk_chars)
        rows, lines = staged(text, baskets.stage_rows)
    assert rows == expected_rows
    assert lines == expected


BASE_ROW = {column: values[0] for column, values in GOOD.items()}


@pytest.mark.parametrize(
    "column, value",
    [
        (c, v)
        for c, pool in {**GOOD, **{k: GOOD[k] + BAD.get(k, []) for k in GOOD}}.items()
        for v in pool
    ],
)
def test_every_value_of_a_plain_row_stages_as_the_per_row_reader_stages_it(column, value):
    """Each value of the pools alone in a plain row (the columnar path, not the fallback)."""
    row = ",".join(value if c == column else BASE_ROW[c] for c in COLUMNS)
    text = f"{HEADER}\n{row}\n{row}\n"
    assert staged(text, baskets.stage_rows) == staged(text, reference_stage_rows)


def test_a_quoted_record_over_a_chunk_boundary_keeps_its_line_numbers(monkeypatch):
    """Worked by hand: the quoted field runs from line 3 to line 4, so the next row is line 5
    and the refused one after it line 6; a 4-character chunk cuts inside the quotes."""
    monkeypatch.setattr(chunks, "CHUNK_CHARS", 4)
    text = (
        f"{HEADER}\r\n"
        "B1,1001,,S01,2026-03-01 10:30,000000000001,1,3.49,\r\n"
        'B2,1001,"two\r\nlines",S01,2026-03-01 10:30,000000000001,1,3.49,\n'
        "B3,,,S01,2026-03-01 10:30,000000000002,2,1.00,0\r"
        "B4,,,S01,2026-03-01 10:30,999,1,1.00,0\n"
    )
    rows, lines = staged(text, baskets.stage_rows)
    assert rows == 4
    numbers = sorted(int(line.split("\t")[0]) for line in lines.elements())
    assert numbers == [2, 3, 5, 6]
    [refused] = [line for line in lines.elements() if line.startswith("6\t")]
    assert "unknown upc '999'" in refused
    assert "\t2026-03-01 16:30:00+00:00\t" in next(
        line for line in lines.elements() if line.startswith("5\t")
    )
