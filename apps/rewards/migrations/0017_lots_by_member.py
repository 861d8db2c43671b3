"""A member's lots by last day (points > 0): the cashier's "expiring soon", the lots a spend
takes and the lapsed-lot check of every movement read the member's lots in their window
through it, instead of every entry the member ever had (docs/performance.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rewards", "0016_uses_repeat_member")]

    operations = [
        migrations.AddIndex(
            model_name="pointsentry",
            index=models.Index(
                condition=models.Q(("points__gt", 0)),
                fields=["member", "valid_until"],
                name="points_member_lot",
            ),
        ),
    ]
