"""Import members.csv: upsert members by card number.

Only the columns present in the file are written; an empty value clears the field,
except the consents. `consent_list` (the printed or mailed list; `marketing_consent` is its
older name, and a file may not carry both), `consent_email` and `consent_sms` take yes or
no; empty (or no such column) means the chain's setting `CRM_IMPORT_CONSENT_DEFAULT` (no
consent unless the chain says otherwise) for a new member and "leave as is" for an
existing one, so that a blank cell never opts anyone in or out. Every consent the import
changes, a new member's given one included, gets its `ConsentChange` row (source import,
the user who ran the import when known), written set-based in the file's transaction.

`birth_date` is kept only with the member's consent to a birthday reward
(`birthday_consent`, which no column stores: a birth date on file *is* the consent):
yes stores the row's date (an empty one clears it); no clears it; empty (or no such
column) stores nothing for a new member and leaves an existing one as is, so a file
that does not ask never records a birth date nor withdraws a consent given before.

`language` is the language of the member's printed list: `en` or `zh-hans` (any case, `_`
for `-`; `zh-cn` and `zh-sg` are Simplified Chinese too; a bare `zh` is refused, as it does
not say which script). Empty (or no such column) gives a new member English and leaves an
existing one's as is.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings

from apps.baskets.importing import values
from apps.baskets.importing.result import FileResult, ImportActor
from apps.baskets.importing.staging import (
    DROP_STAGE_SQL,
    Checker,
    Header,
    HeaderError,
    stage_simple,
)

COLUMNS = ("card_number",)
OPTIONAL = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "postal_code",
    "joined_on",
    "household_size",
    "children",
    "consent_list",
    "marketing_consent",  # consent_list's older name
    "consent_email",
    "consent_sms",
    "birth_date",
    "birthday_consent",
    "language",
)
WIDTH = 15
# The runner passes the user who ran the import (import_file's `actor`).
RECORDS_ACTOR = True

STAGE_SQL = """
CREATE TEMP TABLE pos_stage (
    line integer NOT NULL,
    card_number text,
    first_name text,
    last_name text,
    email text,
    phone text,
    postal_code text,
    joined_on date,
    household_size smallint,
    children smallint,
    consent_list boolean,  -- NULL: not given (also for the two below)
    consent_email boolean,
    consent_sms boolean,
    birth_date date,
    birthday_consent boolean,  -- NULL: not given
    language varchar(8),  -- NULL: not given; the type of the column, for the row comparison
    reason text,
    raw text
) ON COMMIT DROP
"""
COPY_SQL = "COPY pos_stage FROM STDIN"

DUPLICATES_SQL = """
UPDATE pos_stage s
SET reason = 'card_number ' || quote_literal(s.card_number)
             || ' appears again on line ' || d.last_line
FROM (
    SELECT card_number, max(line) AS last_line
    FROM pos_stage
    WHERE reason IS NULL
    GROUP BY card_number
    HAVING count(*) > 1
) d
WHERE s.card_number = d.card_number AND s.reason IS NULL AND s.line < d.last_line
"""
# %(has_<column>)s: whether the file has that column; absent columns keep their value.
# The changed members are read first, as one jsonb value, and then written: on Citus the
# members are a reference table, and an UPDATE of one joined with the (temporary) stage is
# refused ("relation pos_stage is not distributed"), as for the products. Only changed rows
# make the trip.
CHANGED_SQL = """
SELECT jsonb_agg(n)::text
FROM (
    SELECT old.id,
           CASE WHEN %(has_first_name)s THEN s.first_name ELSE old.first_name END AS first_name,
           CASE WHEN %(has_last_name)s THEN s.last_name ELSE old.last_name END AS last_name,
           CASE WHEN %(has_email)s THEN s.email ELSE old.email END AS email,
           CASE WHEN %(has_phone)s THEN s.phone ELSE old.phone END AS phone,
           CASE WHEN %(has_postal_code)s THEN s.postal_code ELSE old.postal_code END
               AS postal_code,
           CASE WHEN %(has_joined_on)s THEN s.joined_on ELSE old.joined_on END AS joined_on,
           CASE WHEN %(has_household_size)s THEN s.household_size ELSE old.household_size END
               AS household_size,
           CASE WHEN %(has_children)s THEN s.children ELSE old.children END AS children,
           coalesce(s.consent_list, old.consent_list) AS consent_list,
           coalesce(s.consent_email, old.consent_email) AS consent_email,
           coalesce(s.consent_sms, old.consent_sms) AS consent_sms,
           CASE WHEN s.birthday_consent IS FALSE THEN NULL
                WHEN s.birthday_consent AND %(has_birth_date)s THEN s.birth_date
                ELSE old.birth_date END AS birth_date,
           coalesce(s.language, old.language) AS language,
           (old.first_name, old.last_name, old.email, old.phone, old.postal_code,
            old.joined_on, old.household_size, old.children, old.consent_list,
            old.consent_email, old.consent_sms, old.birth_date, old.language) AS was
    FROM pos_stage s
    JOIN members_member old ON old.card_number = s.card_number
    WHERE s.reason IS NULL
) n
WHERE n.was IS DISTINCT FROM
      (n.first_name, n.last_name, n.email, n.phone, n.postal_code, n.joined_on,
       n.household_size, n.children, n.consent_list, n.consent_email, n.consent_sms,
       n.birth_date, n.language)
"""
UPDATE_SQL = """
UPDATE members_member m
SET first_name = n.first_name, last_name = n.last_name, email = n.email, phone = n.phone,
    postal_code = n.postal_code, joined_on = n.joined_on,
    household_size = n.household_size, children = n.children,
    consent_list = n.consent_list, consent_email = n.consent_email, consent_sms = n.consent_sms,
    birth_date = n.birth_date, language = n.language, updated_at = now()
FROM jsonb_populate_recordset(NULL::members_member, %s::jsonb) n
WHERE m.id = n.id
"""
# Before UPDATE_SQL: one history row per consent the file changes for an existing member.
CONSENT_HISTORY_SQL = """
INSERT INTO members_consentchange (member_id, channel, given, at, source, actor_id,
                                   actor_name, note)
SELECT m.id, c.channel, c.given, now(), 'import', %(actor_id)s, %(actor_name)s, ''
FROM pos_stage s
JOIN members_member m ON m.card_number = s.card_number
CROSS JOIN LATERAL (VALUES ('list', s.consent_list, m.consent_list),
                           ('email', s.consent_email, m.consent_email),
                           ('sms', s.consent_sms, m.consent_sms)) c(channel, given, was)
WHERE s.reason IS NULL AND c.given IS NOT NULL AND c.given <> c.was
"""
# New members, their given consents' history, and the counts the report needs: one statement.
# %(default)s: CRM_IMPORT_CONSENT_DEFAULT, for a consent the row leaves empty.
INSERT_SQL = """
WITH added AS (
    INSERT INTO members_member (
        card_number, first_name, last_name, email, phone, postal_code, joined_on,
        household_size, children, consent_list, consent_email, consent_sms, birth_date,
        language, status, created_at, updated_at
    )
    SELECT s.card_number, s.first_name, s.last_name, s.email, s.phone, s.postal_code,
           s.joined_on, s.household_size, s.children,
           coalesce(s.consent_list, %(default)s), coalesce(s.consent_email, %(default)s),
           coalesce(s.consent_sms, %(default)s),
           CASE WHEN s.birthday_consent THEN s.birth_date END,
           coalesce(s.language, %(language)s), 'active', now(), now()
    FROM pos_stage s
    LEFT JOIN members_member m ON m.card_number = s.card_number
    WHERE s.reason IS NULL AND m.id IS NULL
    ON CONFLICT (card_number) DO NOTHING
    RETURNING id, consent_list, consent_email, consent_sms
), history AS (
    INSERT INTO members_consentchange (member_id, channel, given, at, source, actor_id,
                                       actor_name, note)
    SELECT a.id, c.channel, true, now(), 'import', %(actor_id)s, %(actor_name)s, ''
    FROM added a
    CROSS JOIN LATERAL (VALUES ('list', a.consent_list), ('email', a.consent_email),
                               ('sms', a.consent_sms)) c(channel, given)
    WHERE c.given
    RETURNING 1
)
SELECT (SELECT count(*) FROM added),
       (SELECT count(*) FROM added WHERE NOT consent_list),
       (SELECT count(*) FROM history)
"""


def convert(get) -> list[str | None]:
    """Validate a members.csv row; return its staged values."""
    check = Checker(get)
    card = check.identifier("card_number", max_length=32)
    first_name = check.text("first_name", max_length=80)
    last_name = check.text("last_name", max_length=80)
    email = check.value(values.email, "email")
    phone = check.text("phone", max_length=32)
    postal_code = check.text("postal_code", max_length=16)
    joined_on = check.value(partial(values.date, field="joined_on"), "joined_on")
    household = check.value(partial(values.small_count, field="household_size"), "household_size")
    children = check.value(partial(values.small_count, field="children"), "children")
    # The header check (`load`) lets at most one of the two names through.
    consent_list = check.value(partial(values.consent, field="consent_list"), "consent_list")
    if consent_list is None:
        consent_list = check.value(values.consent, "marketing_consent")
    consent_email = check.value(partial(values.consent, field="consent_email"), "consent_email")
    consent_sms = check.value(partial(values.consent, field="consent_sms"), "consent_sms")
    birth_date = check.value(values.birth_date, "birth_date")
    birthday = check.value(partial(values.consent, field="birthday_consent"), "birthday_consent")
    language = check.value(values.language, "language")
    check.done()
    return [
        card,
        first_name,
        last_name,
        email,
        phone,
        postal_code,
        joined_on,
        household,
        children,
        _flag(consent_list),
        _flag(consent_email),
        _flag(consent_sms),
        birth_date,
        _flag(birthday),
        language,
    ]


def _flag(value: bool | None) -> str | None:
    """Return a yes/no answer as COPY's boolean text; None (NULL) when not given."""
    return None if value is None else ("t" if value else "f")


def check_header(header: Header) -> None:
    """Refuse a file that names the list's consent twice: which column wins is unknowable."""
    if header.has("consent_list") and header.has("marketing_consent"):
        raise HeaderError(
            "the file has both consent_list and marketing_consent (its older name); "
            "keep one of the two columns"
        )


def load(
    *,
    cursor,
    path,
    stream,
    header: Header,
    buffer_factory,
    result: FileResult,
    actor: ImportActor | None = None,
) -> None:
    """Stage the file's rows, then update changed members and insert new ones.

    Consent history first (it compares the staged consents with the members' current
    ones), then the members; all in the file's transaction.
    """
    check_header(header)
    cursor.execute(DROP_STAGE_SQL)
    cursor.execute(STAGE_SQL)
    with cursor.copy(COPY_SQL) as copy:
        result.rows_read = stage_simple(
            buffer=buffer_factory(copy), stream=stream, header=header, width=WIDTH, convert=convert
        )
    cursor.execute("ANALYZE pos_stage")
    cursor.execute(DUPLICATES_SQL)
    who = {
        "actor_id": actor.user_id if actor else None,
        "actor_name": actor.name if actor else "",
    }
    cursor.execute(CONSENT_HISTORY_SQL, who)
    changed_consents = cursor.rowcount
    cursor.execute(CHANGED_SQL, {f"has_{c}": header.has(c) for c in OPTIONAL})
    (changed,) = cursor.fetchone()
    updated = 0
    if changed is not None:
        cursor.execute(UPDATE_SQL, [changed])
        updated = cursor.rowcount
    cursor.execute(
        INSERT_SQL,
        {
            **who,
            "default": settings.CRM_IMPORT_CONSENT_DEFAULT,
            "language": settings.LANGUAGE_CODE,
        },
    )
    inserted, without_list, given = cursor.fetchone()
    result.loaded = updated + inserted
    result.consent_changes = changed_consents + given
    result.new_without_list_consent = without_list
