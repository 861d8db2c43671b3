"""Basket lines: the primary key becomes (basket_id, id) and replaces the basket index.

Django keeps seeing `id` as the primary key (the sequence keeps it unique); the database
key leads with the basket, so the one index serves "a basket's lines" and uniqueness, and
every line written (imports, retention's detach) updates one index fewer. The pattern is
the Citus migration guide's (a database key wider than the one Django sees).
"""

import django.db.models.deletion
from django.db import migrations, models

KEY_ON_BASKET = """
ALTER TABLE baskets_basketline DROP CONSTRAINT baskets_basketline_pkey;
ALTER TABLE baskets_basketline ADD CONSTRAINT baskets_basketline_pkey PRIMARY KEY (basket_id, id);
"""
KEY_ON_ID = """
ALTER TABLE baskets_basketline DROP CONSTRAINT baskets_basketline_pkey;
ALTER TABLE baskets_basketline ADD CONSTRAINT baskets_basketline_pkey PRIMARY KEY (id);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("baskets", "0004_member_history_partial"),
    ]

    operations = [
        migrations.RunSQL(KEY_ON_BASKET, KEY_ON_ID),
        migrations.AlterField(
            model_name="basketline",
            name="basket",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="baskets.basket",
            ),
        ),
    ]
