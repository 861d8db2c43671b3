"""How many lookups a cashier may make: per user, per kind, in fixed windows (django-ratelimit).

A name lookup shows up to 20 members with their card numbers, so names are held tighter than
scans (card, list barcode, phone), which a till makes all day. The rates are settings
(LOOKUP_NAME_RATES, LOOKUP_SCAN_RATES), each a list of django-ratelimit rates ("30/m",
"200/h"): every window counts the lookup, and any one full window refuses it.

The counters live in the "ratelimit" cache, PostgreSQL counters that every web process
shares and that count atomically (apps/desk/counters.py, docs/decisions.md).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.http import HttpRequest
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

NAME = "name"
SCAN = "scan"
# Group names and check ids keep the names they had when the lookup lived in apps/members:
# live counters are keyed by the groups, and settings may silence the checks by their ids.
_GROUPS = {NAME: "members.lookup.name", SCAN: "members.lookup.scan"}
_RATE = re.compile(r"^[1-9]\d*/\d*[smhd]$")


def _rates(kind: str) -> list[str]:
    return list(settings.LOOKUP_NAME_RATES if kind == NAME else settings.LOOKUP_SCAN_RATES)


def lookup_wait_seconds(*, request: HttpRequest, kind: str) -> int | None:
    """Count one lookup of `kind` by the signed-in user; return seconds to wait if over a limit.

    None means go ahead. A lookup over the limit is counted too, so hammering on does not
    open the window any sooner than its end. If the counters cannot be read (the database
    has a problem the lookup itself will then meet), the lookup is let through and logged:
    the till must keep working, and every lookup is audited anyway.
    """
    waits = []
    try:
        for rate in _rates(kind):
            usage = get_usage(request, group=_GROUPS[kind], key="user", rate=rate, increment=True)
            if usage is not None and usage["should_limit"]:
                # The window is still this one in its last second (time_left 0).
                waits.append(usage["time_left"] + 1)
    except DatabaseError:
        logger.exception("lookup limits unavailable; letting the lookup through")
        return None
    return max(waits) if waits else None


def check_lookup_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with a lookup rate django-ratelimit would fail on at the till."""
    errors = []
    for name in ("LOOKUP_NAME_RATES", "LOOKUP_SCAN_RATES"):
        value = getattr(settings, name, None)
        if (
            not isinstance(value, list | tuple)
            or not value
            or not all(isinstance(rate, str) and _RATE.match(rate) for rate in value)
        ):
            errors.append(
                checks.Error(
                    f"{name} must be a list of rates such as 30/m or 200/h, got {value!r}.",
                    hint="Set it as comma-separated count/period values (period s, m, h or "
                    "d, optionally with a number: 100/5m); see docs/security.md.",
                    id="members.E001",
                )
            )
    letters = getattr(settings, "LOOKUP_NAME_MIN_LETTERS", None)
    if not isinstance(letters, int) or letters < 1:
        errors.append(
            checks.Error(
                f"LOOKUP_NAME_MIN_LETTERS must be an integer of at least 1, got {letters!r}.",
                id="members.E002",
            )
        )
    return errors
