"""A list's items repeat its member, so that a cluster keeps them beside the list.

Added empty, filled from the lists, then made NOT NULL (apps/core/placement.py).
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE lists_listitem i SET member_id = l.member_id
FROM lists_shoppinglist l WHERE l.id = i.shopping_list_id
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
        ("lists", "0007_bonus_points"),
        ("members", "0006_consent_given_earlier"),
    ]

    operations = [
        migrations.AddField(model_name="listitem", name="member", field=member(null=True)),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(model_name="listitem", name="member", field=member(null=False)),
    ]
