"""Scrub the personal values erased members left in other tables.

A card number typed at the till stays in the audit trail's path and lookup detail and in
the till's stored request; a list barcode in a scanned request or a page's path; a name in
the admin's log; a card in an import's rejected line or a job's parameters. Each place is a
`Target` below: its rows are split into tokens (runs of letters, digits and `@._+-`, the
separators kept), each token that is an erased value (`erasure_values`, built by
members.py) replaced by what replaces it (the card's and list's new pseudonyms, or
"[erased]"), and the row written back only when it held a strong value (a card, list
barcode, certificate code, e-mail or phone): a name alone ("Anna") is everyone's, and is
rewritten only in rows that a strong value shows are the erased member's.

Exact tokens, not substrings: card 1000000123 inside 10000001234 is someone else's.

The audit trail is append-only (apps/audit/migrations/0002); its trigger lets this one kind
of UPDATE through (0007): with `crm.erasure` set for the transaction, and only the path,
query, object id and detail changing. The points ledger's trigger likewise lets through the
`reason` of the erased members' own entries (rewards 0012): staff adjustments' free text,
which may name them, becomes "[erased]"; its keys name no card (opening lots are keyed by
member id).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

TOKENS = r"[[:alnum:]@._+-]+|[^[:alnum:]@._+-]+"  # tokens and what separates them, in turn
SEPARATORS = r"[^[:alnum:]@._+-]+"


@dataclass(frozen=True)
class Target:
    """A text or JSON column that can hold a member's values."""

    table: str
    column: str
    json: bool = False
    # An expression over `r.new` (the rewritten value, JSON already cast) when more than the
    # tokens must change (each `r.new` stands for the rewritten value).
    finish: str = "r.new"


# Redemption, reversal and campaign events hold ids and amounts only (the triggers of
# audit 0002 write them); every other kind may hold what a user typed or opened.
_AUDIT_ROWS = "s.kind NOT IN ('redemption', 'reversal', 'campaign_change')"
_MEMBER_BASKETS = "SELECT id FROM baskets_basket WHERE member_id = ANY(%(ids)s::bigint[])"
_TILL_ROWS = f"""(s.basket_id IS NULL OR s.basket_id IN ({_MEMBER_BASKETS})
    OR s.original_id IN (SELECT p.id FROM checkout_postransaction p
                         WHERE p.basket_id IN ({_MEMBER_BASKETS})))"""

# The rows of each table worth reading (over `s`; %(ids)s: the erased members).
ROWS = {"audit_auditevent": _AUDIT_ROWS, "checkout_postransaction": _TILL_ROWS}

AUDIT_TARGETS = [
    Target("audit_auditevent", "path"),
    Target("audit_auditevent", "query"),
    Target("audit_auditevent", "object_id"),
    # A lookup by name keeps a digest of the name typed; in a lookup that showed an erased
    # member, it goes too (whoever holds the key could test a name against it).
    Target(
        "audit_auditevent",
        "detail",
        json=True,
        finish="CASE WHEN r.new ? 'text_digest' "
        "THEN jsonb_set(r.new, '{text_digest}', '\"[erased]\"') ELSE r.new END",
    ),
]

TARGETS = [
    Target("checkout_postransaction", "request", json=True),
    Target("checkout_postransaction", "response", json=True),
    Target("checkout_postransaction", "unknown_lines", json=True),
    Target("jobs_job", "params", json=True),
    Target("jobs_job", "result", json=True),
    Target("jobs_job", "message"),
    Target("jobs_job", "error"),
    Target("baskets_importreject", "raw"),
    Target("baskets_importreject", "reason"),
    Target("django_admin_log", "object_repr"),
    Target("django_admin_log", "change_message"),
    Target("members_consentchange", "note"),
    Target("agreements_statementevent", "note"),
    Target("agreements_statementevent", "changes", json=True),
    Target("agreements_settlementstatement", "note"),
]

# What staff typed when adjusting an erased member's points (the system's own reasons,
# like "Year-end rebate 2026", name no one and stay).
LEDGER_REASONS_SQL = """
UPDATE rewards_pointsentry SET reason = '[erased]'
WHERE member_id = ANY(%(ids)s::bigint[]) AND kind = 'adjust' AND reason NOT IN ('', '[erased]')
  AND key NOT LIKE 'erasure%%'
"""

# The admin's log names a member by their name (`object_repr`, Member.__str__).
ADMIN_LOG_MEMBERS_SQL = """
UPDATE django_admin_log l SET object_repr = 'Erased member', change_message = ''
FROM django_content_type ct
WHERE ct.id = l.content_type_id AND ct.app_label = 'members' AND ct.model = 'member'
  AND l.object_id = ANY(%(ids)s::text[])
"""


def rows_sql(table: str, targets: list[Target]) -> str:
    """The rows of `table` holding a strong erased value in any target column, found in one
    pass (the columns split into tokens together, joined to the values by hash) into
    `erasure_rows`: the rewrites then read those rows only, not the table once a column."""
    text = ", ".join(f"s.{t.column}::text" for t in targets)
    return f"""
DROP TABLE IF EXISTS erasure_rows;
CREATE TEMP TABLE erasure_rows ON COMMIT DROP AS
SELECT DISTINCT s.id
FROM {table} s
CROSS JOIN LATERAL regexp_split_to_table(lower(concat_ws(' ', {text})), '{SEPARATORS}') p(token)
JOIN erasure_values v ON v.old = p.token AND v.strong
WHERE {ROWS.get(table, "TRUE")};
ANALYZE erasure_rows;
"""


# Tables a cluster shards by member (docs/scale.md): their rewrite is `_rewrite_sharded`.
SHARDED = {"members_consentchange"}
VALUES_SQL = """
SELECT coalesce(jsonb_agg(jsonb_build_object('old', old, 'new', new)), '[]')::text
FROM erasure_values
"""
ROW_IDS_SQL = "SELECT coalesce(array_agg(id), '{}') FROM erasure_rows"
VALUES_FROM = "jsonb_to_recordset(%(values)s::jsonb) v(old text, new text)"


def _rewritten(target: Target, values: str = "erasure_values v") -> str:
    """The column's value with every erased token replaced (over `t`, the row)."""
    text = f"t.{target.column}::text" if target.json else f"t.{target.column}"
    new = f"""coalesce((
        SELECT string_agg(coalesce(v.new, p.part[1]), '' ORDER BY p.n)
        FROM regexp_matches({text}, '{TOKENS}', 'g') WITH ORDINALITY p(part, n)
        LEFT JOIN {values} ON v.old = lower(p.part[1])
    ), {text})"""
    if target.json:
        new = f"({new})::jsonb"
    return target.finish.replace("r.new", f"({new})") if target.finish != "r.new" else new


def rewrite_sql(table: str, targets: list[Target]) -> str:
    """One UPDATE of the rows in `erasure_rows`: every target column rewritten at once (one
    new row version, one pass of the audit trail's trigger, per row)."""
    columns = ",\n    ".join(f"{t.column} = {_rewritten(t)}" for t in targets)
    return f"""
UPDATE {table} t SET
    {columns}
FROM erasure_rows e WHERE t.id = e.id
"""


def _rewrite_sharded(cursor, table: str, targets: list[Target]) -> int:
    """`rewrite_sql` for a sharded table, in two steps: the new values are read (with the
    erased values and the rows' ids as parameters), then written from a jsonb value. A
    cluster runs no temporary table on a shard, nor a non-immutable function inside the
    SET of an UPDATE of sharded rows."""
    cursor.execute(VALUES_SQL)
    (values,) = cursor.fetchone()
    cursor.execute(ROW_IDS_SQL)
    (rows,) = cursor.fetchone()
    pairs = ", ".join(f"'{t.column}', {_rewritten(t, VALUES_FROM)}" for t in targets)
    cursor.execute(
        f"SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, {pairs})), '[]')::text "
        f"FROM {table} t WHERE t.id = ANY(%(rows)s::bigint[])",
        {"values": values, "rows": rows},
    )
    (new,) = cursor.fetchone()
    columns = ", ".join(f"{t.column} {'jsonb' if t.json else 'text'}" for t in targets)
    sets = ", ".join(f"{t.column} = n.{t.column}" for t in targets)
    cursor.execute(
        f"UPDATE {table} t SET {sets} "
        f"FROM jsonb_to_recordset(%s::jsonb) n(id bigint, {columns}) WHERE t.id = n.id",
        [new],
    )
    return cursor.rowcount


def _scrub(cursor, targets: list[Target], params: dict, counts: dict[str, int]) -> None:
    tables: dict[str, list[Target]] = {}
    for target in targets:
        tables.setdefault(target.table, []).append(target)
    for table, columns in tables.items():
        cursor.execute(rows_sql(table, columns), params)
        if table in SHARDED:
            counts[table] = _rewrite_sharded(cursor, table, columns)
        else:
            cursor.execute(rewrite_sql(table, columns))
            counts[table] = cursor.rowcount


def scrub_elsewhere(*, member_ids: list[int]) -> dict[str, int]:
    """Rewrite every target's rows that hold the erased values; return rows per table.

    Call it in the erasure's transaction, after members.py has filled `erasure_values`.
    """
    params = {"ids": member_ids}
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(ADMIN_LOG_MEMBERS_SQL, {"ids": [str(i) for i in member_ids]})
        counts["django_admin_log.member"] = cursor.rowcount
        _scrub(cursor, TARGETS, params, counts)
        # The trail's and the ledger's triggers let these through for this transaction only.
        # SET LOCAL (not set_config) and Citus told to pass SET LOCAL on: the ledger's
        # trigger fires on the workers' shards, which must see the flag too. On plain
        # PostgreSQL the citus setting is an unused placeholder.
        cursor.execute("SET LOCAL citus.propagate_set_commands = 'local'")
        cursor.execute("SET LOCAL crm.erasure = 'on'")
        try:
            _scrub(cursor, AUDIT_TARGETS, params, counts)
            cursor.execute(LEDGER_REASONS_SQL, params)
            counts["rewards_pointsentry.reason"] = cursor.rowcount
        finally:
            cursor.execute("SET LOCAL crm.erasure = 'off'")
        cursor.execute("DROP TABLE IF EXISTS erasure_rows")
    return counts
