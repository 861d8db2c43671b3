"""The audit trail refuses TRUNCATE too.

The append-only trigger (0002) is a row trigger on UPDATE and DELETE; TRUNCATE fires no row
triggers, so `TRUNCATE audit_auditevent` emptied the trail. A statement-level BEFORE TRUNCATE
trigger refuses it, whoever asks and whatever else the statement truncates (CASCADE
included). The test suite empties every table with TRUNCATE after a transactional test: it
does so with session_replication_role = replica (tests/conftest.py), a setting only a
superuser may change, under which PostgreSQL fires no ordinary trigger.
"""

from django.db import migrations

from apps.core.sql_script import sql_statements

FORWARD = r"""
CREATE FUNCTION audit_event_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_no_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_kind_model_fit_live")]

    operations = [migrations.RunSQL(sql_statements(FORWARD), sql_statements(BACKWARD))]
