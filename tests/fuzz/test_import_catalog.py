"""Fuzz the products.csv and members.csv imports against an oracle built from the generated rows.

They share a reader of their own (staging.rows_with_lines / stage_simple, not the baskets
loop), so line numbers, rejects, "the last row of a key wins" and re-import are checked
here too: every rejected line (with a fragment of its reason), every stored value, the
result's counts, and that a second import changes nothing and loads nothing. A product
with a blank brand or category is a good row with a warning (its line, in the warning file).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import event, given
from hypothesis import strategies as st

from apps.baskets.importing import pos_import_dir
from apps.catalog.models import Category, Manufacturer, Product
from apps.members.models import Member
from tests.factories import CategoryFactory, ManufacturerFactory, MemberFactory, ProductFactory
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.test_import_baskets import csv_text, physical_lines, reject_file_lines

pytestmark = pytest.mark.django_db

# Free text: no control characters but tab (the importer refuses them), no U+FFFD.
free_text = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs", "Co", "Cc"], exclude_characters="\ufffd", include_characters="\t"
    ),
    max_size=12,
).map(str.strip)
# Names may run over several lines (quoted): the reader must count them.
names = st.one_of(
    free_text.map(lambda t: t or "x"), st.sampled_from(["Ketchup\n24 oz", "a\r\nb\nc", "Heinz"])
)
ends = st.sampled_from(["\n", "\n", "\r\n", "\r"])


@dataclass
class Row:
    text: str
    key: str | None = None  # the UPC or card of a good row
    values: dict | None = None  # what a good row stores
    reason: str | None = None
    blank: bool = False
    warnings: tuple[str, ...] = ()  # fragments of a good row's warning, in order


def assemble(header: list[str], rows: list[Row], *, bom: bool) -> bytes:
    text = csv_text(header, end="\n") + "".join(r.text for r in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def expected_rejects(rows: list[Row]) -> tuple[dict[int, str], dict[str, tuple[int, dict]], int]:
    """Rejected lines (line → reason fragment), the winning row per key, rows read."""
    rejects: dict[int, str] = {}
    last: dict[str, tuple[int, dict]] = {}
    line, read = 2, 0
    for row in rows:
        if not row.blank:
            read += 1
            if row.reason is not None:
                rejects[line] = row.reason
            else:
                if row.key in last:
                    rejects[last[row.key][0]] = "appears again on line"
                last[row.key] = (line, row.values)
        line += physical_lines(row.text)
    return rejects, last, read


def expected_warnings(rows: list[Row], winners: dict[str, tuple[int, dict]]) -> dict[int, tuple]:
    """Warned lines (line → warning fragments): only the rows that load, i.e. win their key."""
    won = {line for line, _ in winners.values()}
    warnings: dict[int, tuple] = {}
    line = 2
    for row in rows:
        if line in won and row.warnings:
            warnings[line] = row.warnings
        line += physical_lines(row.text)
    return warnings


def warning_file_lines(path: Path) -> dict[int, str]:
    warnings = path.with_name(f"{path.name}.warnings.csv")
    if not warnings.exists():
        return {}
    with warnings.open(newline="", encoding="utf-8") as f:
        return {int(row["line"]): row["warning"] for row in csv.DictReader(f)}


def pad(draw, value: str) -> str:
    return draw(st.sampled_from([value, f" {value} "])) if value else value


def ended(draw, rows: list[Row], text_without_end: str) -> str:
    """Add a line end; never a "\\n" right after a "\\r" (that would be one line break)."""
    end = draw(ends)
    if rows and rows[-1].text.endswith("\r") and text_without_end == "" and end == "\n":
        end = "\r"
    return text_without_end + end


# ---------------------------------------------------------------------------------------------
# Products

PRODUCT_COLUMNS = ["upc", "name", "department", "category", "brand", "brand_type", "manufacturer"]
EXISTING_UPC = "000000000001"
# A manufacturer that exists before the import keeps its name; new ones are named by code.
# A blank brand is the manufacturer's name (a store-brand product's too: its maker is the
# chain).
MANUFACTURER_NAMES = {"ACME": "Acme Foods, Inc."}
PRODUCT_BAD = {
    "upc": [("12a", "bad upc"), ("١٢٣", "bad upc"), ("1" * 15, "upc longer than 14"),
            ("", "missing upc"), ("1\x00", "bad upc")],
    "name": [("", "missing name"), ("n" * 201, "name longer than 200"),
             ("a\x07b", "bad characters")],
    # A blank category or brand is not a reject (a warning, see product_files); a blank
    # department is.
    "department": [("", "missing department"), ("d" * 121, "department longer than 120")],
    "category": [("c" * 121, "category longer than 120")],
    "brand_type": [("generic", "bad brand_type"), ("", "missing brand_type")],
    "manufacturer": [("", "missing manufacturer"), ("M" * 33, "manufacturer longer than 32"),
                     ("M\x1b", "bad manufacturer")],
    "price": [("-1", "negative price"), ("1.234", "bad price"), ("abc", "bad price"),
              ("１", "bad price")],
}  # fmt: skip


@st.composite
def product_files(draw):
    has_price = draw(st.booleans())
    header = PRODUCT_COLUMNS + (["price"] if has_price else [])
    header = draw(st.permutations(header))
    rows: list[Row] = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["good"] * 5 + ["bad"] * 2 + ["blank", "fields", "csv"]))
        if kind == "blank":
            rows.append(Row(ended(draw, rows, ""), blank=True))
            continue
        if kind == "csv":
            text = '"X"x' + "," * (len(header) - 1)
            rows.append(Row(ended(draw, rows, text), reason="malformed CSV"))
            continue
        price = draw(st.sampled_from(["", "0", "3.49", "1.5", "9999999999.99", "7."]))
        values = {
            "upc": draw(st.sampled_from([EXISTING_UPC, "2", "33", "0004", "12345678901234"])),
            "name": draw(names),
            "department": draw(st.sampled_from(["Grocery", "Dairy", "Épicerie"])),
            "category": draw(st.sampled_from(["Ketchup", "Milk", 'Ketchup, "fancy"', ""])),
            "brand": draw(st.one_of(free_text.map(lambda t: t or "x"), st.just(""))),
            "brand_type": draw(st.sampled_from(["national", "store", "STORE", "National"])),
            "manufacturer": draw(st.sampled_from(["ACME", "STORE", "Bolt Brands, Inc."])),
            "price": price,
        }
        # A blank value may be written as spaces.
        written = {c: pad(draw, v) or draw(st.sampled_from(["", "  "])) for c, v in values.items()}
        if kind == "bad":
            column = draw(st.sampled_from(sorted(c for c in PRODUCT_BAD if c in header)))
            written[column], reason = draw(st.sampled_from(PRODUCT_BAD[column]))
            rows.append(Row(ended(draw, rows, csv_text([written[c] for c in header], end="")),
                            reason=reason))  # fmt: skip
        elif kind == "fields":
            row = [written[c] for c in header][: draw(st.integers(1, len(header) - 1))]
            rows.append(Row(ended(draw, rows, csv_text(row, end="")),
                            reason="wrong number of fields"))  # fmt: skip
        else:
            stored = {
                **values,
                "brand_type": values["brand_type"].lower(),
                "price": Decimal(values["price"]) if has_price and values["price"] else None,
            }
            warnings = ()
            if not values["category"]:
                stored["category"] = f"Uncategorised ({values['department']})"
                warnings += (f"blank category: put in 'Uncategorised ({values['department']})'",)
            if not values["brand"]:
                code = values["manufacturer"]
                stored["brand"] = MANUFACTURER_NAMES.get(code, code)
                warnings += (f"blank brand: took '{stored['brand']}' from the manufacturer",)
            text = ended(draw, rows, csv_text([written[c] for c in header], end=""))
            rows.append(Row(text, key=values["upc"], values=stored, warnings=warnings))
    return header, rows, has_price, draw(st.booleans())


@pytest.fixture
def existing_product(db):
    for code, name in MANUFACTURER_NAMES.items():
        ManufacturerFactory(code=code, name=name)
    return ProductFactory(
        upc=EXISTING_UPC,
        name="Old name",
        category=CategoryFactory(name="Old category"),
        brand="Old",
        manufacturer=ManufacturerFactory(code="OLD"),
        price=Decimal("2.99"),
    )


def product_state(upc: str) -> dict:
    p = Product.objects.select_related("category", "manufacturer").get(upc=upc)
    return {
        "upc": p.upc, "name": p.name, "department": p.category.department,
        "category": p.category.name, "brand": p.brand, "brand_type": p.brand_type,
        "manufacturer": p.manufacturer.code, "price": p.price,
    }  # fmt: skip


def catalog_snapshot() -> dict:
    return {
        "products": list(Product.objects.order_by("upc").values()),
        "categories": list(Category.objects.order_by("name").values()),
        "manufacturers": list(Manufacturer.objects.order_by("code").values()),
    }


class Rollback(Exception):
    """Raised at the end of an example to undo its writes."""


@fuzz_settings(25)
@given(data=product_files())
def test_products_files(existing_product, data):
    header, rows, has_price, bom = data
    rejects, winners, read = expected_rejects(rows)
    warnings = expected_warnings(rows, winners)
    before_state = product_state(EXISTING_UPC)
    event(f"products loaded: {min(len(winners), 3)}+, rejects: {min(len(rejects), 3)}+")
    event(f"products warned: {min(len(warnings), 3)}+")
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "products.csv"
            path.write_bytes(assemble(header, rows, bom=bom))

            (result,) = pos_import_dir(directory=Path(tmp)).files

            assert result.error is None
            reported = reject_file_lines(path)
            assert sorted(reported) == sorted(rejects)
            for line, fragment in rejects.items():
                assert fragment in reported[line], (line, fragment, reported[line])
            warned = warning_file_lines(path)
            assert sorted(warned) == sorted(warnings)
            for line, fragments in warnings.items():
                assert warned[line] == "; ".join(fragments), (line, fragments, warned[line])
            assert [w.line for w in result.first_warnings] == sorted(warnings)
            # A category's department is that of its last good row in the file.
            departments = {}
            for _, values in sorted(winners.values(), key=lambda item: item[0]):
                departments[values["category"]] = values["department"]
            changed = 0
            for upc, (_, values) in winners.items():
                expected = {**values, "department": departments[values["category"]]}
                if upc == EXISTING_UPC and not has_price:
                    expected["price"] = before_state["price"]  # no price column: kept
                assert product_state(upc) == expected, upc
                changed += upc != EXISTING_UPC or expected != before_state
            assert (result.rows_read, result.rejected, result.loaded, result.warned) == (
                read, len(rejects), changed, len(warnings),
            )  # fmt: skip
            if EXISTING_UPC not in winners:
                assert product_state(EXISTING_UPC) == before_state

            snapshot = catalog_snapshot()
            (again,) = pos_import_dir(directory=Path(tmp)).files

            assert catalog_snapshot() == snapshot
            assert (again.rows_read, again.rejected, again.loaded, again.warned) == (
                read, len(rejects), 0, len(warnings),
            )  # fmt: skip
            raise Rollback
    except Rollback:
        pass


# ---------------------------------------------------------------------------------------------
# Members

OPTIONAL = ["first_name", "last_name", "email", "phone", "postal_code", "joined_on",
            "household_size", "children", "marketing_consent"]  # fmt: skip
EXISTING_CARD = "1001"
EXISTING = {
    "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "555",
    "postal_code": "50001", "joined_on": dt.date(2024, 1, 15), "household_size": 3,
    "children": 1, "marketing_consent": False,
}  # fmt: skip
EMPTY = {
    "first_name": "", "last_name": "", "email": "", "phone": "", "postal_code": "",
    "joined_on": None, "household_size": None, "children": None,
}  # fmt: skip
MEMBER_BAD = {
    "card_number": [("", "missing card_number"), ("C" * 33, "card_number longer than 32"),
                    ("1\x00", "bad card_number")],
    "first_name": [("f" * 81, "first_name longer than 80"), ("a\x01", "bad characters")],
    "email": [("ann@", "bad email"), ("a b@x.org", "bad email")],
    "phone": [("5" * 33, "phone longer than 32")],
    "joined_on": [("2026-02-30", "no such date"), ("20260101", "expected YYYY-MM-DD"),
                  ("２０２６-01-01", "bad joined_on")],
    "household_size": [("-1", "bad household_size"), ("40000", "bad household_size"),
                       ("٣", "bad household_size"), ("1.5", "bad household_size")],
    "children": [("x", "bad children")],
    "marketing_consent": [("maybe", "bad marketing_consent")],
}  # fmt: skip
CONSENT = {"yes": True, "Y": True, "true": True, "1": True, "on": True,
           "no": False, "N": False, "FALSE": False, "0": False, "off": False, "": None}  # fmt: skip


@st.composite
def member_files(draw):
    header = draw(st.permutations(["card_number", *draw(st.sets(st.sampled_from(OPTIONAL)))]))
    rows: list[Row] = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["good"] * 5 + ["bad"] * 2 + ["blank", "fields", "csv"]))
        if kind == "blank":
            rows.append(Row(ended(draw, rows, ""), blank=True))
            continue
        if kind == "csv":
            text = '"X"x' + "," * (len(header) - 1)
            rows.append(Row(ended(draw, rows, text), reason="malformed CSV"))
            continue
        joined = draw(st.one_of(st.just(None), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))))
        household = draw(st.one_of(st.just(None), st.integers(0, 32767)))
        consent = draw(st.sampled_from(sorted(CONSENT)))
        values = {
            "card_number": draw(st.sampled_from([EXISTING_CARD, "2", "Ⅻ-3", "4 4"])),
            "first_name": draw(st.one_of(free_text, names).map(lambda t: t[:80])),
            "last_name": draw(free_text.map(lambda t: t[:80])),
            "email": draw(st.sampled_from(["", "ann@example.com", "Zoë@exämple.de"])),
            "phone": draw(st.sampled_from(["", "(555) 123-4567", "+1 555"])),
            "postal_code": draw(st.sampled_from(["", "50001", "K1A 0B1"])),
            "joined_on": "" if joined is None else joined.isoformat(),
            "household_size": "" if household is None else str(household),
            "children": draw(st.sampled_from(["", "0", "2", "00007"])),
            "marketing_consent": consent,
        }
        # A blank value may be written as spaces.
        written = {c: pad(draw, v) or draw(st.sampled_from(["", "  "])) for c, v in values.items()}
        if kind == "bad":
            column = draw(st.sampled_from(sorted(c for c in MEMBER_BAD if c in header)))
            written[column], reason = draw(st.sampled_from(MEMBER_BAD[column]))
            rows.append(Row(ended(draw, rows, csv_text([written[c] for c in header], end="")),
                            reason=reason))  # fmt: skip
        elif kind == "fields" and len(header) > 1:
            row = [written[c] for c in header] + ["extra"]
            rows.append(Row(ended(draw, rows, csv_text(row, end="")),
                            reason="wrong number of fields"))  # fmt: skip
        else:
            stored = {
                c: values[c] for c in ("first_name", "last_name", "email", "phone", "postal_code")
            }
            stored |= {
                "joined_on": joined,
                "household_size": household,
                "children": int(values["children"]) if values["children"] else None,
                "marketing_consent": CONSENT[consent],
            }
            present = {c: v for c, v in stored.items() if c in header}
            text = ended(draw, rows, csv_text([written[c] for c in header], end=""))
            rows.append(Row(text, key=values["card_number"], values=present))
    return header, rows, draw(st.booleans())


def member_state(card: str) -> dict:
    """The member's values by the file's column names (marketing_consent: the list's)."""
    fields = [name for name in OPTIONAL if name != "marketing_consent"]
    state = Member.objects.values(*fields, "consent_list").get(card_number=card)
    state["marketing_consent"] = state.pop("consent_list")
    return state


@pytest.fixture
def existing_member(db):
    values = {**EXISTING, "consent_list": EXISTING["marketing_consent"]}
    del values["marketing_consent"]
    return MemberFactory(card_number=EXISTING_CARD, **values)


@fuzz_settings(25)
@given(data=member_files())
def test_members_files(existing_member, data):
    header, rows, bom = data
    rejects, winners, read = expected_rejects(rows)
    event(f"members loaded: {min(len(winners), 3)}+, rejects: {min(len(rejects), 3)}+")
    try:
        with transaction.atomic(), tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "members.csv"
            path.write_bytes(assemble(header, rows, bom=bom))

            (result,) = pos_import_dir(directory=Path(tmp)).files

            assert result.error is None
            reported = reject_file_lines(path)
            assert sorted(reported) == sorted(rejects)
            for line, fragment in rejects.items():
                assert fragment in reported[line], (line, fragment, reported[line])
            changed = 0
            for card, (_, present) in winners.items():
                # Only the file's columns are written; a blank consent is the chain's default
                # (off: opt-in) for a new member and leaves an existing one's as it was.
                base = EXISTING if card == EXISTING_CARD else {**EMPTY, "marketing_consent": False}
                expected = {**base, **present}
                if expected["marketing_consent"] is None:
                    expected["marketing_consent"] = base["marketing_consent"]
                assert member_state(card) == expected, card
                changed += card != EXISTING_CARD or expected != EXISTING
            assert (result.rows_read, result.rejected, result.loaded) == (
                read, len(rejects), changed,
            )  # fmt: skip

            snapshot = list(Member.objects.order_by("card_number").values())
            (again,) = pos_import_dir(directory=Path(tmp)).files

            assert list(Member.objects.order_by("card_number").values()) == snapshot
            assert (again.rows_read, again.rejected, again.loaded) == (read, len(rejects), 0)
            raise Rollback
    except Rollback:
        pass
