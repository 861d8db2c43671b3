"""Code128 barcodes of list numbers: SVG for the page, PNG for the PDF and the tests.

The symbol (start code, charset-C digit pairs, modulo-103 check character, stop code) comes
from reportlab's Code128 encoder; we only draw its bars. python-barcode 0.16 was tried
first: it drops a leading "99" pair in charset C, so "99…" list numbers decoded wrong —
the round-trip test in tests/lists/test_barcodes.py caught it.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from reportlab.graphics.barcode.code128 import Code128

QUIET_MODULES = 10


def barcode_runs(value: str) -> list[tuple[bool, int]]:
    """Return the symbol as (is_bar, width in modules) runs, check character included."""
    symbol = Code128(value)
    symbol.validate()
    symbol.encode()
    symbol.decompose()
    # Upper case letters are bars, lower case spaces; A/a = 1 module … D/d = 4 modules.
    return [(c.isupper(), ord(c.lower()) - ord("a") + 1) for c in symbol.decomposed]


def _bars(value: str) -> tuple[list[tuple[int, int]], int]:
    x = QUIET_MODULES
    bars = []
    for is_bar, width in barcode_runs(value):
        if is_bar:
            bars.append((x, width))
        x += width
    return bars, x + QUIET_MODULES


def barcode_svg(value: str, *, height: int = 40) -> str:
    """Return the barcode as inline SVG drawn in module units (scales crisply)."""
    bars, total = _bars(value)
    rects = "".join(f'<rect x="{x}" y="0" width="{w}" height="{height}"/>' for x, w in bars)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {height}" '
        f'shape-rendering="crispEdges" role="img" aria-label="Barcode {value}">'
        f'<rect width="{total}" height="{height}" fill="#fff"/><g fill="#000">{rects}</g></svg>'
    )


def barcode_png(value: str, *, module_px: int = 3, height_px: int = 120) -> bytes:
    """Return the same bars as a PNG image."""
    bars, total = _bars(value)
    image = Image.new("1", (total * module_px, height_px), 1)
    draw = ImageDraw.Draw(image)
    for x, w in bars:
        draw.rectangle([x * module_px, 0, (x + w) * module_px - 1, height_px - 1], fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
