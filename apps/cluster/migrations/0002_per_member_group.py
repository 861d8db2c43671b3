"""Shard everything per member by the member, co-located, and copy the members to every node.

One operation (apps/core/citus_group.py), after the latest migration of every app it
touches: Citus allows no foreign key between a distributed table and a local one, so the
whole group moves at once (docs/scale.md, "The per-member group"). The members become a
reference table (every till and import finds a member by card number, docs/decisions.md);
baskets and their lines are sharded by `owner_id` (the member, or a store-day key for a
basket without one). The lists repeat apps/cluster/layout.py on purpose: a migration must not
import a module that changes later, and tests/cluster holds the two equal. On plain
PostgreSQL nothing happens.
"""

from django.db import migrations

from apps.core.citus_group import DistributeGroup


class Migration(migrations.Migration):
    dependencies = [
        ("cluster", "0001_reference_tables"),
        ("baskets", "0007_owner_relation"),
        ("campaigns", "0009_bonus_points"),
        ("checkout", "0008_redemption_repeats_sale"),
        ("lists", "0009_placed_list"),
        ("members", "0006_consent_given_earlier"),
        ("reports", "0003_rollup_rows"),
        ("rewards", "0016_uses_repeat_member"),
        ("rights", "0002_nightly_retention_schedule"),
        ("segments", "0007_category_affinity"),
    ]

    operations = [
        DistributeGroup(
            reference=["members_member"],
            group={
                "baskets_basket": "owner_id",
                "baskets_basketline": "owner_id",
                "members_consentchange": "member_id",
                "lists_shoppinglist": "member_id",
                "lists_listitem": "member_id",
                "segments_segmentmember": "member_id",
                "segments_memberscore": "member_id",
                "segments_buyprobability": "member_id",
                "campaigns_campaignaudience": "member_id",
                "campaigns_eligiblemember": "member_id",
                "campaigns_candidate": "member_id",
                "campaigns_allocation": "member_id",
                "rewards_pointsbalance": "member_id",
                "rewards_pointsentry": "member_id",
                "rewards_lotuse": "member_id",
                "rewards_membertier": "member_id",
                "rewards_tierchange": "member_id",
                "rewards_rebatecertificate": "member_id",
                "rewards_certificateuse": "member_id",
                "reports_homestore": "member_id",
                "rights_erasure": "member_id",
            },
        ),
    ]
