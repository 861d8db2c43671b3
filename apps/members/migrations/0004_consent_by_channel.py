"""One consent flag becomes a consent per channel (the list's keeps its values); opt-in."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0003_member_birth_date")]

    operations = [
        migrations.RenameField("member", "marketing_consent", "consent_list"),
        migrations.AlterField(
            model_name="member",
            name="consent_list",
            field=models.BooleanField(
                db_default=False, help_text="Printed or mailed shopping list and its offers."
            ),
        ),
        migrations.AddField(
            model_name="member", name="consent_email", field=models.BooleanField(db_default=False)
        ),
        migrations.AddField(
            model_name="member", name="consent_sms", field=models.BooleanField(db_default=False)
        ),
        migrations.AlterField(
            model_name="member",
            name="status",
            field=models.CharField(
                choices=[("active", "Active"), ("closed", "Closed"), ("erased", "Erased")],
                default="active",
                max_length=8,
            ),
        ),
    ]
