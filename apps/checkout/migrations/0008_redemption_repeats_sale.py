"""A redemption repeats its sale's time and store, so reports need not join the baskets.

Added empty, filled from the baskets, then made NOT NULL (as list items repeat their
member, lists 0008). On a cluster the baskets are sharded by member and redemptions stay on
the coordinator, where a join between the two is refused (docs/scale.md).
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE checkout_redemption r SET purchased_at = b.purchased_at, store_id = b.store_id
FROM baskets_basket b WHERE b.id = r.basket_id
"""


def purchased_at(null: bool) -> models.DateTimeField:
    return models.DateTimeField(null=null)


def store(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="baskets.store",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("checkout", "0007_delete_certificateuse"),
        ("baskets", "0006_owner"),
        ("cluster", "0001_reference_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="redemption", name="purchased_at", field=purchased_at(null=True)
        ),
        migrations.AddField(model_name="redemption", name="store", field=store(null=True)),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="redemption", name="purchased_at", field=purchased_at(null=False)
        ),
        migrations.AlterField(model_name="redemption", name="store", field=store(null=False)),
    ]
