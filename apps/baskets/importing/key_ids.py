"""Database ids of the staged keys a file names (basket ids, cards, store codes), chunk by chunk.

The direct write of lines (`direct_lines`) needs every line's basket, member, store and
owner before its COPY, so each chunk's keys not seen before are resolved in one round trip
each, set-based, and remembered for the rest of the file: a basket's rows may be anywhere in
it. Keys stay as staged (COPY text: a backslash doubled; ids hold no other character COPY
escapes, `checks.is_id`), and the map is Arrow arrays, looked up with `index_in`, not a
Python loop over rows.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

# Keys go to the server as one text, split there (as `loaded.LOADED_SQL`); no key holds a
# line end (`checks.is_id`).
LOADED_BASKETS_SQL = (
    "SELECT basket_id FROM baskets_basket WHERE basket_id = ANY(string_to_array(%s, E'\\n'))"
)
# One value per id, each from nextval: safe whatever other sessions draw meanwhile (a
# `setval` of a range is not). The ids need not be consecutive.
# The sequence is named once: pg_get_serial_sequence in the select list would be run for
# every id (0.2-0.5 s for 20 k ids, measured, against a few milliseconds).
SEQUENCE_SQL = "SELECT pg_get_serial_sequence('baskets_basket', 'id')"
RESERVE_SQL = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"
MEMBERS_SQL = (
    "SELECT card_number, id FROM members_member "
    "WHERE card_number = ANY(string_to_array(%s, E'\\n'))"
)
# A card seen before its form is filed consents to nothing (the columns' database default),
# as the staged path's NEW_MEMBERS_SQL.
NEW_MEMBERS_SQL = """
INSERT INTO members_member (
    card_number, first_name, last_name, email, phone, postal_code,
    status, created_at, updated_at
)
SELECT card, '', '', '', '', '', 'active', now(), now()
FROM unnest(string_to_array(%s, E'\\n')) AS card
ON CONFLICT (card_number) DO NOTHING
RETURNING id
"""
STORES_SQL = "SELECT code, id FROM baskets_store WHERE code = ANY(string_to_array(%s, E'\\n'))"
NEW_STORES_SQL = """
INSERT INTO baskets_store (code, name, city)
SELECT code, '', '' FROM unnest(string_to_array(%s, E'\\n')) AS code
ON CONFLICT (code) DO NOTHING
RETURNING id
"""


def unescaped(staged: pa.Array) -> pa.Array:
    """Keys as the database holds them (COPY text undone: only a backslash is escaped)."""
    return pc.replace_substring(staged, "\\\\", "\\")


def escaped(raw: pa.Array) -> pa.Array:
    """Keys from the database as staged."""
    return pc.replace_substring(raw, "\\", "\\\\")


def joined(staged: pa.Array) -> str:
    """Staged keys as one text parameter, one key a line."""
    return "\n".join(unescaped(staged).to_pylist())


class KeyIds:
    """Staged keys and their ids (an id may be null: a key known to have none)."""

    def __init__(self) -> None:
        self.keys = pa.array([], pa.string())
        self.ids = pa.array([], pa.int64())

    def unknown(self, keys: pa.Array | pa.ChunkedArray) -> pa.Array:
        """The distinct keys among `keys` not seen before."""
        distinct = pc.unique(keys)
        if isinstance(distinct, pa.ChunkedArray):
            distinct = distinct.combine_chunks()
        return distinct.filter(pc.is_null(pc.index_in(distinct, value_set=self.keys)))

    def add(self, keys: pa.Array, ids: pa.Array) -> None:
        self.keys = pa.concat_arrays([self.keys, keys.cast(pa.string())])
        self.ids = pa.concat_arrays([self.ids, ids.cast(pa.int64())])

    def ids_of(self, keys: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Each key's id, row by row (null for a key with none, or not seen)."""
        return self.ids.take(pc.index_in(keys, value_set=self.keys))


def found_ids(cursor, sql: str, staged: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(staged key, id) of the keys the look-up `sql` finds."""
    cursor.execute(sql, [joined(staged)])
    rows = cursor.fetchall()
    keys = pa.array([key for key, _ in rows], pa.string())
    return escaped(keys), pa.array([i for _, i in rows], pa.int64())


class Resolver:
    """The ids of a file's baskets, cards and stores, created or reserved as first seen.

    Cards and stores the file names for the first time are created at once (their rows may
    all turn out rejected: `unused` tells which to remove again at the end). A basket id
    loaded before the import maps to null; a new one gets an id reserved from the baskets'
    sequence.
    """

    def __init__(self, *, cursor) -> None:
        self.cursor = cursor
        self.baskets = KeyIds()
        self.members = KeyIds()
        self.stores = KeyIds()
        self.created_members: list[int] = []
        self.created_stores: list[int] = []
        self.sequence: str | None = None

    def basket_ids(self, staged: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
        """Each row's reserved basket id (null: loaded before), and the newly known
        loaded basket ids."""
        unknown = self.baskets.unknown(staged)
        loaded = pa.array([], pa.string())
        if len(unknown):
            loaded = loaded_baskets(self.cursor, unknown)
            new = unknown.filter(pc.invert(pc.is_in(unknown, value_set=loaded)))
            self.baskets.add(loaded, pa.nulls(len(loaded), pa.int64()))
            self.baskets.add(new, self._reserved(len(new)))
        return self.baskets.ids_of(staged), loaded

    def _reserved(self, count: int) -> pa.Array:
        """`count` new ids from the baskets' sequence (none drawn for none: a re-import)."""
        if not count:
            return pa.array([], pa.int64())
        if self.sequence is None:
            self.cursor.execute(SEQUENCE_SQL)
            self.sequence = self.cursor.fetchone()[0]
        self.cursor.execute(RESERVE_SQL, [self.sequence, count])
        return pa.array([i for (i,) in self.cursor.fetchall()], pa.int64())

    def member_ids(self, cards: pa.ChunkedArray | pa.Array) -> pa.Array:
        """Each row's member id (null for an anonymous row), creating unknown cards."""
        unknown = self.members.unknown(cards)
        unknown = unknown.filter(pc.not_equal(unknown, ""))
        if len(unknown):
            self._create(unknown, self.members, MEMBERS_SQL, NEW_MEMBERS_SQL, self.created_members)
        return self.members.ids_of(cards)

    def store_ids(self, codes: pa.ChunkedArray | pa.Array) -> pa.Array:
        """Each row's store id, creating unknown stores."""
        unknown = self.stores.unknown(codes)
        if len(unknown):
            self._create(unknown, self.stores, STORES_SQL, NEW_STORES_SQL, self.created_stores)
        return self.stores.ids_of(codes)

    def _create(self, unknown, known: KeyIds, find: str, create: str, created: list) -> None:
        keys, ids = found_ids(self.cursor, find, unknown)
        missing = unknown.filter(pc.invert(pc.is_in(unknown, value_set=keys)))
        if len(missing):
            self.cursor.execute(create, [joined(missing)])
            created.extend(i for (i,) in self.cursor.fetchall())
            # Those a concurrent import created meanwhile are found too (ON CONFLICT).
            more_keys, more_ids = found_ids(self.cursor, find, missing)
            keys = pa.concat_arrays([keys, more_keys])
            ids = pa.concat_arrays([ids, more_ids])
        known.add(keys, ids)


def loaded_baskets(cursor, staged: pa.Array) -> pa.Array:
    """The staged basket ids among `staged` loaded before."""
    cursor.execute(LOADED_BASKETS_SQL, [joined(staged)])
    return escaped(pa.array([b for (b,) in cursor.fetchall()], pa.string()))
