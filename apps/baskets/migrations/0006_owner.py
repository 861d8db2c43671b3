"""Baskets and lines get `owner_id`, the key a Citus cluster distributes them by.

Added empty, filled from the rows (the member, or the store-day key of a basket without one:
apps/baskets/owners.py, whose SQL is repeated here because a migration must not import a
rule that may change later), then made NOT NULL and held by check constraints. On a new
database the fills touch no rows.
"""

from django.db import migrations, models

OWNER = (
    "coalesce(member_id, -(store_id * 100000 + "
    "((purchased_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01')))"
)

FILL = f"""
UPDATE baskets_basket SET owner_id = {OWNER};
UPDATE baskets_basketline l SET owner_id = b.owner_id
FROM baskets_basket b WHERE b.id = l.basket_id;
"""

BASKET_RULE = f"""
ALTER TABLE baskets_basket ADD CONSTRAINT basket_owner_rule CHECK (owner_id = {OWNER})
"""


class Migration(migrations.Migration):
    dependencies = [("baskets", "0005_line_key_leads_with_basket")]

    operations = [
        migrations.AddField(
            model_name="basket",
            name="owner_id",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="basketline",
            name="owner_id",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="basket",
            name="owner_id",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="basketline",
            name="owner_id",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.RunSQL(
            BASKET_RULE,
            reverse_sql="ALTER TABLE baskets_basket DROP CONSTRAINT basket_owner_rule",
        ),
        migrations.AddConstraint(
            model_name="basketline",
            constraint=models.CheckConstraint(
                condition=models.Q(member__isnull=False, owner_id=models.F("member_id"))
                | models.Q(member__isnull=True, owner_id__lt=0),
                name="line_owner_rule",
            ),
        ),
    ]
