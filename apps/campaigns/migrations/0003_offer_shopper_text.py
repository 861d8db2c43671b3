"""Offers get the text shoppers read; existing ones get one built from the offer itself.

Until now the list showed the campaign's internal name. The default reads like
"$1.00 off Field Hound Dog Chews" or "15% off our own brand Ketchup when you buy 2", so
no list printed after this migration shows a campaign name. History rows get the same
text, so the next change of an offer does not show a spurious "'' → …" line.
"""

from django.db import migrations, models

# Searched CASEs, not `CASE x WHEN …`: Citus mis-deparses a simple CASE nested in one.
FILL = """
UPDATE {table} o SET shopper_text = left(
    CASE WHEN o.discount_kind = 'amount' THEN '$' || o.discount_value::text
         ELSE trim_scale(o.discount_value)::text || '%' END
    || ' off '
    || CASE
           WHEN o.applies_to = 'brand_type' THEN
               CASE WHEN o.brand_type = 'store' THEN 'our own brand ' ELSE 'national-brand ' END
               || cat.name
           WHEN o.applies_to = 'brand' THEN o.brand || ' ' || cat.name
           ELSE coalesce(
               (SELECT p.name FROM catalog_product p
                WHERE cardinality(o.upcs) = 1 AND p.upc = o.upcs[1]),
               cat.name) END
    || CASE WHEN o.min_quantity > 1 THEN ' when you buy ' || o.min_quantity ELSE '' END,
    80)
FROM campaigns_campaign c
JOIN catalog_category cat ON cat.id = c.category_id
WHERE c.id = o.campaign_id AND o.shopper_text = ''
"""


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_goal_convert_either_way'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaloffer',
            name='shopper_text',
            field=models.CharField(default='', help_text='What the shopper reads on the list, e.g. “$1.00 off Field Hound Dog Chews”.', max_length=80, verbose_name='text for shoppers'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='offer',
            name='shopper_text',
            field=models.CharField(default='', help_text='What the shopper reads on the list, e.g. “$1.00 off Field Hound Dog Chews”.', max_length=80, verbose_name='text for shoppers'),
            preserve_default=False,
        ),
        migrations.RunSQL(
            [FILL.format(table="campaigns_offer"), FILL.format(table="campaigns_historicaloffer")],
            migrations.RunSQL.noop,
        ),
    ]
