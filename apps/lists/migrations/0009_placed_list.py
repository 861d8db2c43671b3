"""A list item's list joined on the member too: a ForeignObject, no column or constraint."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lists', '0008_listitem_member'),
    ]

    operations = [
        migrations.AddField(
            model_name='listitem',
            name='placed_list',
            field=models.ForeignObject(from_fields=['member', 'shopping_list'], null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='lists.shoppinglist', to_fields=['member', 'id']),
        ),
    ]
