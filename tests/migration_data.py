"""Put back the rows data migrations write (list content, beat schedules, the earning rule).

A transactional test ends by emptying every table, and the tests after it would otherwise
run without those rows. Django's serialized rollback would do this too, but it restores
content types by id and clashes with ones recreated meanwhile; the seed functions are
idempotent (get_or_create), so calling them again is safe.
"""

from __future__ import annotations

import importlib

from django.apps import apps

SEEDS = [
    ("apps.lists.migrations.0002_seed_content", "seed"),
    ("apps.lists.migrations.0005_seasonal_tips_and_shopper_text", "seed"),
    ("apps.lists.migrations.0003_biweekly_schedule", "create_schedule"),
    ("apps.segments.migrations.0002_nightly_schedule", "create_schedule"),
    ("apps.reports.migrations.0002_nightly_schedule", "create_schedule"),
    ("apps.rewards.migrations.0002_append_only_and_default_rule", "default_rule"),
    ("apps.rewards.migrations.0003_nightly_expiry_schedule", "create_schedule"),
    ("apps.rewards.migrations.0005_tiers_and_schedules", "seed"),
    ("apps.rights.migrations.0002_nightly_retention_schedule", "create_schedule"),
]


def restore_migration_data() -> None:
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)
