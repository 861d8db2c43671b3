"""Lot uses and certificate uses repeat their member, so that a cluster keeps them beside
the entries and certificates they belong to.

Added empty, filled from their parents, then made NOT NULL (apps/core/placement.py). Lot
uses are append-only: their trigger is off for the fill only, in this transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
ALTER TABLE rewards_lotuse DISABLE TRIGGER rewards_lot_use_append_only;
UPDATE rewards_lotuse u SET member_id = e.member_id
FROM rewards_pointsentry e WHERE e.id = u.consumer_id;
ALTER TABLE rewards_lotuse ENABLE TRIGGER rewards_lot_use_append_only;
UPDATE rewards_certificateuse u SET member_id = c.member_id
FROM rewards_rebatecertificate c WHERE c.id = u.certificate_id;
"""


def member(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        db_constraint=False,
        db_index=False,
        null=null,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to="members.member",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0015_entry_key_per_member"),
        ("members", "0006_consent_given_earlier"),
    ]

    operations = [
        migrations.AddField(model_name="lotuse", name="member", field=member(null=True)),
        migrations.AddField(model_name="certificateuse", name="member", field=member(null=True)),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(model_name="lotuse", name="member", field=member(null=False)),
        migrations.AlterField(
            model_name="certificateuse", name="member", field=member(null=False)
        ),
    ]
