"""Import and all-category snapshots on plain PostgreSQL and on a local Citus cluster.

The same generated files (bench_import's, seeded) are imported into three fresh databases:
the machine's PostgreSQL, a Citus coordinator with two workers, and one with a single
worker (the kit's cluster with its second worker removed before anything is laid out).
Each then computes every category's snapshot over the whole window in one call.

All three run on this one machine, so the figures show what the cluster's layout costs
or saves on the same cores, never a speed-up from more machines (docs/scale.md). The
cluster holds the full layout: reference tables and the members, every per-member table
sharded by member (Citus' default 32 shards).

    .venv/bin/python bench/bench_citus.py [--lines N]     (default 300,000 basket lines)

Needs the Citus kit (CITUS_KIT, default ../shared/citus) and builds Citus if it is not
installed. Each database is made in a child process (`--child`), which prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_citus_plain"
# Ports apart from the test clusters (tests/citus/run.sh: 9710 by default).
CLUSTERS = {"Citus, 2 workers": 9760, "Citus, 1 worker": 9770}


def child(directory: Path) -> None:
    """Migrate, import the files, snapshot every category; print the figures as JSON."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _setup import bench_setup

    started = time.perf_counter()
    bench_setup()
    migrate = time.perf_counter() - started

    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from apps.baskets.importing import pos_import_dir
    from apps.catalog.models import Category
    from apps.segments.models import SegmentMember
    from apps.segments.services import snapshots_compute

    figures = {"migrate": migrate}
    for label in ("first import", "re-import"):
        started = time.perf_counter()
        result = pos_import_dir(directory=directory)
        figures[label] = time.perf_counter() - started
        if any(f.rejected for f in result.files):
            raise SystemExit(f"{label}: rows were rejected")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*), max(purchased_at) FROM baskets_basketline")
        lines, last = cursor.fetchone()
    end = timezone.localtime(last).date() + dt.timedelta(days=1)
    categories = list(Category.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    snapshots_compute(
        category_ids=categories, window_start=end - dt.timedelta(weeks=52), window_end=end
    )
    figures["all-category snapshots"] = time.perf_counter() - started
    figures["lines"] = lines
    figures["buyer rows"] = SegmentMember.objects.count()
    figures["categories"] = len(categories)
    print(json.dumps(figures))


def run_child(url: str, directory: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(directory)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{url}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def psql(port: int, database: str, sql: str) -> None:
    subprocess.run(
        ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
         "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    kit = Path(os.environ.get("CITUS_KIT", ROOT.parent / "shared" / "citus")).resolve()
    if not (kit / "cluster.sh").is_file():
        raise SystemExit(f"The Citus kit is not at {kit}: set CITUS_KIT.")
    subprocess.run(["bash", str(kit / "build.sh")], check=True, capture_output=True)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_import import generate

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp) / "files"
        files.mkdir()
        counts = generate(directory=files, lines=args.lines)
        print(
            f"{counts['lines']:,} basket lines in {counts['baskets']:,} baskets, "
            f"{counts['products']:,} products, {counts['members']:,} members"
        )
        psql(5432, "postgres", "DROP DATABASE IF EXISTS crm_bench_citus_plain")
        psql(5432, "postgres", "CREATE DATABASE crm_bench_citus_plain")
        results["PostgreSQL"] = run_child(PLAIN_URL, files)
        for label, port in CLUSTERS.items():
            # Not under the temporary directory: the servers run as postgres, which may
            # not enter it. Wiped first, like tests/citus/run.sh does.
            data = Path(f"/tmp/crm-bench-citus-{port}")
            subprocess.run(["bash", str(kit / "cluster.sh"), "stop", str(data)],
                           check=False, capture_output=True)  # fmt: skip
            subprocess.run(["rm", "-rf", str(data)], check=True)
            env = {**os.environ, "CITUS_DB": "crm_bench"}
            subprocess.run(["bash", str(kit / "cluster.sh"), "start", str(data), str(port)],
                           env=env, check=True, capture_output=True)  # fmt: skip
            try:
                if "1 worker" in label:
                    psql(port, "crm_bench", f"SELECT citus_remove_node('127.0.0.1', {port + 2})")
                url = f"postgres://postgres@127.0.0.1:{port}/crm_bench"
                results[label] = run_child(url, files)
            finally:
                subprocess.run(["bash", str(kit / "cluster.sh"), "stop", str(data)],
                               check=False, capture_output=True)  # fmt: skip
        psql(5432, "postgres", "DROP DATABASE IF EXISTS crm_bench_citus_plain")

    base = results["PostgreSQL"]
    print(f"{base['categories']} categories, {base['buyer rows']:,} buyer rows in the snapshots")
    print(f"{'seconds':<24}" + "".join(f"{label:>20}" for label in results))
    for measure in ("migrate", "first import", "re-import", "all-category snapshots"):
        row = "".join(f"{r[measure]:>20.2f}" for r in results.values())
        print(f"{measure:<24}{row}")
    for label, r in results.items():  # the same data everywhere, or the figures mean nothing
        if (r["lines"], r["buyer rows"]) != (base["lines"], base["buyer rows"]):
            raise SystemExit(f"{label}: different rows ({r['lines']}, {r['buyer rows']})")


if __name__ == "__main__":
    main()
