"""A live fit and held-back candidates: every fit so far was live in its turn (from when it
was fitted), and the latest stays live."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('segments', '0004_segment_member_lean'),
    ]

    operations = [
        migrations.AddField(
            model_name='repeatmodelfit',
            name='held_back',
            field=models.JSONField(blank=True, default=list, help_text='Why the fit was not made live when it was fitted (the checks it failed).'),
        ),
        migrations.AddField(
            model_name='repeatmodelfit',
            name='live_since',
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, help_text='When the fit last became the live one; empty if it never was.', null=True),
        ),
        migrations.RunSQL(
            "UPDATE segments_repeatmodelfit SET live_since = fitted_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
