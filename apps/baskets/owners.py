"""Who a basket belongs to for placement: its `owner_id`, the distribution key.

On a Citus cluster (docs/scale.md) baskets and their lines live on the shard of the member
they belong to, so that a member's page, a checkout and a list read one shard. A basket
without a member (an anonymous sale, or one that retention detached) still needs a key, and
a NULL is refused as a distribution value. Its owner is the negative *store-day* key
`-(store_id * 100000 + days since 1970-01-01 in UTC)`:

- it is known from the row alone, at the till and in the import's SQL, before any id is
  drawn, and the same on every retry;
- anonymous baskets spread over the shards day by day instead of piling onto one;
- a detached basket's new key says nothing its row does not already say (store and day), so
  detaching severs the link to the member.

Negative keys never meet member ids (those start at 1). The rule is held in the database by
a check constraint on both tables (baskets migration 0006), so a writer that gets it wrong
fails loudly instead of placing rows on the wrong shard.
"""

from __future__ import annotations

import datetime as dt

# Days since 1970-01-01 stay below this until the year 2243.
DAYS_PER_STORE = 100_000
EPOCH = dt.date(1970, 1, 1)


def anonymous_owner(*, store_id: int, purchased_at: dt.datetime) -> int:
    """The store-day key of a basket without a member."""
    day = purchased_at.astimezone(dt.UTC).date()
    return -(store_id * DAYS_PER_STORE + (day - EPOCH).days)


def basket_owner(*, member_id: int | None, store_id: int, purchased_at: dt.datetime) -> int:
    """A basket's owner: its member, or its store-day key when it has none."""
    if member_id is not None:
        return member_id
    return anonymous_owner(store_id=store_id, purchased_at=purchased_at)


def anonymous_owner_sql(*, store: str, purchased_at: str) -> str:
    """`anonymous_owner` as an SQL expression over the given column expressions.

    Every function in it is immutable (`AT TIME ZONE 'UTC'` on a timestamptz, a date cast of
    a timestamp, date subtraction), so it may stand in a check constraint and in statements
    Citus runs on its shards.
    """
    return (
        f"-({store} * {DAYS_PER_STORE} + "
        f"(({purchased_at} AT TIME ZONE 'UTC')::date - DATE '1970-01-01'))"
    )


def owner_sql(*, member: str, store: str, purchased_at: str) -> str:
    """`basket_owner` as an SQL expression over the given column expressions."""
    return f"coalesce({member}, {anonymous_owner_sql(store=store, purchased_at=purchased_at)})"


def owned_by(member_id: int) -> dict:
    """The filter of a member's own baskets or lines, by owner as well as member: the same
    rows, and on a cluster the owner sends the query to the member's shard alone instead of
    every shard (the member column leads PostgreSQL's indexes: both are kept)."""
    return {"owner_id": member_id, "member_id": member_id}
