"""Benchmark the demo generator: file generation alone, then the import of those files.

    DEBUG=1 .venv/bin/python bench/bench_demo.py [--members N --weeks W --seed S]
        [--no-import] [--keep DIR]

The import phase loads into the database DATABASE_URL points at (migrated first); give
it an empty one for a first-load figure (`make bench` does). Prints members, baskets,
lines, seconds and lines per second for each phase, and the generator's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-import", action="store_true", help="Time file generation only.")
    parser.add_argument("--keep", metavar="DIR", help="Write the files to DIR and keep them.")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR / "bench"))
    from _setup import bench_setup

    bench_setup()
    from apps.demo.generator import generate_demo_files

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        directory = Path(args.keep or tmp)
        t0 = time.perf_counter()
        s = generate_demo_files(
            directory=directory, members=args.members, weeks=args.weeks, seed=args.seed
        )
        gen = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size_mb = sum(f.stat().st_size for f in directory.glob("*.csv")) / 1e6
        print(
            f"generate: {s.members:,} members × {args.weeks} weeks → {s.baskets:,} baskets "
            f"({s.anonymous_baskets / max(s.baskets, 1):.1%} anonymous), {s.lines:,} lines, "
            f"{size_mb:,.0f} MB of CSV in {gen:.1f} s ({s.lines / gen:,.0f} lines/s); "
            f"peak RSS {peak_mb:,.0f} MB"
        )
        print("  phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in s.timings.items()))
        if args.no_import:
            return
        from apps.baskets.importing import pos_import_dir

        t1 = time.perf_counter()
        result = pos_import_dir(directory=directory, progress=False)
        imp = time.perf_counter() - t1
        for f in result.files:
            print(
                f"  {f.file_name}: {f.rows_read:,} read, {f.loaded:,} loaded, "
                f"{f.unchanged_or_already_loaded:,} unchanged, {f.rejected:,} rejected "
                f"in {f.seconds:.1f} s"
            )
        print(f"import: {s.lines:,} lines in {imp:.1f} s ({s.lines / imp:,.0f} lines/s)")
        print(f"total: {gen + imp:.1f} s")


if __name__ == "__main__":
    main()
