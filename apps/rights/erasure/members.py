"""Erase members: a handful of statements over the id array, in one transaction.

Nothing here loops over members in Python, so the nightly retention can hand it 10 k ids.
The members are locked in id order (FOR UPDATE, a card number is a key: the same lock an
UPDATE of it would take) and those already erased are skipped, so a second call, or a
racing one that waited for the first, erases none and changes nothing.

What goes: every personal field of the member row; the card number and each list barcode
and rebate certificate code, replaced by random values (`X` + 20 hex digits from
gen_random_uuid(), not derived from the old ones); every consent (a withdrawal each, source
"erasure"); the points (closed to zero by ledger entries, see POINTS_CLOSE_SQL); and the
values the member left elsewhere (scrub.py). What stays, tied to the now anonymous row:
baskets and lines, lists and their items, redemptions, segment cells, scores, the points
ledger: so the chain's sales, campaign lift and settled statements do not move.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditKind
from apps.audit.services import audit_record
from apps.rights.erasure.scrub import scrub_elsewhere
from apps.rights.models import ErasureReason


def _random(n: int) -> str:
    """SQL of a random pseudonym: 'X' and `n` hex digits of a fresh random UUID."""
    return f"'X' || substr(replace(gen_random_uuid()::text, '-', ''), 1, {n})"


LOCK_SQL = """
SELECT id FROM members_member
WHERE id = ANY(%(ids)s::bigint[]) AND status <> 'erased'
ORDER BY id
FOR UPDATE
"""

# The old values and what replaces them, for the scrub (`strong`: a value that names one
# member by itself: card, list barcode, certificate code, e-mail, phone; names are `weak`,
# rewritten only where a strong value shows whose row it is). Lower case, as compared.
TEMP_TABLES = "erasure_cards, erasure_lists, erasure_certificates, erasure_values"

# Dropped first: a second erasure in the same outer transaction (a batch's chunks in a test)
# finds the first one's tables, which ON COMMIT DROP keeps until the commit.
MAPS_SQL = f"""
DROP TABLE IF EXISTS {TEMP_TABLES};

CREATE TEMP TABLE erasure_cards ON COMMIT DROP AS
SELECT m.id AS member_id, m.card_number AS old, {_random(20)} AS new
FROM members_member m WHERE m.id = ANY(%(ids)s::bigint[]);

CREATE TEMP TABLE erasure_lists ON COMMIT DROP AS
SELECT l.id, l.barcode AS old, {_random(20)} AS new
FROM lists_shoppinglist l WHERE l.member_id = ANY(%(ids)s::bigint[]);

CREATE TEMP TABLE erasure_certificates ON COMMIT DROP AS
SELECT c.id, c.code AS old, {_random(19)} AS new
FROM rewards_rebatecertificate c WHERE c.member_id = ANY(%(ids)s::bigint[]);

CREATE TEMP TABLE erasure_values (old text PRIMARY KEY, new text NOT NULL, strong bool NOT NULL)
ON COMMIT DROP;

INSERT INTO erasure_values (old, new, strong)
SELECT lower(old), new, true FROM erasure_cards
UNION ALL SELECT lower(old), new, true FROM erasure_lists
UNION ALL SELECT lower(old), new, true FROM erasure_certificates
ON CONFLICT (old) DO NOTHING;

INSERT INTO erasure_values (old, new, strong)
SELECT DISTINCT v.old, '[erased]', v.strong
FROM members_member m
CROSS JOIN LATERAL (
    VALUES (lower(m.email), true), (lower(m.phone), true), (m.phone_digits, true)
) v(old, strong)
WHERE m.id = ANY(%(ids)s::bigint[]) AND length(v.old) >= 6
  AND v.old !~ '[^[:alnum:]@._+-]'  -- one token as the scrub splits texts
ON CONFLICT (old) DO NOTHING;

-- Names and the parts of a phone written with spaces: only where a strong value is too.
INSERT INTO erasure_values (old, new, strong)
SELECT DISTINCT w.word, '[erased]', false
FROM members_member m
CROSS JOIN LATERAL regexp_split_to_table(
    lower(m.first_name || ' ' || m.last_name || ' ' || m.phone), '[^[:alnum:]@._+-]+'
) w(word)
WHERE m.id = ANY(%(ids)s::bigint[]) AND length(w.word) >= 2
  AND (w.word ~ '[[:alpha:]]' OR length(w.word) >= 4)
ON CONFLICT (old) DO NOTHING;
"""

# The new cards are read first, as one jsonb value, then written: on Citus the members are
# a reference table, which an UPDATE joined with a temporary table may not change (as the
# members' import). Lists and certificates are sharded: the CTE brings the map to them.
CARDS_SQL = "SELECT jsonb_agg(c)::text FROM erasure_cards c"
MEMBERS_SQL = """
UPDATE members_member m
SET card_number = c.new, first_name = '', last_name = '', email = '', phone = '',
    postal_code = '', birth_date = NULL, household_size = NULL, children = NULL,
    consent_list = false, consent_email = false, consent_sms = false,
    status = 'erased', updated_at = now()
FROM jsonb_to_recordset(%s::jsonb) AS c(member_id bigint, new text) WHERE c.member_id = m.id
"""

LISTS_SQL = """
WITH e AS MATERIALIZED (SELECT id, new FROM erasure_lists)
UPDATE lists_shoppinglist l SET barcode = e.new FROM e WHERE e.id = l.id
"""

# Certificates get new codes (the old ones are printed on paper the person holds) and
# those still open end the day before: they can never be spent.
CERTIFICATES_SQL = """
WITH e AS MATERIALIZED (SELECT id, new FROM erasure_certificates)
UPDATE rewards_rebatecertificate c
SET code = e.new, valid_until = least(c.valid_until, %(today)s::date - 1)
FROM e WHERE e.id = c.id
"""

# One withdrawal per channel the member had consented to (read before the row is blanked).
CONSENT_SQL = """
INSERT INTO members_consentchange (member_id, channel, given, at, source, actor_id,
                                   actor_name, note)
SELECT m.id, v.channel, false, %(at)s, 'erasure', %(actor_id)s, %(actor_name)s, ''
FROM members_member m
CROSS JOIN LATERAL (
    VALUES ('list', m.consent_list), ('email', m.consent_email), ('sms', m.consent_sms)
) v(channel, given)
WHERE m.id = ANY(%(ids)s::bigint[]) AND v.given
ORDER BY m.id
"""

# The points close at zero, by entries the ledger's checks accept (apps.rewards.verify):
# one `expire` entry takes what is left of every lot (past due or not), with a lot use per
# lot; what the member still owed (a return after the points were spent) is written off by
# one `adjust` lot that covers each owed entry. Balance = left - owed, so both bring it to
# zero. Keys `erasure:<member>` and `erasure-debt:<member>`: once each.
POINTS_CLOSE_SQL = """
WITH members AS (SELECT unnest(%(ids)s::bigint[]) AS member_id
), lots AS (
    SELECT e.id, e.member_id, (e.points - coalesce(u.used, 0))::int AS remaining
    FROM rewards_pointsentry e
    JOIN members m ON m.member_id = e.member_id
    LEFT JOIN LATERAL (
        SELECT sum(points) AS used FROM rewards_lotuse
        WHERE member_id = e.member_id AND lot_id = e.id
    ) u ON TRUE
    WHERE e.points > 0 AND e.points - coalesce(u.used, 0) > 0
), owed AS (
    SELECT e.id, e.member_id, (-e.points - coalesce(u.covered, 0))::int AS owed
    FROM rewards_pointsentry e
    JOIN members m ON m.member_id = e.member_id
    LEFT JOIN LATERAL (
        SELECT sum(points) AS covered FROM rewards_lotuse
        WHERE member_id = e.member_id AND consumer_id = e.id
    ) u ON TRUE
    WHERE e.points < 0 AND -e.points - coalesce(u.covered, 0) > 0
), closes AS (
    INSERT INTO rewards_pointsentry (member_id, kind, points, key, created_at, reason, user_id)
    SELECT member_id, 'expire', -sum(remaining), 'erasure:' || member_id, %(at)s,
           'Erasure: the points close', %(actor_id)s
    FROM lots GROUP BY member_id ORDER BY member_id
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, points
), close_uses AS (
    INSERT INTO rewards_lotuse (consumer_id, lot_id, points, member_id)
    SELECT c.id, l.id, l.remaining, c.member_id
    FROM closes c JOIN lots l ON l.member_id = c.member_id
    ORDER BY l.id
), written_off AS (
    INSERT INTO rewards_pointsentry (member_id, kind, points, key, created_at, valid_until,
                                     reason, user_id)
    SELECT member_id, 'adjust', sum(owed), 'erasure-debt:' || member_id, %(at)s, %(today)s,
           'Erasure: what was owed written off', %(actor_id)s
    FROM owed GROUP BY member_id ORDER BY member_id
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, points
), debt_uses AS (
    INSERT INTO rewards_lotuse (consumer_id, lot_id, points, member_id)
    SELECT o.id, w.id, o.owed, o.member_id
    FROM owed o JOIN written_off w ON w.member_id = o.member_id
), moved AS (
    SELECT member_id, points FROM closes UNION ALL SELECT member_id, points FROM written_off
), balances AS (
    UPDATE rewards_pointsbalance b SET points = b.points + d.delta, updated_at = now()
    FROM (SELECT member_id, sum(points) AS delta FROM moved GROUP BY member_id) d
    WHERE b.member_id = d.member_id
)
SELECT coalesce(-sum(points) FILTER (WHERE points < 0), 0),
       coalesce(sum(points) FILTER (WHERE points > 0), 0)
FROM moved
"""

# Locked by an UPDATE that changes nothing, not SELECT … FOR UPDATE: on Citus a row lock
# over many members' shards is refused, and an UPDATE takes the same row locks on every
# shard at once (apps/rewards/ledger.py's one-member lock still uses FOR UPDATE).
BALANCES_LOCK_SQL = """
WITH locked AS (
    UPDATE rewards_pointsbalance SET points = points WHERE member_id = ANY(%(ids)s::bigint[])
    RETURNING member_id
)
SELECT member_id FROM locked ORDER BY member_id
"""

ERASURES_SQL = """
INSERT INTO rights_erasure (member_id, at, reason, reference, actor_id, actor_name)
SELECT id, %(at)s, %(reason)s, %(reference)s, %(actor_id)s, %(actor_name)s
FROM unnest(%(ids)s::bigint[]) id ORDER BY id
"""


@transaction.atomic
def erase_members(
    member_ids: Sequence[int], *, reason: str, actor=None, reference: str = ""
) -> int:
    """Erase the members not erased yet; return how many were erased (0: all were before).

    Irreversible. One transaction: the members are locked in id order, the maps of old to
    new values built, the rows rewritten, the points closed, the erasures and one audit
    event written, and the values the members left in other tables scrubbed.
    """
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason {reason!r}.")
    reference = reference.strip()[:80]
    ids = sorted({int(i) for i in member_ids})
    if not ids:
        return 0
    at = timezone.now()
    if actor is not None and not actor.is_authenticated:
        actor = None
    params = {
        "at": at,
        "today": timezone.localdate(at),
        "reason": reason,
        "reference": reference,
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": actor.get_username()[:150] if actor is not None else "",
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(LOCK_SQL, {"ids": ids})
        params["ids"] = [row[0] for row in cursor.fetchall()]
        if not params["ids"]:
            return 0
        cursor.execute(BALANCES_LOCK_SQL, params)
        cursor.execute(MAPS_SQL, params)
        cursor.execute(CONSENT_SQL, params)
        cursor.execute(POINTS_CLOSE_SQL, params)
        points_closed, debt_written_off = cursor.fetchone()
        cursor.execute(CARDS_SQL)
        cursor.execute(MEMBERS_SQL, [cursor.fetchone()[0]])
        cursor.execute(LISTS_SQL)
        cursor.execute(CERTIFICATES_SQL, params)
        cursor.execute(ERASURES_SQL, params)
    erased = len(params["ids"])
    # Before the scrub, so that its own path (none here) could never hold a card.
    audit_record(
        kind=AuditKind.ERASURE,
        actor=actor,
        object_type="erasure",
        row_count=erased,
        detail={
            "count": erased,
            "reason": reason,
            "reference": reference,
            "points_closed": int(points_closed),
            "debt_written_off": int(debt_written_off),
        },
        query="",
    )
    scrub_elsewhere(member_ids=params["ids"])
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TEMP_TABLES}")
    return erased
