"""Run every benchmark in bench/, each in a fresh database of its own, and print its figures.

Usage: `make bench` (or `DEBUG=1 .venv/bin/python bench/run_all.py [name ...]`).
The server is the one DATABASE_URL points at, else the embedded PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# Benchmarks in order, each with the database it runs in. bench_demo loads 100,000
# members x 52 weeks of demo data; the ones after it measure on that same data.
BENCHMARKS = {
    "bench_import": "crm_bench_import",
    "bench_models": "crm_bench_models",
    "bench_checkout_cpu": "crm_bench_checkout_cpu",
    "bench_demo": "crm_bench_demo",
    "bench_segments": "crm_bench_demo",
    "bench_timing": "crm_bench_demo",
    "bench_lists": "crm_bench_demo",
    "bench_reports": "crm_bench_demo",
    "bench_portal": "crm_bench_demo",
    "bench_lookup": "crm_bench_demo",
    "bench_pos_load": "crm_bench_demo",
    "bench_allocation": "crm_bench_allocation",
    "bench_rewards": "crm_bench_rewards",
    "bench_rebate": "crm_bench_rewards",  # on the year of points bench_rewards leaves
    "bench_retention": "crm_bench_retention",  # bench_rewards' chain, built in its own database
}


def server_url() -> str:
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from crm_site.embedded_pg import embedded_database_url

    return embedded_database_url(ROOT / "var")


def with_database(url: str, name: str) -> str:
    """Return the URL with another database name (keeping host, port and socket query)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def fresh_database(url: str, name: str) -> str:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(url, name)


def main(names: list[str]) -> int:
    url = server_url()
    failures = 0
    created: dict[str, str] = {}
    for name in names or BENCHMARKS:
        script = ROOT / "bench" / f"{name}.py"
        if not script.exists():
            print(f"== {name}: missing", flush=True)
            failures += 1
            continue
        database = BENCHMARKS.get(name, f"crm_{name}")
        if database not in created:
            created[database] = fresh_database(url, database)
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": created[database]}
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env)
        print(f"== {name}: exit {result.returncode} in {time.perf_counter() - started:.1f} s")
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
