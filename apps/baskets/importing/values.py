"""Parse one field: return the value as PostgreSQL will read it, or raise ValueError(reason).

Validation runs in Python, in the loop that feeds COPY, because that measured faster
than doing it in SQL: on PostgreSQL 15 (no pg_input_is_valid) every regex check costs
0.6-2.4 µs per value and splitting the raw line another 2.4 µs, ~12 s for 1.5 million
lines, whereas the Python loop, with per-value caches (quantities, prices and basket
times repeat a lot), runs on the other core while PostgreSQL ingests the COPY stream
(docs/import.md). Whatever passes here is guaranteed to cast, so COPY never fails.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from apps.baskets.importing.staging import quoted

# ASCII digits only: `\d` also matches "١" or "５", which PostgreSQL's numeric will not cast.
_QUANTITY_RE = re.compile(r"(?:\d{1,7}(?:\.\d{0,3})?|\.\d{1,3})", re.ASCII)
_MONEY_RE = re.compile(r"-?(?:\d{1,10}(?:\.\d{0,2})?|\.\d{1,2})", re.ASCII)
_SMALLINT_RE = re.compile(r"\d{1,5}", re.ASCII)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

_YES = frozenset({"yes", "y", "true", "t", "1", "on"})
_NO = frozenset({"no", "n", "false", "f", "0", "off"})


def quantity(text: str) -> str:
    """Return a positive quantity with at most 3 decimals."""
    value = text.strip()
    if not value:
        raise ValueError("missing quantity")
    if not _QUANTITY_RE.fullmatch(value):
        if value.startswith("-") and _QUANTITY_RE.fullmatch(value[1:]):
            raise ValueError(f"quantity must be positive, got {quoted(value)}")
        raise ValueError(f"bad quantity {quoted(value)}")
    if not value.strip("0."):
        raise ValueError(f"quantity must be positive, got {quoted(value)}")
    return value


def money(text: str, *, field: str, negative_ok: bool = False) -> str:
    """Return an amount of money with at most 2 decimals (not negative unless allowed)."""
    value = text.strip()
    if not _MONEY_RE.fullmatch(value):
        raise ValueError(f"bad {field} {quoted(value)}")
    if value.startswith("-") and not negative_ok and value.strip("-0."):
        raise ValueError(f"negative {field} {quoted(value)}")
    return value


def timestamp(text: str, *, local: ZoneInfo) -> str:
    """Return an ISO 8601 date-time as UTC; a naive one is store-local (`local`) time."""
    value = text.strip()
    if not value:
        raise ValueError("missing purchased_at")
    # CPython's fromisoformat stops reading at a NUL in the time ("09:30\x00" parses): the
    # rules want a plain ISO 8601 text.
    if not (value.isascii() and value.isprintable()):
        raise ValueError(f"bad purchased_at {quoted(value)}")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"bad purchased_at {quoted(value)}") from None
    if ":" not in value:
        raise ValueError(f"purchased_at has no time of day: {quoted(value)}")
    if moment.tzinfo is None:
        # fold=0: an ambiguous wall time (the repeated hour in autumn) is the first one.
        moment = moment.replace(tzinfo=local)
    try:
        return moment.astimezone(dt.UTC).isoformat(sep=" ")
    except OverflowError:  # 9999-12-31 late in the evening is in year 10000 in UTC
        raise ValueError(f"bad purchased_at {quoted(value)} (out of range)") from None


def date(text: str, *, field: str) -> str | None:
    """Return a YYYY-MM-DD date, or None if empty."""
    value = text.strip()
    if not value:
        return None
    if not _ISO_DATE_RE.fullmatch(value):
        raise ValueError(f"bad {field} {quoted(value)} (expected YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"bad {field} {quoted(value)} (no such date)") from None


def small_count(text: str, *, field: str) -> str | None:
    """Return a whole number 0..32767, or None if empty."""
    value = text.strip()
    if not value:
        return None
    if not _SMALLINT_RE.fullmatch(value) or int(value) > 32767:
        raise ValueError(f"bad {field} {quoted(value)}")
    return str(int(value))


def consent(text: str, *, field: str = "marketing_consent") -> bool | None:
    """Return True/False for yes/no style values, None if empty (the default applies)."""
    value = text.strip().lower()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(f"bad {field} {quoted(text.strip())} (expected yes or no)")


# A member's language as files spell it → the code of settings.LANGUAGES. A bare "zh" is not
# here: it does not say Simplified or Traditional, and only Simplified is offered.
_LANGUAGES = {"en": "en", "zh-hans": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans"}


def language(text: str) -> str | None:
    """Return the language code (`en`, `zh-hans`; `zh_Hans` and `zh-CN` also read), or None
    if empty."""
    value = text.strip()
    if not value:
        return None
    code = _LANGUAGES.get(value.lower().replace("_", "-"))
    if code is None:
        raise ValueError(f"bad language {quoted(value)} (expected en or zh-hans)")
    return code


def birth_date(text: str) -> str | None:
    """Return a YYYY-MM-DD birth date, or None if empty; one in the future is a mistake."""
    value = date(text, field="birth_date")
    if value is not None and dt.date.fromisoformat(value) > dt.date.today():
        raise ValueError(f"birth_date {quoted(value)} is in the future")
    return value


def email(text: str) -> str:
    """Return the e-mail address (loosely checked), or '' if empty."""
    value = text.strip()
    if value and (len(value) > 254 or not _EMAIL_RE.fullmatch(value)):
        raise ValueError(f"bad email {quoted(value)}")
    return value
