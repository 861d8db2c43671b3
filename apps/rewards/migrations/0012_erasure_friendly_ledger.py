"""The ledger names no member by card, and an erasure may redact what staff typed.

- Opening-balance lots were keyed `import:<card>:<day>`; they are keyed by the member's id
  now (apps.rewards.opening), and the keys already written are rewritten so (the
  append-only trigger is set aside for that one statement, inside this migration).
- The append-only trigger (0002) lets one kind of UPDATE of an entry through: with
  `crm.erasure` set on for the transaction (apps.rights.erasure), only the `reason`
  changing (staff adjustments' free text). Lot uses, amounts, keys and times never change.
"""

from django.db import migrations

from apps.core.sql_script import sql_statements

REKEY = r"""
ALTER TABLE rewards_pointsentry DISABLE TRIGGER rewards_entry_append_only;
UPDATE rewards_pointsentry e
SET key = 'import:' || e.member_id || ':' || substr(e.key, length('import:' || m.card_number) + 2)
FROM members_member m
WHERE e.kind = 'import' AND m.id = e.member_id
  AND e.key LIKE 'import:' || m.card_number || ':%';
ALTER TABLE rewards_pointsentry ENABLE TRIGGER rewards_entry_append_only;
"""

FORWARD = r"""
CREATE OR REPLACE FUNCTION rewards_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'rewards_pointsentry'
       AND current_setting('crm.erasure', true) = 'on'
       AND (to_jsonb(NEW) - 'reason') = (to_jsonb(OLD) - 'reason') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the points ledger is append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

BACKWARD = r"""
CREATE OR REPLACE FUNCTION rewards_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the points ledger is append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("rewards", "0011_leaner_entry_indexes")]

    operations = [
        migrations.RunSQL(REKEY, migrations.RunSQL.noop),
        migrations.RunSQL(sql_statements(FORWARD), sql_statements(BACKWARD)),
    ]
