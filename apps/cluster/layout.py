"""Where each table lives on a Citus cluster (docs/scale.md, "The plan").

- REFERENCE: small tables every node joins with, copied to every node (cluster 0001).
- MEMBERS: the members, a reference table too, made one with the group (cluster 0002).
- DISTRIBUTED: the tables that grow with the members, sharded by the member and co-located
  (cluster 0002), each with its distribution column.
- COORDINATOR: tables only the web and worker processes read and write, never joined with
  per-member rows on a worker: the till's transactions and redemptions, sessions, sign-in
  records, jobs, the audit trail, histories, schedules, fits and report aggregates.

Citus manages a coordinator table tied to a reference table by a foreign key (it must, to
check the key), which changes nothing for Django. The migrations of this app lay the tables
out; tests/cluster holds every table of every model to exactly one list, and on Citus the
cluster to this file.
"""

from __future__ import annotations

# In the order they are made reference tables: a table after every table it refers to.
REFERENCE = (
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
)

# The members: a reference table too (every till scan, import row and erasure finds a member
# by card number, never knowing the member first: docs/decisions.md), made one with the
# group below, since the group's foreign keys to them must move in the same step.
MEMBERS = ("members_member",)

# Everything that grows with the members, sharded by the member and co-located: table →
# distribution column (baskets and their lines by `owner_id`, apps/baskets/owners.py).
DISTRIBUTED = {
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
}

COORDINATOR = (
    # The till's transactions and redemptions: their unique keys (a transaction per store
    # and id; a list item's slot) hold exactly-once checkout across every member, and their
    # audit triggers write the coordinator's trail (docs/scale.md).
    "checkout_postransaction",
    "checkout_redemption",
    "django_session",
    "django_admin_log",
    "django_celery_beat_clockedschedule",
    "django_celery_beat_crontabschedule",
    "django_celery_beat_intervalschedule",
    "django_celery_beat_periodictask",
    "django_celery_beat_periodictasks",
    "django_celery_beat_solarschedule",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
    "audit_auditevent",
    "jobs_job",
    "baskets_importreject",
    "checkout_tilltoken",
    "checkout_agreementtotal",
    "checkout_campaigntotal",
    "agreements_settlementstatement",
    "agreements_settlementline",
    "agreements_statementevent",
    "campaigns_historicalcampaign",
    "campaigns_historicaloffer",
    "campaigns_offermodel",
    "rewards_historicalearningrule",
    "rewards_historicalearningrule_excluded_categories",
    "rewards_historicaltier",
    "rewards_expiryrun",
    "rewards_rebaterun",
    "segments_segmentsnapshot",
    "segments_purchasetimingfit",
    "segments_repeatmodelfit",
    "segments_categoryaffinity",
    "portal_privacybudget",
    "portal_release",
    "reports_reportsnapshot",
    "reports_cellaggregate",
    "reports_campaigncellaggregate",
    "reports_celltransition",
    "reports_liftaggregate",
    "reports_memberbase",
    "reports_paretopoint",
    "reports_redemptionmonth",
    "reports_valueaggregate",
    "reports_valuehistogram",
    "reports_listreach",
)
