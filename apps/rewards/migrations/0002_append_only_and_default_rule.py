"""The ledger is append-only (enforced by the database), and the programme starts with a
rule of 1 point per dollar on everything, so a chain earns points from day one."""

import datetime as dt

from django.db import migrations

from apps.core.sql_script import sql_statements

FORWARD = r"""
CREATE FUNCTION rewards_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the points ledger is append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER rewards_entry_append_only BEFORE UPDATE OR DELETE ON rewards_pointsentry
    FOR EACH ROW EXECUTE FUNCTION rewards_append_only();
CREATE TRIGGER rewards_lot_use_append_only BEFORE UPDATE OR DELETE ON rewards_lotuse
    FOR EACH ROW EXECUTE FUNCTION rewards_append_only();
CREATE TRIGGER rewards_entry_no_truncate BEFORE TRUNCATE ON rewards_pointsentry
    FOR EACH STATEMENT EXECUTE FUNCTION rewards_append_only();
CREATE TRIGGER rewards_lot_use_no_truncate BEFORE TRUNCATE ON rewards_lotuse
    FOR EACH STATEMENT EXECUTE FUNCTION rewards_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS rewards_lot_use_no_truncate ON rewards_lotuse;
DROP TRIGGER IF EXISTS rewards_entry_no_truncate ON rewards_pointsentry;
DROP TRIGGER IF EXISTS rewards_lot_use_append_only ON rewards_lotuse;
DROP TRIGGER IF EXISTS rewards_entry_append_only ON rewards_pointsentry;
DROP FUNCTION IF EXISTS rewards_append_only();
"""


def default_rule(apps, schema_editor):
    EarningRule = apps.get_model("rewards", "EarningRule")
    if not EarningRule.objects.exists():
        EarningRule.objects.create(points_per_dollar=1, starts_on=dt.date(2000, 1, 1))


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]

    operations = [
        migrations.RunSQL(sql_statements(FORWARD), sql_statements(BACKWARD)),
        migrations.RunPython(default_rule, migrations.RunPython.noop),
    ]
