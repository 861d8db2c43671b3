"""A points entry's key is unique per member, no longer across the whole ledger.

A key names one event of one member (`earn:<basket>`, `bonus:<redemption>`,
`rebate:<year>:<member>`), so the two are the same rule for every writer; and a cluster
sharded by member can enforce a unique key only with the member in it (docs/scale.md).
The new key is built before the old one goes, so no moment is without one.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rewards", "0014_append_only_on_shards")]

    operations = [
        migrations.AddConstraint(
            model_name="pointsentry",
            constraint=models.UniqueConstraint(
                fields=("member", "key"), name="points_entry_member_key"
            ),
        ),
        migrations.RemoveConstraint(model_name="pointsentry", name="points_entry_key_unique"),
    ]
