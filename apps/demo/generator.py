"""Synthetic till data for a rural supermarket chain, drawn with NumPy and written as POS CSVs.

The generative model (docs/demo-data.md) in one breath: every household shops on its own
trip rhythm (every `d` days, heavier households more often); it buys a set of categories,
each every `m` trips (so its true cycle is `m * d` days, with a small jitter of a trip); per
category it is national-brand loyal, store-brand loyal or a swinger; its intensity is
lognormal, so a fifth of the members bring most of the sales. Some shoppers have no card,
some members stop shopping (churn) and some join during the window.

The steps live in their own modules, called here in the order they draw from one seeded
generator (so the same seed gives byte-identical files): `catalog` (its own fixed seed),
`households` (rhythms and category habits), `trips` (purchases, baskets, lines) and `files`
(the three CSVs). This module re-exports the names callers use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from apps.demo import vocabulary as vocab
from apps.demo.catalog import CATALOG_SEED, Catalog, build_catalog
from apps.demo.files import (
    BASKET_HEADER,
    BASKETS_FILE,
    CARD_DIGITS,
    MEMBER_HEADER,
    MEMBERS_FILE,
    PRODUCT_HEADER,
    PRODUCTS_FILE,
    card_numbers,
    write_baskets,
    write_members,
    write_products,
)
from apps.demo.households import (
    LOYALTY_NAMES,
    NATIONAL,
    STORE,
    SWING,
    Households,
    PairHabits,
    Params,
    draw_households,
    draw_pair_habits,
)
from apps.demo.trips import draw_baskets, draw_lines

__all__ = [
    "BASKETS_FILE",
    "BASKET_HEADER",
    "CARD_DIGITS",
    "CATALOG_SEED",
    "LOYALTY_NAMES",
    "MEMBERS_FILE",
    "MEMBER_HEADER",
    "NATIONAL",
    "PRODUCTS_FILE",
    "PRODUCT_HEADER",
    "STORE",
    "SWING",
    "Catalog",
    "DemoSummary",
    "GroundTruth",
    "Params",
    "build_catalog",
    "card_numbers",
    "default_end_date",
    "generate_demo_files",
]


@dataclass
class GroundTruth:
    """What the generator drew per member and per (member, category), for checking models."""

    card_number: np.ndarray
    intensity: np.ndarray
    trip_days: np.ndarray
    pet: np.ndarray
    baby: np.ndarray
    produce_heavy: np.ndarray
    joined_on: np.ndarray  # datetime64[D]
    # First day without purchases for churners, NaT for everyone else.
    churn_date: np.ndarray
    pair_member: np.ndarray
    pair_category: np.ndarray
    pair_cycle_days: np.ndarray
    pair_loyalty: np.ndarray  # 0 national, 1 store, 2 swing (LOYALTY_NAMES)
    pair_favourite_upc: np.ndarray
    category_name: list[str]
    category_department: list[str]

    def cycles(self) -> dict[tuple[str, str], int]:
        """Return the true cycle in days keyed by (card number, category name)."""
        cards = self.card_number.tolist()
        return {
            (cards[m], self.category_name[c]): int(k)
            for m, c, k in zip(
                self.pair_member.tolist(),
                self.pair_category.tolist(),
                self.pair_cycle_days.tolist(),
                strict=True,
            )
        }


@dataclass
class DemoSummary:
    """What was written: counts, the window, phase timings and the ground truth."""

    directory: Path
    start_date: date
    end_date: date
    members: int
    anonymous_shoppers: int
    stores: int
    categories: int
    products: int
    baskets: int
    anonymous_baskets: int
    lines: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    truth: GroundTruth | None = None


def default_end_date(today: date | None = None) -> date:
    """Return the most recent Sunday strictly before today."""
    today = today or date.today()
    back = (today.weekday() + 1) % 7 or 7
    return today - timedelta(days=back)


def generate_demo_files(
    *,
    directory: Path,
    members: int,
    weeks: int,
    seed: int,
    end_date: date | None = None,
    params: Params | None = None,
) -> DemoSummary:
    """Draw the demo chain's households and write products/members/baskets CSVs."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = time.perf_counter() - t0 - sum(timings.values())

    p = params or Params()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    end = end_date or default_end_date()
    span = 7 * weeks
    start = end - timedelta(days=span - 1)
    rng = np.random.default_rng(seed)
    cat = build_catalog()

    hh = draw_households(rng, members, span, start.weekday(), p)
    pairs = draw_pair_habits(rng, hh, cat, p)
    lap("households")
    baskets = draw_baskets(rng, hh, pairs, start=start, span=span, p=p)
    lap("purchases")
    lines = draw_lines(rng, hh, cat, pairs, baskets, weeks=weeks, p=p)
    lap("lines")

    write_products(directory / PRODUCTS_FILE, cat)
    joined_on = write_members(directory / MEMBERS_FILE, rng, hh, start, span, p)
    lap("write_products_members")
    write_baskets(
        directory / BASKETS_FILE, cat, baskets, lines, members=members, start=start, span=span
    )
    lap("write_baskets")

    return DemoSummary(
        directory=directory,
        start_date=start,
        end_date=end,
        members=members,
        anonymous_shoppers=hh.n - members,
        stores=len(vocab.STORES),
        categories=len(cat.category_name),
        products=len(cat.upc),
        baskets=len(baskets.household),
        anonymous_baskets=int(np.count_nonzero(baskets.household >= members)),
        lines=len(lines.product),
        seconds=time.perf_counter() - t0,
        timings=timings,
        truth=_ground_truth(hh, cat, pairs, joined_on=joined_on, start=start, span=span),
    )


def _ground_truth(
    hh: Households,
    cat: Catalog,
    pairs: PairHabits,
    *,
    joined_on: np.ndarray,
    start: date,
    span: int,
) -> GroundTruth:
    """Per member and per (member, category) pair: what the models should find."""
    n = hh.members
    start64 = np.datetime64(start, "D")
    churned = hh.churn_day[:n] < span
    member_pair = pairs.household < n
    return GroundTruth(
        card_number=card_numbers(n).astype(str),
        intensity=hh.intensity[:n],
        trip_days=hh.trip_days[:n],
        pet=hh.pet[:n],
        baby=hh.baby[:n],
        produce_heavy=hh.produce_heavy[:n],
        joined_on=joined_on,
        churn_date=np.where(churned, start64 + hh.churn_day[:n], np.datetime64("NaT", "D")),
        pair_member=pairs.household[member_pair],
        pair_category=pairs.category[member_pair],
        pair_cycle_days=pairs.cycle_days[member_pair],
        pair_loyalty=pairs.loyalty[member_pair],
        pair_favourite_upc=np.array(cat.upc)[pairs.favourite[member_pair]],
        category_name=cat.category_name,
        category_department=cat.category_department,
    )
