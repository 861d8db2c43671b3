"""A basket's owner as a relation to its member: no column, no constraint (ForeignObject)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("baskets", "0006_owner"),
        ("members", "0006_consent_given_earlier"),
    ]

    operations = [
        migrations.AddField(
            model_name="basket",
            name="owner",
            field=models.ForeignObject(
                from_fields=["owner_id"],
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="owned_baskets",
                to="members.member",
                to_fields=["id"],
            ),
        ),
    ]
