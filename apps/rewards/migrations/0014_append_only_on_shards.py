"""The ledger's append-only trigger recognises the entries table on a Citus shard too.

The erasure's redaction (0012) is let through only on `rewards_pointsentry`, checked by the
trigger's table name. On Citus the trigger fires on the shard, whose name is the table's
followed by `_<shard id>` (`rewards_pointsentry_102024`), and the erasure was refused. The
check now takes either name; `rewards_lotuse` and its shards are still refused everything.
"""

from importlib import import_module

from django.db import migrations

from apps.core.sql_script import sql_statements

FORWARD = r"""
CREATE OR REPLACE FUNCTION rewards_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME ~ '^rewards_pointsentry(_[0-9]+)?$'
       AND current_setting('crm.erasure', true) = 'on'
       AND (to_jsonb(NEW) - 'reason') = (to_jsonb(OLD) - 'reason') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the points ledger is append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

# Back to 0012's function, which checked the table's own name only.
BACKWARD = import_module("apps.rewards.migrations.0012_erasure_friendly_ledger").FORWARD


class Migration(migrations.Migration):
    dependencies = [("rewards", "0013_lot_use_composite_key")]

    operations = [migrations.RunSQL(sql_statements(FORWARD), sql_statements(BACKWARD))]
