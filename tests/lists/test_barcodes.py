"""Barcode round trip: decode the Code128 we render, as PNG and as the page's SVG bars."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from reportlab.graphics.barcode.code128 import Code128

from apps.lists.barcodes import barcode_png, barcode_runs, barcode_svg

VALUES = ["992603020000000042", "992603160001234567"]


def decode(image) -> list[tuple[str, object]]:
    return [(r.text, r.format) for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("value", VALUES)
def test_png_decodes_to_the_list_number(value):
    image = Image.open(io.BytesIO(barcode_png(value)))
    assert decode(image) == [(value, zxingcpp.BarcodeFormat.Code128)]


@pytest.mark.parametrize("value", VALUES)
def test_svg_bars_decode_to_the_list_number(value):
    svg = barcode_svg(value)
    total = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    image = Image.new("L", (total * 2, 80), 255)
    draw = ImageDraw.Draw(image)
    for x, w in re.findall(r'<rect x="(\d+)" y="0" width="(\d+)"', svg):
        draw.rectangle([int(x) * 2, 0, (int(x) + int(w)) * 2 - 1, 79], fill=0)
    assert decode(image) == [(value, zxingcpp.BarcodeFormat.Code128)]


def test_symbol_is_charset_c_with_its_check_character():
    runs = barcode_runs("992603020000000042")
    # Start C + 9 digit pairs + check + stop: 11 symbols of 11 modules, stop 13 = 134.
    assert sum(width for _, width in runs) == 11 * 11 + 13
    assert [w for _, w in runs[:6]] == [2, 1, 1, 2, 3, 2]  # Start C
    symbol = Code128("992603020000000042")
    symbol.validate()
    symbol.encode()
    # Start C (105), pairs 99 26 03 02 00 00 00 00 42, check, stop (106). The check is
    # (105 + 1·99 + 2·26 + 3·3 + 4·2 + 9·42) mod 103 = 651 mod 103 = 33.
    assert symbol.encoded == [105, 99, 26, 3, 2, 0, 0, 0, 0, 42, 33, 106]
