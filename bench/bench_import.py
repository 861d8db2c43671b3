"""Benchmark `pos_import_dir` on a synthetic grocery data set.

Generate (vectorized NumPy, seeded) products, members and ~1.5 million basket lines as
CSV files in a temporary directory, import them into a fresh database, then import
them again, and print rows, seconds and lines per second for both runs.

Beside them, in the same run and on the same server, the floor (issue 22): the same
baskets.csv copied raw into an unlogged table of text columns with no index or constraint
(`COPY … FROM STDIN` through psycopg, best of three), which is what moving the file's bytes
into PostgreSQL costs before any parsing, validation or index. (A server-side COPY of a
file the server can read skips the client and is faster still, ~0.7 s for 1.5 M lines.)
Each import prints baskets.csv's own time (products and members load first) as a ratio to
that floor, beside the goal (first load ≤ 5×, re-import ≤ 2×).

After both imports, a second floor, the schema floor: what the server alone costs to write
the same rows, already parsed and typed, into a table shaped exactly like basketline
(`LIKE baskets_basketline INCLUDING ALL`: its check constraints, primary key, identity and
indexes; logged), in one transaction, its secondary indexes dropped and rebuilt around the
write as the bulk path does (`bulk_indexes`). The rows are the ones the first import wrote,
copied before timing into an unlogged typed table, then moved by `INSERT … SELECT`: no
client, no protocol, no text or binary parsing, no validation, only heap, WAL, constraints
and indexes. Best of two. The first load is printed as a multiple of both floors: what is
above the schema floor is the import's own work.

    DEBUG=1 .venv/bin/python bench/bench_import.py [--lines N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_setup  # noqa: E402

DEPARTMENTS = [
    "Grocery",
    "Dairy",
    "Produce",
    "Meat",
    "Bakery",
    "Frozen",
    "Beverages",
    "Snacks",
    "Household",
    "Health & Beauty",
    "Deli",
    "Baby",
    "Pet",
    "Seafood",
    "Breakfast",
]


def _join_columns(columns: list[list[str]], header: list[str]) -> str:
    """Return CSV text for equal-length string columns (no field needs quoting)."""
    lines = [",".join(header)]
    lines.extend(map(",".join, zip(*columns, strict=True)))
    return "\n".join(lines) + "\n"


def _money(cents: np.ndarray) -> list[str]:
    """Format integer cents as '12.34' strings."""
    cents = cents.astype(np.int64)
    sign = np.where(cents < 0, "-", "")
    whole = (np.abs(cents) // 100).astype(str)
    frac = np.char.zfill((np.abs(cents) % 100).astype(str), 2)
    return np.char.add(np.char.add(np.char.add(sign, whole), "."), frac).tolist()


def generate(
    *,
    directory: Path,
    lines: int,
    products: int = 20_000,
    members: int = 100_000,
    stores: int = 40,
    seed: int = 42,
) -> dict[str, int]:
    """Write products.csv, members.csv and baskets.csv to the directory."""
    rng = np.random.default_rng(seed)

    # Products: categories spread over departments, a few hundred manufacturers.
    n_categories = 300
    cat_dept = rng.integers(0, len(DEPARTMENTS), n_categories)
    prod_cat = rng.integers(0, n_categories, products)
    store_brand = rng.random(products) < 0.25
    prod_mfr = np.where(store_brand, 0, rng.integers(1, 400, products))
    price_cents = np.round(rng.lognormal(np.log(350), 0.7, products)).astype(np.int64) + 19
    upcs = np.char.zfill((10_000_000_000 + np.arange(products) * 7).astype(str), 12)
    ids = np.arange(products).astype(str)
    product_cols = [
        upcs.tolist(),
        np.char.add("Product ", ids).tolist(),
        np.array(DEPARTMENTS)[cat_dept[prod_cat]].tolist(),
        np.char.add("Category ", prod_cat.astype(str)).tolist(),
        np.where(
            store_brand, "Our Own", np.char.add("Brand ", (prod_mfr * 3).astype(str))
        ).tolist(),
        np.where(store_brand, "store", "national").tolist(),
        np.char.add("M", np.char.zfill(prod_mfr.astype(str), 4)).tolist(),
        _money(price_cents),
    ]
    header = ["upc", "name", "department", "category", "brand", "brand_type"]
    header += ["manufacturer", "price"]
    (directory / "products.csv").write_text(_join_columns(product_cols, header))

    # Members: card numbers 4000xxxxxxxx; some basket cards are not in this file.
    cards = np.char.add("4000", np.char.zfill(np.arange(members).astype(str), 8))
    joined = np.datetime64("2018-01-01") + rng.integers(0, 3000, members).astype("timedelta64[D]")
    household = rng.integers(1, 7, members)
    children = np.minimum(household - 1, rng.integers(0, 4, members))
    member_cols = [
        cards.tolist(),
        np.char.add("First", np.arange(members).astype(str)).tolist(),
        np.char.add("Last", (np.arange(members) % 5000).astype(str)).tolist(),
        np.char.add(np.char.add("m", np.arange(members).astype(str)), "@example.com").tolist(),
        np.char.add(
            "555-", np.char.zfill((np.arange(members) % 10_000_000).astype(str), 7)
        ).tolist(),
        np.char.zfill(rng.integers(50000, 52000, members).astype(str), 5).tolist(),
        np.datetime_as_string(joined, unit="D").tolist(),
        household.astype(str).tolist(),
        children.astype(str).tolist(),
        np.where(rng.random(members) < 0.9, "yes", "no").tolist(),
    ]
    header = ["card_number", "first_name", "last_name", "email", "phone", "postal_code"]
    header += ["joined_on", "household_size", "children", "marketing_consent"]
    (directory / "members.csv").write_text(_join_columns(member_cols, header))

    # Baskets: sizes ~ 1 + geometric (mean ~10 lines); 20 % anonymous; 5 % new cards.
    sizes = 1 + rng.geometric(1 / 10, size=lines // 5)
    sizes = sizes[np.cumsum(sizes) <= lines]
    if sizes.sum() < lines:
        sizes = np.append(sizes, lines - sizes.sum())
    n_baskets = len(sizes)
    basket_of_line = np.repeat(np.arange(n_baskets), sizes)
    member_idx = rng.integers(0, int(members * 1.05), n_baskets)
    anonymous = rng.random(n_baskets) < 0.2
    basket_card = np.where(
        anonymous, "", np.char.add("4000", np.char.zfill(member_idx.astype(str), 8))
    )
    basket_store = np.char.add(
        "S", np.char.zfill(rng.integers(1, stores + 1, n_baskets).astype(str), 3)
    )
    # Naive store-local times over 90 days, 07:00-22:00, in time order.
    day = np.sort(rng.integers(0, 90, n_baskets))
    seconds = day * 86400 + 7 * 3600 + rng.integers(0, 15 * 3600, n_baskets)
    basket_time = np.datetime64("2026-01-05T00:00:00") + seconds.astype("timedelta64[s]")
    # Popular products are bought more often (Zipf-like).
    product = np.minimum(rng.zipf(1.3, lines) - 1, products - 1)
    product = (product * 7919) % products
    weighed = rng.random(lines) < 0.08
    qty_milli = np.where(
        weighed, rng.integers(100, 2500, lines), 1000 * rng.choice([1, 1, 1, 1, 2, 3], lines)
    )
    gross = np.round(price_cents[product] * qty_milli / 1000).astype(np.int64)
    discounted = rng.random(lines) < 0.12
    discount = np.where(discounted, np.round(gross * rng.uniform(0.1, 0.5, lines)), 0).astype(
        np.int64
    )
    qty_text = np.where(
        weighed,
        np.char.add("0.", np.char.zfill((qty_milli % 1000).astype(str), 3)),
        (qty_milli // 1000).astype(str),
    )
    qty_text = np.where(
        weighed & (qty_milli >= 1000),
        np.char.add(
            np.char.add((qty_milli // 1000).astype(str), "."),
            np.char.zfill((qty_milli % 1000).astype(str), 3),
        ),
        qty_text,
    )
    # Shuffle the rows within the file a little: a basket's rows need not be adjacent.
    order = np.arange(lines)
    swap = rng.integers(0, lines, lines // 50)
    order[swap] = order[swap[::-1]]
    basket_cols = [
        np.char.add("B", np.char.zfill(basket_of_line[order].astype(str), 9)).tolist(),
        basket_card[basket_of_line[order]].tolist(),
        basket_store[basket_of_line[order]].tolist(),
        np.datetime_as_string(basket_time, unit="s")[basket_of_line[order]].tolist(),
        upcs[product[order]].tolist(),
        qty_text[order].tolist(),
        _money((gross - discount)[order]),
        _money(discount[order]),
    ]
    header = ["basket_id", "card_number", "store", "purchased_at", "upc", "quantity"]
    header += ["amount", "discount"]
    (directory / "baskets.csv").write_text(_join_columns(basket_cols, header))
    return {"products": products, "members": members, "baskets": n_baskets, "lines": lines}


FLOOR_GOALS = {"first import": 5.0, "re-import": 2.0}
COPY_CHUNK = 1 << 20


def copy_floor(*, baskets_csv: Path, runs: int = 3) -> float:
    """Best of `runs` raw COPYs of the file into an unlogged text table; return seconds."""
    from django.db import connection

    header = baskets_csv.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{name}" text' for name in header)
    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute("DROP TABLE IF EXISTS bench_copy_floor")
            cursor.execute(f"CREATE UNLOGGED TABLE bench_copy_floor ({columns})")
            started = time.perf_counter()
            with (
                baskets_csv.open("rb") as source,
                cursor.copy("COPY bench_copy_floor FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := source.read(COPY_CHUNK):
                    copy.write(chunk)
            best = min(best, time.perf_counter() - started)
        cursor.execute("DROP TABLE bench_copy_floor")
    return best


# The columns an import writes; `id` comes from the identity, as in the import.
SCHEMA_FLOOR_COLUMNS = (
    "basket_id, product_id, member_id, owner_id, purchased_at, quantity, amount, discount"
)


def schema_floor(*, runs: int = 2) -> float:
    """Best of `runs` writes of basketline's rows into a copy of its schema; return seconds."""
    from django.db import connection, transaction

    from apps.baskets.importing.bulk_indexes import indexes_rebuilt_after

    best = float("inf")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE UNLOGGED TABLE bench_typed_lines AS "
            f"SELECT {SCHEMA_FLOOR_COLUMNS} FROM baskets_basketline"
        )
        for _ in range(runs):
            cursor.execute("DROP TABLE IF EXISTS bench_schema_floor")
            cursor.execute("CHECKPOINT")  # start each run with no dirty pages left behind
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(
                    "CREATE TABLE bench_schema_floor (LIKE baskets_basketline INCLUDING ALL)"
                )
                with indexes_rebuilt_after(cursor=cursor, table="bench_schema_floor"):
                    cursor.execute(
                        f"INSERT INTO bench_schema_floor ({SCHEMA_FLOOR_COLUMNS}) "
                        f"SELECT {SCHEMA_FLOOR_COLUMNS} FROM bench_typed_lines"
                    )
            best = min(best, time.perf_counter() - started)
        cursor.execute("DROP TABLE bench_schema_floor")
        cursor.execute("DROP TABLE bench_typed_lines")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_500_000)
    parser.add_argument("--keep", type=Path, help="write the CSV files here and keep them")
    args = parser.parse_args()

    bench_setup()
    from apps.baskets.importing import pos_import_dir

    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        counts = generate(directory=directory, lines=args.lines)
        print(
            f"generated {counts['lines']:,} lines in {counts['baskets']:,} baskets, "
            f"{counts['products']:,} products, {counts['members']:,} members "
            f"in {time.perf_counter() - started:.1f} s"
        )
        floor = copy_floor(baskets_csv=directory / "baskets.csv")
        print(
            f"floor: raw COPY of baskets.csv into an unlogged text table, best of 3: "
            f"{floor:.2f} s ({counts['lines'] / floor:,.0f} lines/s)"
        )
        first = None
        for label in ("first import", "re-import"):
            started = time.perf_counter()
            result = pos_import_dir(directory=directory)
            seconds = time.perf_counter() - started
            baskets = next(f for f in result.files if f.file_name.startswith("baskets"))
            print(
                f"{label}: {seconds:.2f} s for {baskets.rows_read:,} basket lines "
                f"({baskets.rows_read / seconds:,.0f} lines/s end to end, all three files); "
                + "; ".join(
                    f"{f.file_name}: read {f.rows_read:,} loaded {f.loaded:,} "
                    f"unchanged/already {f.unchanged_or_already_loaded:,} "
                    f"rejected {f.rejected:,}"
                    for f in result.files
                )
            )
            ratio = baskets.seconds / floor
            first = first or baskets.seconds
            goal = FLOOR_GOALS[label]
            print(
                f"  baskets.csv alone: {baskets.seconds:.2f} s = {ratio:.1f}x the floor "
                f"(goal <= {goal:.0f}x: {'met' if ratio <= goal else 'not met'})"
            )
        schema = schema_floor()
        print(
            f"schema floor: the first load's rows written by INSERT ... SELECT into a logged "
            f"copy of basketline's schema, indexes rebuilt, best of 2: {schema:.2f} s "
            f"= {schema / floor:.1f}x the raw floor"
        )
        print(
            f"  first load's baskets.csv: {first:.2f} s = {first / floor:.1f}x the raw floor, "
            f"{first / schema:.1f}x the schema floor"
        )


if __name__ == "__main__":
    main()
