"""A rebate run converts in chunks that commit one by one: it records its last day and when
it finished, so an interrupted run is resumed. Runs made before were whole: finished."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rewards", "0009_leaner_lot_uses_and_certificates")]

    operations = [
        migrations.AddField(
            model_name="rebaterun",
            name="closes_on",
            field=models.DateField(
                help_text="The year's last day (empty on runs made before it was kept).", null=True
            ),
        ),
        migrations.AddField(
            model_name="rebaterun",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(
            "UPDATE rewards_rebaterun SET finished_at = ran_at", migrations.RunSQL.noop
        ),
    ]
