"""Dates a person reads, in the active language.

Some pages spell a date out with an explicit English pattern ("M j, Y": "Dec 4, 2026").
`local_date(value, "M j, Y")` keeps that pattern in English, so English pages stay as they
were; in any other language it uses that language's named format of the same kind
(DATE_FORMAT, MONTH_DAY_FORMAT, YEAR_MONTH_FORMAT, DATETIME_FORMAT, TIME_FORMAT through
django.utils.formats), e.g. "2026年12月4日" in Chinese. A pattern without words (ISO
"Y-m-d", "H:i") reads the same in every language and is kept as it is.
"""

from __future__ import annotations

from django.utils import dateformat, formats
from django.utils.translation import get_language

# Format characters (django.utils.dateformat) that print words in the active language.
WORDS = frozenset("aAbDEFlMNPS")
YEAR = frozenset("oYy")
MONTH = frozenset("bEFmMNn")
DAY = frozenset("dj")
TIME = frozenset("aAfgGhHiPs")
WEEKDAY = frozenset("Dl")


def _characters(pattern: str) -> set[str]:
    """The format characters of `pattern`, leaving out backslash-escaped ones."""
    found: set[str] = set()
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            found.add(char)
    return found


def localized_pattern(pattern: str) -> str:
    """The pattern to use for `pattern` in the active language (see the module docstring)."""
    language = get_language() or "en"
    chars = _characters(pattern)
    if language.split("-")[0] == "en" or not chars & WORDS:
        return pattern
    year, month, day = bool(chars & YEAR), bool(chars & MONTH), bool(chars & DAY)
    time = bool(chars & TIME)
    if year and month and day:
        named = formats.get_format("DATETIME_FORMAT" if time else "DATE_FORMAT")
    elif month and day:
        named = formats.get_format("MONTH_DAY_FORMAT")
        if time:
            named = f"{named} {formats.get_format('TIME_FORMAT')}"
    elif year and month:
        named = formats.get_format("YEAR_MONTH_FORMAT")
    elif time and not (year or month or day):
        named = formats.get_format("TIME_FORMAT")
    else:
        return pattern
    if chars & WEEKDAY:
        named = f"{named} l"
    return named


def local_date(value, pattern: str) -> str:
    """`value` (a date or datetime, as given: no time zone conversion) written in `pattern`
    in English, or the active language's format of the same kind; "" for None/""."""
    if value in (None, ""):
        return ""
    return dateformat.format(value, localized_pattern(pattern))
