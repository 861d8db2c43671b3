"""A cache backend of counters in PostgreSQL, for django-ratelimit: each step one statement.

django-ratelimit counts with `cache.add(key, 1, timeout)` then, when the key exists,
`cache.incr(key)`. Django's own database cache does each of those in four to seven
statements and increments by reading then writing, so two requests at once can both read 5
and write 6 (django-ratelimit's check calls it "does not support atomic increment"). Here
`add` is one INSERT … ON CONFLICT and `incr` one UPDATE … RETURNING: atomic, exact under any
number of web processes. The lookup itself counts all its windows in one upsert against
this table (apps/desk/limits.py); these two steps remain for
django-ratelimit's `get_usage`, which reads the same rows. Every process of every
mode shares PostgreSQL, so no Redis is needed (docs/decisions.md, "Lookup limits").

Only integers are stored. The table is UNLOGGED: a counter lives a minute or an hour, and a
crash that empties the table only restarts the windows. Its migration stays where the lookup
began, apps/members/migrations/0002 (the desk has no models).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper

# Far enough for "never expires" (timeout None) and still a valid timestamptz.
_NEVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


class CounterCache(BaseCache):
    """Integer counters with expiry in one PostgreSQL table (LOCATION: the table's name)."""

    def __init__(self, table: str, params: dict[str, Any]):
        super().__init__(params)
        self._table = table

    # --- the two calls django-ratelimit makes ---------------------------------------------

    def add(self, key: str, value: int, timeout: Any = DEFAULT_TIMEOUT, version=None) -> bool:
        """Set the counter unless a live one exists; return whether this call set it.

        A new window of a limit is a new key, so setting one is also when rows of ended
        windows are removed (through the index on expires): the table holds live windows.
        """
        key = self.make_and_validate_key(key, version=version)
        now = self._now()
        with self._cursor() as (cursor, table):
            cursor.execute(
                f"INSERT INTO {table} AS c (cache_key, value, expires) VALUES (%s, %s, %s) "
                "ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, "
                "expires = EXCLUDED.expires WHERE c.expires <= %s RETURNING 1",
                [key, self._int(value), self._expires(timeout), now],
            )
            added = cursor.fetchone() is not None
            if added:
                cursor.execute(f"DELETE FROM {table} WHERE expires <= %s", [now])
        return added

    def incr(self, key: str, delta: int = 1, version=None) -> int:
        """Add `delta` to a live counter and return the new value (ValueError if none)."""
        key = self.make_and_validate_key(key, version=version)
        with self._cursor() as (cursor, table):
            cursor.execute(
                f"UPDATE {table} SET value = value + %s "
                "WHERE cache_key = %s AND expires > %s RETURNING value",
                [self._int(delta), key, self._now()],
            )
            row = cursor.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    # --- the rest of the cache API, for completeness --------------------------------------

    def get(self, key: str, default: Any = None, version=None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._cursor() as (cursor, table):
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > %s",
                [key, self._now()],
            )
            row = cursor.fetchone()
        return default if row is None else row[0]

    def set(self, key: str, value: int, timeout: Any = DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._cursor() as (cursor, table):
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                "ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, "
                "expires = EXCLUDED.expires",
                [key, self._int(value), self._expires(timeout)],
            )

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._cursor() as (cursor, table):
            cursor.execute(
                f"UPDATE {table} SET expires = %s WHERE cache_key = %s AND expires > %s",
                [self._expires(timeout), key, self._now()],
            )
            return cursor.rowcount == 1

    def delete(self, key: str, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._cursor() as (cursor, table):
            cursor.execute(f"DELETE FROM {table} WHERE cache_key = %s", [key])
            return cursor.rowcount == 1

    def clear(self) -> None:
        with self._cursor() as (cursor, table):
            cursor.execute(f"DELETE FROM {table}")

    # --- helpers ----------------------------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[tuple[CursorWrapper, str]]:
        """Yield a cursor of the default database and the quoted table name."""
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            yield cursor, connection.ops.quote_name(self._table)

    @staticmethod
    def _now() -> dt.datetime:
        return dt.datetime.fromtimestamp(time.time(), tz=dt.UTC)

    def _expires(self, timeout: Any) -> dt.datetime:
        at = self.get_backend_timeout(timeout)  # seconds since the epoch, or None: never
        return _NEVER if at is None else dt.datetime.fromtimestamp(at, tz=dt.UTC)

    @staticmethod
    def _int(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"CounterCache stores integers only, not {value!r}")
        return value
