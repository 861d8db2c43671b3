"""Validate one row of baskets.csv and return its COPY text line for the staging table.

The rules of a row live here, once. The columnar reader (`basket_columns`) applies the same
field rules to each *distinct* value of a column, and hands this module every row it does
not take whole: a row with quotes, a wrong number of fields, or any value that fails. So a
reject's reasons, and their order, are this module's wherever the row was read.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apps.baskets.importing import values
from apps.baskets.importing.staging import copy_text, csv_line, is_id, quoted, reject_line
from apps.baskets.services import POS_BASKET_ID_PREFIX, is_pos_basket_id

COLUMNS = (
    "basket_id",
    "card_number",
    "store",
    "purchased_at",
    "upc",
    "quantity",
    "amount",
    "discount",
)
# Data columns between `line` and `reason` in the staging table.
WIDTH = 8
MAX_LENGTH = {"basket_id": 64, "card_number": 32, "store": 32}
NULLS = "\\N\t\\N\n"  # reason and raw of a good row
_GOOD_ROW_END = "\t" + NULLS


def good_row_fields(line: str) -> list[str] | None:
    """The staged fields (line, then COLUMNS) of a good row's COPY line; None for a reject."""
    if not line.endswith(_GOOD_ROW_END):
        return None
    return line.removesuffix(_GOOD_ROW_END).split("\t")


def id_reason(name: str, value: str) -> str | None:
    """Why a stripped basket id, card number or store code is refused, or None."""
    if not value:
        return None if name == "card_number" else f"missing {name}"
    if len(value) > MAX_LENGTH[name]:
        return f"{name} longer than {MAX_LENGTH[name]} characters"
    if not is_id(value):
        return f"bad {name} {quoted(value)}"
    if name == "basket_id" and is_pos_basket_id(value):
        return (
            f"basket_id {quoted(value)} starts with {POS_BASKET_ID_PREFIX!r}, which is kept "
            "for baskets the tills send through the POS API: give it another id"
        )
    return None


def amount_text(text: str) -> str:
    """The staged amount paid; a blank one is missing."""
    if not text.strip():
        raise ValueError("missing amount")
    return values.money(text, field="amount")


def discount_text(text: str) -> str:
    """The staged discount; a blank one is none."""
    return values.money(text, field="discount") if text.strip() else "0"


def product_of(upc: str, products: dict[str, int]) -> int | None:
    """The product id of a UPC as written, or stripped of spaces."""
    found = products.get(upc)
    return found if found is not None else products.get(upc.strip())


class RowStager:
    """Turn rows into COPY text lines, good or rejected; values seen before are not re-parsed.

    A basket's rows usually come together, so its columns are validated once per run of rows.
    """

    def __init__(self, *, width: int, index: tuple[int, ...], products: dict, local: ZoneInfo):
        self.width = width
        self.index = index
        self.products = products
        self.local = local
        self.times: dict[str, str] = {}
        self.last: tuple[str, str, str, str] | None = None
        self.head: str | None = None
        self.head_reasons: list[str] = []

    def malformed(self, start: int, reason: str, raw: str) -> str:
        """The reject line of a record the CSV reader refused."""
        return reject_line(start, WIDTH, [f"malformed CSV: {reason}"], raw)

    def row(self, start: int, row: list[str]) -> str:
        """The COPY text line of a row read from `start`, the physical line it begins on."""
        if len(row) != self.width:
            reason = f"wrong number of fields: expected {self.width}, found {len(row)}"
            return reject_line(start, WIDTH, [reason], csv_line(row))
        basket_id, card, store, when, upc, qty, amount, discount = (row[i] for i in self.index)
        key = (basket_id, card, store, when)
        if key != self.last:
            self.last = key
            self.head, self.head_reasons = self._head(basket_id, card, store, when)
        tail, reasons = self._tail(upc, qty, amount, discount)
        if self.head is None or tail is None:
            return reject_line(start, WIDTH, self.head_reasons + reasons, csv_line(row))
        return f"{start}\t{self.head}\t{tail}\t{NULLS}"

    def _head(self, basket_id: str, card: str, store: str, when: str):
        """The basket columns' COPY text, or the reasons they are refused."""
        fields = {
            "basket_id": basket_id.strip(),
            "card_number": card.strip(),
            "store": store.strip(),
        }
        reasons = [r for name, v in fields.items() if (r := id_reason(name, v)) is not None]
        utc = self.times.get(when)
        if utc is None:
            if len(self.times) > 1_000_000:
                self.times.clear()
            try:
                utc = self.times[when] = values.timestamp(when, local=self.local)
            except ValueError as exc:
                reasons.append(str(exc))
        if reasons:
            return None, reasons
        return "\t".join([*(copy_text(v) for v in fields.values()), utc]), reasons

    def _tail(self, upc: str, qty: str, amount: str, discount: str):
        """The line columns' COPY text, or the reasons they are refused."""
        reasons: list[str] = []
        product_id = product_of(upc, self.products)
        if product_id is None:
            reasons.append(f"unknown upc {quoted(upc.strip())}" if upc.strip() else "missing upc")
        parsed = []
        for parse, text in (
            (values.quantity, qty),
            (amount_text, amount),
            (discount_text, discount),
        ):
            try:
                parsed.append(parse(text))
            except ValueError as exc:
                reasons.append(str(exc))
        if reasons:
            return None, reasons
        return "\t".join([str(product_id), *parsed]), reasons
