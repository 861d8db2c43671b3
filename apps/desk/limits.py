"""How many lookups a cashier may make: per user, per kind, in fixed windows (django-ratelimit).

A name lookup shows up to 20 members with their card numbers, so names are held tighter than
scans (card, list barcode, phone), which a till makes all day. The rates are settings
(LOOKUP_NAME_RATES, LOOKUP_SCAN_RATES), each a list of django-ratelimit rates ("30/m",
"200/h"): every window counts the lookup, and any one full window refuses it.

The counters live in the "ratelimit" cache, PostgreSQL counters that every web process
shares and that count atomically (apps/desk/counters.py, docs/decisions.md). All the windows
of a lookup are counted in one statement against that cache's table (`_count_in_one`): the
windows, keys and answer are django-ratelimit's, as its `get_usage` would give them one
window at a time in two statements each. With another cache configured, `get_usage` counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

import django_ratelimit.core
from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import (
    EXPIRATION_FUDGE,
    _get_window,
    _make_cache_key,
    _split_rate,
    get_usage,
)

from apps.desk.counters import CounterCache

logger = logging.getLogger(__name__)

NAME = "name"
SCAN = "scan"
# Group names and check ids keep the names they had when the lookup lived in apps/members:
# live counters are keyed by the groups, and settings may silence the checks by their ids.
_GROUPS = {NAME: "members.lookup.name", SCAN: "members.lookup.scan"}
_RATE = re.compile(r"^[1-9]\d*/\d*[smhd]$")

# Every window of the lookup counted at once: a new or ended window starts at 1 with its new
# expiry (CounterCache.add), a live one goes up by 1 (CounterCache.incr), each row's count
# returned. The rows are taken in key order, so two lookups of one user lock them in the
# same order and cannot deadlock. Ended rows of other keys are removed on the way (what
# CounterCache.add does when a window begins), skipping any another statement holds, so the
# cleanup never waits; its keys exclude this lookup's, so no row is touched twice.
_COUNT = """
WITH ended AS (
    DELETE FROM {table} WHERE cache_key = ANY(ARRAY(
        SELECT cache_key FROM {table}
        WHERE expires <= %(now)s AND cache_key <> ALL(%(keys)s::varchar[])
        FOR UPDATE SKIP LOCKED
    ))
)
INSERT INTO {table} AS c (cache_key, value, expires)
SELECT w.cache_key, 1, w.expires
FROM unnest(%(keys)s::varchar[], %(expires)s::timestamptz[]) AS w (cache_key, expires)
ORDER BY w.cache_key
ON CONFLICT (cache_key) DO UPDATE SET
    value = CASE WHEN c.expires <= %(now)s THEN 1 ELSE c.value + 1 END,
    expires = CASE WHEN c.expires <= %(now)s THEN EXCLUDED.expires ELSE c.expires END
RETURNING c.cache_key, c.value
"""


def _rates(kind: str) -> list[str]:
    return list(settings.LOOKUP_NAME_RATES if kind == NAME else settings.LOOKUP_SCAN_RATES)


def lookup_wait_seconds(*, request: HttpRequest, kind: str) -> int | None:
    """Count one lookup of `kind` by the signed-in user; return seconds to wait if over a limit.

    None means go ahead. A lookup over the limit is counted too, so hammering on does not
    open the window any sooner than its end. If the counters cannot be read (the database
    has a problem the lookup itself will then meet), the lookup is let through and logged:
    the till must keep working, and every lookup is audited anyway.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    try:
        if isinstance(cache, CounterCache):
            usages = _count_in_one(cache, request=request, group=_GROUPS[kind], rates=_rates(kind))
        else:
            usages = [
                get_usage(request, group=_GROUPS[kind], key="user", rate=rate, increment=True)
                for rate in _rates(kind)
            ]
    except DatabaseError:
        logger.exception("lookup limits unavailable; letting the lookup through")
        return None
    # The window is still this one in its last second (time_left 0).
    waits = [u["time_left"] + 1 for u in usages if u is not None and u["should_limit"]]
    return max(waits) if waits else None


def _count_in_one(
    cache: CounterCache, *, request: HttpRequest, group: str, rates: list[str]
) -> list[dict]:
    """Count one lookup in every window of `rates`, in one statement; return get_usage's dicts.

    The windows and keys are django-ratelimit's own (key "user", every method), so counters
    carry on from one way of counting to the other. A window's expiry is its period and
    django-ratelimit's few seconds of slack from now, as `get_usage` asks `add` for.
    """
    value = str(request.user.pk)
    now = time.time()
    windows = {}  # cache key: (limit, end of the window)
    for rate in rates:
        limit, period = _split_rate(rate)
        window = _get_window(value, period)
        key = cache.make_and_validate_key(_make_cache_key(group, window, rate, value, ALL))
        expires = dt.datetime.fromtimestamp(now + period + EXPIRATION_FUDGE, tz=dt.UTC)
        windows[key] = (limit, window, expires)
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNT.format(table=connection.ops.quote_name(cache._table)),
            {
                "now": dt.datetime.fromtimestamp(now, tz=dt.UTC),
                "keys": list(windows),
                "expires": [expires for _, _, expires in windows.values()],
            },
        )
        counts = dict(cursor.fetchall())
    # django-ratelimit's clock, as get_usage reads it for the time left (tests move it).
    at = int(django_ratelimit.core.time.time())
    return [
        {
            "count": counts[key],
            "limit": limit,
            "should_limit": counts[key] > limit,
            "time_left": window - at,
        }
        for key, (limit, window, _) in windows.items()
    ]


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
