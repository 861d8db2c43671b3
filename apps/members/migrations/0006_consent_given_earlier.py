"""Consents given before history was kept get one history row each, dated as found."""

from django.db import migrations

SQL = """
INSERT INTO members_consentchange (member_id, channel, given, at, source, actor_name, note)
SELECT id, 'list', true, updated_at, 'earlier', '', ''
FROM members_member
WHERE consent_list
"""


class Migration(migrations.Migration):
    dependencies = [("members", "0005_consentchange")]

    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
