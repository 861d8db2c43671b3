"""Copy the small shared tables to every node of a Citus cluster (apps/cluster/layout.py).

This runs after the latest migration of every app, pinned by name: distributing a table in
an early migration breaks later ones that alter it (docs/scale.md, "Learned", 5), and a
pinned list keeps the order the same on a new database and on one already migrated. Later
migrations run on the laid-out schema, whose changes Citus sends to every node. On plain
PostgreSQL nothing happens.
"""

from django.db import migrations

from apps.core.citus import MakeReferenceTables


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_privacy"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("agreements", "0002_settlement"),
        ("audit", "0008_triggers_read_transition_rows_first"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("baskets", "0005_line_key_leads_with_basket"),
        ("campaigns", "0009_bonus_points"),
        ("catalog", "0001_initial"),
        ("checkout", "0007_delete_certificateuse"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("jobs", "0001_initial"),
        ("lists", "0007_bonus_points"),
        ("members", "0006_consent_given_earlier"),
        ("portal", "0001_privacy_budget_and_release"),
        ("reports", "0003_rollup_rows"),
        ("rewards", "0013_lot_use_composite_key"),
        ("rights", "0002_nightly_retention_schedule"),
        ("segments", "0007_category_affinity"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        MakeReferenceTables(
            "django_content_type",
            "auth_permission",
            "auth_group",
            "auth_group_permissions",
            "catalog_manufacturer",
            "catalog_category",
            "catalog_product",
            "baskets_store",
            "accounts_user",
            "accounts_user_groups",
            "accounts_user_user_permissions",
            "agreements_manufactureragreement",
            "agreements_manufactureragreement_categories",
            "campaigns_campaign",
            "campaigns_offer",
            "rewards_earningrule",
            "rewards_earningrule_excluded_categories",
            "rewards_tier",
            "lists_listcontent",
        ),
    ]
