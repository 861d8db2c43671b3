"""Money reads one way on every page: the template filter and the table column agree."""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
import pytest
from django.template import Context, Template
from django.test import RequestFactory

from apps.core.money import MoneyColumn, format_money


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("-2.00"), "−$2.00"),
        (Decimal("0"), "$0.00"),
        (Decimal("1234567.891"), "$1,234,567.89"),
        (12, "$12.00"),
        ("3.1", "$3.10"),
        (None, "–"),
        ("", "–"),
        ("n/a", "n/a"),
    ],
)
def test_format_money(value, text):
    assert format_money(value) == text


def test_the_template_filter_is_the_same_format():
    html = Template("{% load money %}{{ a|money }} {{ b|money }} {{ n|intcomma_plain }}").render(
        Context({"a": Decimal("1234.5"), "b": Decimal("-2"), "n": 1234567})
    )
    assert html == "$1,234.50 −$2.00 1,234,567"


class _Table(tables.Table):
    amount = MoneyColumn()


def test_the_column_writes_a_credit_as_the_pages_do_and_exports_the_plain_amount():
    table = _Table([{"amount": Decimal("-2.00")}, {"amount": Decimal("1234.5")}])
    table.request = RequestFactory().get("/")
    assert [row.get_cell("amount") for row in table.rows] == ["−$2.00", "$1,234.50"]
    assert list(table.as_values()) == [["Amount"], [Decimal("-2.00")], [Decimal("1234.5")]]
