"""The audit trail lets an erasure redact what it holds of an erased member, and only that.

The trail stays append-only (0002): no DELETE, no TRUNCATE (0004), no UPDATE, except the
export's row count filled in once, and now an erasure's redaction (apps.rights.erasure):
an UPDATE is let through when the transaction has set `crm.erasure` to 'on' (set_config(…,
true), reset when the transaction ends) and only the path, query, object id and detail
change; kind, time, actor, address, object type and row count never do. The setting guards
against mistakes, not against a database user who could drop the trigger anyway.
"""

from django.db import migrations

from apps.core.sql_script import sql_statements

FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.kind = 'export' AND OLD.row_count IS NULL
       AND (to_jsonb(NEW) - 'row_count') = (to_jsonb(OLD) - 'row_count') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('crm.erasure', true) = 'on'
       AND (to_jsonb(NEW) - ARRAY['path', 'query', 'object_id', 'detail'])
           = (to_jsonb(OLD) - ARRAY['path', 'query', 'object_id', 'detail']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

BACKWARD = r"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.kind = 'export' AND OLD.row_count IS NULL
       AND (to_jsonb(NEW) - 'row_count') = (to_jsonb(OLD) - 'row_count') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_kind_privacy")]

    operations = [migrations.RunSQL(sql_statements(FORWARD), sql_statements(BACKWARD))]
