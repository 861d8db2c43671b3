"""The schema and the parser agree: a line the one accepts, the other accepts too.

Properties over generated values (hypothesis), no database: a body passes `parse_checkout`
exactly when the OpenAPI schema accepts it, but for what the schema cannot say (the basket's
total must fit numeric(12,2); month lengths).
"""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from apps.checkout.validation import (
    DATETIME_PATTERN,
    MAX_TOTAL,
    PRICE_PATTERN,
    PRINTABLE_PATTERN,
    QUANTITY_PATTERN,
    parse_checkout,
)
from tests.checkout.schema_check import body_errors

TOTAL_ERROR = {"lines": [f"The basket's total must be less than {MAX_TOTAL}."]}


def _string(pattern: str, alphabet: str, max_size: int = 12) -> st.SearchStrategy[str]:
    """JSON string literals: ones fitting the pattern, near misses and noise."""
    return st.one_of(
        st.from_regex(pattern, fullmatch=True),
        st.text(alphabet=alphabet, max_size=max_size),
        st.text(max_size=max_size),
    ).map(json.dumps)


def _number() -> st.SearchStrategy[str]:
    """JSON number literals, as a till might write them."""
    return st.one_of(
        st.integers(min_value=-10, max_value=200_000_000).map(str),
        st.decimals(
            min_value=Decimal("-1E7"), max_value=Decimal("1E9"), allow_nan=False, places=4
        ).map(str),
        st.decimals(min_value=Decimal("-1E3"), max_value=Decimal("1E9"), allow_nan=False).map(
            lambda d: f"{d:E}"
        ),
        st.sampled_from(["true", "null", "[]", "{}", "-0", "0.0", "1e-400", "1.50000"]),
    )


DIGITS = "0123456789.-+eE "
quantities = st.one_of(_number(), _string(QUANTITY_PATTERN, DIGITS))
prices = st.one_of(_number(), _string(PRICE_PATTERN, DIGITS))
upcs = _string(PRINTABLE_PATTERN, "0123456789 A-", max_size=16)
datetimes = _string(DATETIME_PATTERN, "0123456789-:T +Z.")


def _schema_accepts(text: str) -> bool:
    """Whether the served schema accepts the body, parsed as the server parses it."""
    try:
        document = json.loads(text, parse_float=Decimal)
    except ValueError:
        return False
    return not body_errors("CheckoutRequest", document)


def _agree(text: str) -> None:
    schema_ok = _schema_accepts(text)
    errors = parse_checkout(text.encode(), store_code="S01")[2]
    if schema_ok and errors:
        assert errors == TOTAL_ERROR, (text, errors)
    else:
        assert schema_ok == (not errors), (text, errors)


def _line_body(upc: str = '"1"', quantity: str = "1", price: str = '"1.00"') -> str:
    return (
        '{"transaction_id": "T-1", "store": "S01", "purchased_at": "2026-03-05T10:00:00",'
        f' "lines": [{{"upc": {upc}, "quantity": {quantity}, "unit_price": {price}}}]}}'
    )


@settings(max_examples=300, deadline=None)
@given(quantity=quantities)
@example(quantity='" 1.5"')
@example(quantity='"1e2"')
@example(quantity='"01.5"')
def test_schema_and_parser_agree_on_quantities(quantity):
    _agree(_line_body(quantity=quantity))


@settings(max_examples=300, deadline=None)
@given(price=prices)
@example(price='"3.490"')
@example(price='"+3"')
@example(price="1e2")
def test_schema_and_parser_agree_on_prices(price):
    _agree(_line_body(price=price))


@settings(max_examples=200, deadline=None)
@given(upc=upcs)
@example(upc='" 1"')
@example(upc='"0\\n"')  # Python's `$` matches before a final newline; the schema's does not
def test_schema_and_parser_agree_on_upcs(upc):
    _agree(_line_body(upc=upc))


@settings(max_examples=200, deadline=None)
@given(upc=upcs, quantity=quantities, price=prices)
def test_schema_and_parser_agree_on_whole_lines(upc, quantity, price):
    _agree(_line_body(upc, quantity, price))


@settings(max_examples=300, deadline=None)
@given(when=datetimes)
def test_schema_and_parser_agree_on_date_times(when):
    text = (
        '{"transaction_id": "T-1", "store": "S01", "purchased_at": ' + when + ","
        ' "lines": [{"upc": "1", "quantity": 1, "unit_price": "1.00"}]}'
    )
    schema_ok = _schema_accepts(text)
    errors = parse_checkout(text.encode(), store_code="S01")[2]
    # The pattern cannot know month lengths: "2026-02-30" passes it and is a 400.
    assert schema_ok or errors
    if schema_ok and errors:
        assert errors == {"purchased_at": ["Not an ISO 8601 date-time."]}
        assert json.loads(when)[8:10] in {"29", "30", "31"}
    else:
        assert schema_ok == (not errors), (text, errors)
