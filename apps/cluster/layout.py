"""Where each table lives on a Citus cluster (docs/scale.md, "The plan").

- REFERENCE: small tables every node joins with, copied to every node (laid out now).
- PER_MEMBER: the tables that grow with the members, to be sharded by the member and
  co-located. They stay on the coordinator until their keys include the member
  (docs/scale.md, "Next"), which is where they are today.
- COORDINATOR: tables only the web and worker processes read and write, never joined with
  per-member rows on a worker: sessions, sign-in records, jobs, the audit trail, histories,
  schedules, fits and report aggregates. They stay on the coordinator by design.

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

PER_MEMBER = (
    "members_member",
    "members_consentchange",
    "baskets_basket",
    "baskets_basketline",
    "checkout_postransaction",
    "checkout_redemption",
    "lists_shoppinglist",
    "lists_listitem",
    "segments_segmentmember",
    "segments_memberscore",
    "segments_buyprobability",
    "campaigns_campaignaudience",
    "campaigns_eligiblemember",
    "campaigns_candidate",
    "campaigns_allocation",
    "rewards_pointsbalance",
    "rewards_pointsentry",
    "rewards_lotuse",
    "rewards_membertier",
    "rewards_tierchange",
    "rewards_rebatecertificate",
    "rewards_certificateuse",
    "reports_homestore",
    "rights_erasure",
)

COORDINATOR = (
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
