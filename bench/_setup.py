"""Common start of every benchmark: Django against a scratch database, migrated.

`make bench` (bench/run_all.py) gives each benchmark a fresh database of its own through
DATABASE_URL. Run directly, a benchmark needs DATABASE_URL pointing at a scratch database:
it writes to it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_setup() -> None:
    """Configure and set up Django for a benchmark, and migrate its database."""
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit(
            "Run benchmarks with `make bench` (each gets a fresh database), or set "
            "DATABASE_URL to a scratch PostgreSQL database."
        )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
