"""The fonts a list's PDF is drawn in, by the member's language (docs/decisions.md).

English keeps reportlab's Helvetica (not embedded, as always). Chinese needs a font with
the CJK glyphs: the first TrueType one found (`LIST_CJK_FONT`, else the Debian packages'
paths below; `.ci/run` installs fonts-wqy-microhei) is embedded, as a subset, so the PDF
prints the same anywhere. A machine without one falls back to reportlab's built-in
STSong-Light, an Adobe CID font that is named, not embedded: the viewer supplies it.
Debian's Noto CJK (.ttc) has PostScript (CFF) outlines, which reportlab's TTFont refuses,
so it is not among the candidates.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

# TrueType CJK fonts of Debian packages, best first: (path, index in a collection).
CJK_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming
)
CJK_EMBEDDED = "ListCJK"  # the name the embedded TrueType font is registered under
CJK_CID = "STSong-Light"  # the fallback: a CID font the viewer supplies


@dataclass(frozen=True)
class ListFonts:
    regular: str
    bold: str
    oblique: str
    # Helvetica has no CJK glyphs and one width per character; the CJK font has both, so
    # lines are fitted by their drawn width, and the check box is drawn, not a glyph.
    cjk: bool = False


HELVETICA = ListFonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique")


def cjk_candidates() -> list[tuple[str, int]]:
    configured = os.environ.get("LIST_CJK_FONT", "")
    return ([(configured, 0)] if configured else []) + list(CJK_CANDIDATES)


@functools.cache
def cjk_font_name(candidates: tuple[tuple[str, int], ...]) -> str:
    """Register the first usable TrueType font of candidates (once), else the CID font."""
    for path, index in candidates:
        if not Path(path).is_file():
            continue
        try:
            font = TTFont(f"{CJK_EMBEDDED}-{Path(path).stem}", path, subfontIndex=index)
        except TTFError:
            continue  # e.g. PostScript outlines
        if ord("购") not in font.face.charToGlyph:
            continue
        pdfmetrics.registerFont(font)
        return font.fontName
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_CID))
    return CJK_CID


def list_fonts(language: str) -> ListFonts:
    """The fonts for a list in language ("en", "zh-hans")."""
    if not language.startswith("zh"):
        return HELVETICA
    name = cjk_font_name(tuple(cjk_candidates()))
    # One weight only: the headings stand out by their size.
    return ListFonts(name, name, name, cjk=True)


def fit(text: str, fonts: ListFonts, font: str, size: float, width: float, chars: int) -> str:
    """text cut to what fits: English as before (a number of characters), CJK by width."""
    if not fonts.cjk:
        return text[:chars]
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-1]
    return text
