"""Synthetic till data for a rural supermarket chain, drawn with NumPy and written as POS CSVs.

The generative model (docs/demo-data.md) in one breath: every household shops on its own
trip rhythm (every `d` days, heavier households more often); it buys a set of categories,
each every `m` trips (so its true cycle is `m * d` days, with a small jitter of a trip); per
category it is national-brand loyal, store-brand loyal or a swinger; its intensity is
lognormal, so a fifth of the members bring most of the sales. Some shoppers have no card,
some members stop shopping (churn) and some join during the window.

Everything is vectorized over households, (household, category) pairs, purchases and
baskets; the only Python loops run over categories and products (a few hundred).
The catalog does not depend on the seed, so that loads with different seeds share it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from apps.demo import vocabulary as vocab
from apps.demo.csvwrite import Digits, Lit, Table, Vocab, fields, money, render, write_csv

CATALOG_SEED = 20240601
# Calibrates `Params.volume=1` to about 100 lines per member-year.
BASE_BREADTH = 0.035
PRODUCTS_FILE = "products.csv"
MEMBERS_FILE = "members.csv"
BASKETS_FILE = "baskets.csv"

PRODUCT_HEADER = (
    "upc",
    "name",
    "department",
    "category",
    "brand",
    "brand_type",
    "manufacturer",
    "price",
)
MEMBER_HEADER = (
    "card_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postal_code",
    "joined_on",
    "household_size",
    "children",
    "marketing_consent",
)
BASKET_HEADER = (
    "basket_id",
    "card_number",
    "store",
    "purchased_at",
    "upc",
    "quantity",
    "amount",
    "discount",
)

LOYALTY_NAMES = ("national", "store", "swing")
CARD_DIGITS = 12
NATIONAL, STORE, SWING = 0, 1, 2


@dataclass(frozen=True)
class Params:
    """Knobs of the generative model; the defaults give ~100 lines per member-year."""

    # Scales the number of categories each household buys: lines grow about linearly.
    volume: float = 1.0
    # Spread of log household intensity (lognormal): the skew of spend across members.
    intensity_sigma: float = 1.0
    # Cardless shoppers per member; gives ~10–15% anonymous baskets.
    anonymous_ratio: float = 0.15
    churn_share: float = 0.12
    joiner_share: float = 0.08
    pet_share: float = 0.38
    baby_share: float = 0.09
    produce_heavy_share: float = 0.2
    no_consent_share: float = 0.06
    other_store_share: float = 0.08
    # Share of (product, week) on a card-holder promotion (a discount on member lines).
    promo_share: float = 0.05


@dataclass
class Catalog:
    """Categories and products, products of a category contiguous: nationals then stores."""

    category_name: list[str]
    category_department: list[str]
    department_index: np.ndarray
    weighed: np.ndarray
    staple: np.ndarray
    cycle_days: np.ndarray
    popularity: np.ndarray
    store_strength: np.ndarray
    nat_start: np.ndarray
    nat_count: np.ndarray
    store_start: np.ndarray
    store_count: np.ndarray
    # Cumulative market share of each national product within its category, offset by the
    # category index (c + share), so that one searchsorted picks products of many categories.
    nat_cum: np.ndarray
    nat_product: np.ndarray
    upc: list[str]
    name: list[str]
    brand: list[str]
    brand_type: list[str]
    manufacturer: list[str]
    price_cents: np.ndarray
    product_category: np.ndarray


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


def card_numbers(n: int) -> np.ndarray:
    """Return the card numbers of members 0..n-1 as integers (12 digits, 77 prefix)."""
    return 770_000_000_000 + np.arange(1, n + 1, dtype=np.int64)


def default_end_date(today: date | None = None) -> date:
    """Return the most recent Sunday strictly before today."""
    today = today or date.today()
    back = (today.weekday() + 1) % 7 or 7
    return today - timedelta(days=back)


# ----------------------------------------------------------------------------- catalog


def _upc(prefix: str, item: int) -> str:
    body = f"{prefix}{item:05d}"
    odd = sum(int(ch) for ch in body[0::2])
    even = sum(int(ch) for ch in body[1::2])
    return body + str((10 - (3 * odd + even) % 10) % 10)


def _round_price(dollars: float) -> int:
    """Return a shelf price in cents ending in 9 (2.49, 3.99)."""
    return max(49, int(round(dollars * 10)) * 10 - 1)


def build_catalog() -> Catalog:
    """Build the chain's categories and products (independent of the households' seed)."""
    rng = np.random.default_rng(CATALOG_SEED)
    rows = vocab.category_table()
    departments = [d.name for d in vocab.DEPARTMENTS]
    dept_by_name = {d.name: d for d in vocab.DEPARTMENTS}
    makers = [(i, code, brand, depts) for i, (code, brand, depts) in enumerate(vocab.MANUFACTURERS)]
    item_counter: dict[str, int] = {}

    c_dept, cycle, pop, strength = [], [], [], []
    upc, name, brand, brand_type, manufacturer, price, product_cat = [], [], [], [], [], [], []
    nat_start, nat_count, store_start, store_count, nat_cum, nat_product = [], [], [], [], [], []
    sizes = ("8 oz", "12 oz", "16 oz", "24 oz", "32 oz", "6 ct", "12 ct", "24 ct", "1 lb", "2 lb")

    def add(c: int, b: str, bt: str, maker: str, prefix: str, cents: int, weighed: bool) -> int:
        item_counter[prefix] = item_counter.get(prefix, 0) + 1
        upc.append(_upc(prefix, item_counter[prefix]))
        size = "per lb" if weighed else sizes[int(rng.integers(len(sizes)))]
        name.append(f"{b} {rows[c][1]} {size}")
        brand.append(b)
        brand_type.append(bt)
        manufacturer.append(maker)
        price.append(cents)
        product_cat.append(c)
        return len(upc) - 1

    for c, (dept_name, _cat, weighed, staple) in enumerate(rows):
        dept = dept_by_name[dept_name]
        c_dept.append(departments.index(dept_name))
        lo, hi = dept.price
        base = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        cycle.append(float(np.exp(rng.uniform(np.log(dept.cycle[0]), np.log(dept.cycle[1])))))
        pop.append(dept.popularity * float(rng.lognormal(0.0, 0.5)) * (2.5 if staple else 1.0))
        strength.append(float(np.clip(dept.store_strength + rng.normal(0, 0.12), 0.05, 0.95)))

        candidates = [m for m in makers if dept_name in m[3]]
        n_nat = int(rng.integers(2, min(dept.makers, len(candidates)) + 1))
        chosen = rng.choice(len(candidates), size=n_nat, replace=False)
        shares = rng.dirichlet(np.full(n_nat, 1.5))
        nat_start.append(len(upc))
        nat_count.append(n_nat)
        cum = np.cumsum(shares)
        cum[-1] = 1.0
        for k, pick in enumerate(sorted(chosen.tolist())):
            i, code, b, _ = candidates[pick]
            cents = _round_price(base * rng.uniform(0.95, 1.3))
            prefix = f"0{10000 + 37 * i:05d}"
            nat_product.append(add(c, b, "national", code, prefix, cents, weighed))
            nat_cum.append(c + float(cum[k]))
        n_store = 2 if rng.random() < 0.4 else 1
        store_start.append(len(upc))
        store_count.append(n_store)
        cents = _round_price(base * 0.78)
        add(c, vocab.STORE_BRANDS[0], "store", "STORE", "088888", cents, weighed)
        if n_store == 2:
            cents = _round_price(base * rng.uniform(0.9, 1.05))
            add(c, vocab.STORE_BRANDS[1], "store", "STORE", "088889", cents, weighed)

    return Catalog(
        category_name=[r[1] for r in rows],
        category_department=[r[0] for r in rows],
        department_index=np.array(c_dept),
        weighed=np.array([r[2] for r in rows]),
        staple=np.array([r[3] for r in rows]),
        cycle_days=np.array(cycle),
        popularity=np.array(pop),
        store_strength=np.array(strength),
        nat_start=np.array(nat_start),
        nat_count=np.array(nat_count),
        store_start=np.array(store_start),
        store_count=np.array(store_count),
        nat_cum=np.array(nat_cum),
        nat_product=np.array(nat_product),
        upc=upc,
        name=name,
        brand=brand,
        brand_type=brand_type,
        manufacturer=manufacturer,
        price_cents=np.array(price, dtype=np.int64),
        product_category=np.array(product_cat),
    )


def _pick_national(cat: Catalog, c: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return national products of categories `c` drawn by market share with uniforms `u`."""
    pos = np.searchsorted(cat.nat_cum, c + u * (1 - 1e-9), side="right")
    # Guard against float rounding at a category's upper edge.
    pos = np.minimum(pos, np.searchsorted(cat.nat_cum, c + 1.0, side="left"))
    return cat.nat_product[pos]


# ----------------------------------------------------------------------------- households


@dataclass
class _Households:
    n: int
    members: int
    z: np.ndarray
    intensity: np.ndarray
    trip_days: np.ndarray
    offset: np.ndarray
    trips: np.ndarray
    size: np.ndarray
    children: np.ndarray
    pet: np.ndarray
    dog: np.ndarray
    cat: np.ndarray
    other_pet: np.ndarray
    baby: np.ndarray
    produce_heavy: np.ndarray
    store_propensity: np.ndarray
    home_store: np.ndarray
    hour: np.ndarray
    join_day: np.ndarray
    churn_day: np.ndarray


def _draw_households(rng, members: int, span: int, dow0: int, p: Params) -> _Households:
    n_anon = int(round(members * p.anonymous_ratio))
    n = members + n_anon
    z = rng.standard_normal(n)
    intensity = np.exp(p.intensity_sigma * z)

    # Trip rhythm: heavy households come more often; many shop on a weekly beat.
    raw = np.clip(np.round(16 * np.exp(-0.55 * z + 0.35 * rng.standard_normal(n))), 2, 42)
    weekly = (raw >= 6) & (rng.random(n) < 0.6)
    trip_days = np.where(weekly, np.maximum(7, 7 * np.round(raw / 7)), raw).astype(np.int64)
    # Weekly shoppers favour Friday and Saturday; others start anywhere in their rhythm.
    dow = rng.choice(7, size=n, p=[0.11, 0.10, 0.12, 0.13, 0.17, 0.22, 0.15])  # Mon..Sun
    weekly_offset = (dow - dow0) % 7 + 7 * rng.integers(0, np.maximum(trip_days // 7, 1))
    offset = np.where(trip_days % 7 == 0, weekly_offset, rng.integers(0, trip_days))
    trips = np.maximum(0, -(-(span - offset) // trip_days))

    baby = rng.random(n) < p.baby_share
    adults = 1 + (rng.random(n) < 0.62)
    older = np.where(rng.random(n) < 0.3, rng.integers(1, 4, n), 0)
    children = np.where(baby, 1 + rng.binomial(2, 0.35, n), older)
    size = adults + children + (rng.random(n) < 0.05)
    intensity *= (size / 2.4) ** 0.3

    pet = rng.random(n) < p.pet_share
    r = rng.random(n)
    dog = pet & (r < 0.7)
    cat = pet & ((r >= 0.7) | (rng.random(n) < 0.35))
    other_pet = pet & (rng.random(n) < 0.15)
    produce_heavy = rng.random(n) < p.produce_heavy_share

    weights = np.array([s[2] for s in vocab.STORES])
    home_store = rng.choice(len(weights), size=n, p=weights / weights.sum())
    hour = rng.choice(
        np.array([9.5, 11.5, 14.0, 17.5, 19.5]), size=n, p=[0.2, 0.25, 0.15, 0.28, 0.12]
    )

    is_member = np.arange(n) < members
    churn = is_member & (rng.random(n) < p.churn_share)
    churn_day = np.where(churn, rng.integers(int(span * 0.15), int(span * 0.9) + 1, n), span)
    joiner = is_member & ~churn & (rng.random(n) < p.joiner_share)
    join_day = np.where(joiner, rng.integers(1, int(span * 0.8) + 1, n), 0)
    return _Households(
        n=n,
        members=members,
        z=z,
        intensity=intensity,
        trip_days=trip_days,
        offset=offset,
        trips=trips,
        size=size,
        children=children,
        pet=pet,
        dog=dog,
        cat=cat,
        other_pet=other_pet,
        baby=baby,
        produce_heavy=produce_heavy,
        store_propensity=rng.beta(2.0, 3.0, n),
        home_store=home_store,
        hour=hour,
        join_day=join_day,
        churn_day=churn_day,
    )


def _draw_pairs(rng, hh: _Households, cat: Catalog, p: Params):
    """Return (household, category) pairs: which categories each household buys here."""
    n_dept = len(vocab.DEPARTMENTS)
    taste = np.exp(0.5 * rng.standard_normal((hh.n, n_dept)))
    breadth = BASE_BREADTH * p.volume * hh.intensity**0.6
    dept_names = [d.name for d in vocab.DEPARTMENTS]
    produce = dept_names.index("Produce")
    pet_dept, baby_dept = dept_names.index("Pet"), dept_names.index("Baby")
    pair_h, pair_c = [], []
    for c, name in enumerate(cat.category_name):
        d = cat.department_index[c]
        prob = cat.popularity[c] * breadth * taste[:, d]
        if d == produce:
            prob = prob * np.where(hh.produce_heavy, 2.5, 1.0)
        elif d == baby_dept:
            prob = np.where(hh.baby, cat.popularity[c] * p.volume, 0.0)
        elif d == pet_dept:
            # Pet households buy for the animals they have, whatever their intensity.
            owner = hh.dog if "Dog" in name else hh.cat if "Cat" in name else hh.pet
            if name in ("Bird Seed", "Small Animal Food"):
                owner = hh.other_pet
            prob = np.where(owner, cat.popularity[c] * p.volume, 0.0)
        picked = np.flatnonzero(rng.random(hh.n) < np.minimum(prob, 0.95))
        pair_h.append(picked)
        pair_c.append(np.full(len(picked), c))
    return np.concatenate(pair_h), np.concatenate(pair_c)


# ----------------------------------------------------------------------------- generation


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
    p = params or Params()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    end = end_date or default_end_date()
    span = 7 * weeks
    start = end - timedelta(days=span - 1)
    rng = np.random.default_rng(seed)
    cat = build_catalog()

    hh = _draw_households(rng, members, span, start.weekday(), p)
    ph, pc = _draw_pairs(rng, hh, cat, p)
    n_pairs = len(ph)

    # Cycle of each pair: the category's rhythm, personal noise, heavy households faster;
    # households can only buy when they come, so it is a whole number `m` of trips.
    k = cat.cycle_days[pc] * np.exp(0.3 * rng.standard_normal(n_pairs))
    k *= hh.intensity[ph] ** -0.15
    produce = cat.department_index[pc] == [d.name for d in vocab.DEPARTMENTS].index("Produce")
    k *= np.where(hh.produce_heavy[ph] & produce, 0.7, 1.0)
    m = np.maximum(1, np.round(k / hh.trip_days[ph])).astype(np.int64)
    true_cycle = m * hh.trip_days[ph]

    # Loyalty per pair from the household's store-brand propensity and the category's
    # store-brand strength.
    q = 0.6 * hh.store_propensity[ph] + 0.4 * cat.store_strength[pc]
    u = rng.random(n_pairs)
    loyalty = np.where(u < 0.6 * q, STORE, np.where(u < 0.6 * q + 0.28, SWING, NATIONAL))
    p_store = np.select(
        [loyalty == NATIONAL, loyalty == STORE], [0.03, 0.95], rng.uniform(0.3, 0.7, n_pairs)
    )
    favourite = _pick_national(cat, pc, rng.random(n_pairs))
    timings["households"] = time.perf_counter() - t0

    # Purchases: trip numbers j of each pair, a renewal process with steps m (+/- a trip).
    phase = rng.integers(0, m)
    step_min = np.where(m <= 2, m, m - 1)
    n_max = np.maximum(0, (hh.trips[ph] - 1 - phase) // step_min + 1)
    ev_pair = np.repeat(np.arange(n_pairs, dtype=np.int32), n_max)
    n_ev = len(ev_pair)
    ev_m = m[ev_pair]
    r = rng.random(n_ev)
    delta = np.where(r < 0.10, 1, np.where((r > 0.94) & (ev_m > 2), -1, 0))
    steps = ev_m + delta
    starts = np.cumsum(n_max) - n_max
    has = n_max > 0
    steps[starts[has]] = phase[has]
    cs = np.cumsum(steps)
    base = np.zeros(n_pairs, dtype=np.int64)
    base[has] = cs[starts[has]] - steps[starts[has]]
    ev_j = cs - np.repeat(base, n_max)
    ev_h = ph[ev_pair]
    keep = ev_j < hh.trips[ev_h]
    ev_pair, ev_j, ev_h = ev_pair[keep], ev_j[keep], ev_h[keep]
    del steps, cs, r, delta, ev_m, keep

    # Baskets: one per (household, trip) with at least one purchase. Every possible trip has
    # a slot; numbering the used slots in order groups purchases without sorting them.
    slot_start = np.cumsum(hh.trips) - hh.trips
    slot = slot_start[ev_h] + ev_j
    used = np.zeros(int(hh.trips.sum()), dtype=bool)
    used[slot] = True
    ev_b = (np.cumsum(used) - 1)[slot]
    del slot
    used_slots = np.flatnonzero(used)
    b_h = np.searchsorted(slot_start, used_slots, side="right") - 1
    b_j = used_slots - slot_start[b_h]
    n_b = len(used_slots)
    del used, used_slots
    jitter = rng.choice(np.array([-1, 0, 1]), size=n_b, p=[0.15, 0.7, 0.15])
    b_day = hh.offset[b_h] + b_j * hh.trip_days[b_h] + np.where(hh.trip_days[b_h] >= 5, jitter, 0)
    valid = (b_day >= 0) & (b_day < span) & (b_day < hh.churn_day[b_h])
    valid &= b_day >= hh.join_day[b_h]
    other = rng.random(n_b) < p.other_store_share
    n_stores = len(vocab.STORES)
    b_store = np.where(
        other, (hh.home_store[b_h] + rng.integers(1, n_stores, n_b)) % n_stores, hh.home_store[b_h]
    )
    weekday = (start.weekday() + b_day) % 7
    sunday = weekday == 6
    opens = np.where(sunday, 8 * 3600, 7 * 3600)
    closes = np.where(sunday, 20 * 3600, 22 * 3600) - 600
    # Preferred hour plus noise; trips drawn outside opening hours land in the first or
    # last hour rather than piling up on the opening minute.
    b_sec = np.round((hh.hour[b_h] + rng.normal(0, 1.0, n_b)) * 3600).astype(np.int64)
    edge = rng.integers(0, 3600, n_b)
    b_sec = np.where(b_sec < opens, opens + edge, np.where(b_sec > closes, closes - edge, b_sec))

    # Drop baskets outside the window or a member's active period, then put them in time order.
    ev_keep = valid[ev_b]
    new_index = np.cumsum(valid) - 1
    ev_b = new_index[ev_b[ev_keep]]
    ev_pair = ev_pair[ev_keep]
    b_h, b_day, b_store, b_sec = b_h[valid], b_day[valid], b_store[valid], b_sec[valid]
    n_b = len(b_h)
    order = np.lexsort((b_h, b_store, b_sec, b_day))
    rank = np.empty(n_b, dtype=np.int64)
    rank[order] = np.arange(n_b)
    b_h, b_day, b_store, b_sec = b_h[order], b_day[order], b_store[order], b_sec[order]
    ev_b = rank[ev_b].astype(np.int32)
    # Sequence number of each basket within its store and day, in time order.
    sd = b_day * n_stores + b_store
    by_sd = np.argsort(sd, kind="stable")
    sd_sorted = sd[by_sd]
    first = np.searchsorted(sd_sorted, sd_sorted, side="left")
    b_seq = np.empty(n_b, dtype=np.int64)
    b_seq[by_sd] = np.arange(n_b) - first + 1

    line_order = np.argsort(ev_b, kind="stable")
    ev_b, ev_pair = ev_b[line_order], ev_pair[line_order]
    n_lines = len(ev_b)
    timings["purchases"] = time.perf_counter() - t0 - sum(timings.values())

    # Lines: product (store vs national by the pair's loyalty), quantity, promotion.
    lc = pc.astype(np.int32)[ev_pair]
    is_store = rng.random(n_lines) < p_store[ev_pair]
    u = rng.random(n_lines)
    loyal_nat = loyalty[ev_pair] == NATIONAL
    fav_share = np.where(loyal_nat, 0.88, 0.4)
    use_fav = u < fav_share
    other_nat = _pick_national(cat, lc, rng.random(n_lines))
    national = np.where(use_fav, favourite[ev_pair], other_nat)
    store_pick = cat.store_start[lc] + (rng.random(n_lines) < 0.25) * (cat.store_count[lc] - 1)
    product = np.where(is_store, store_pick, national).astype(np.int32)
    del u, use_fav, other_nat, national, store_pick, fav_share, loyal_nat

    line_h = b_h.astype(np.int32)[ev_b]
    weighed = cat.weighed[lc]
    hsize = hh.size[line_h]
    lbs = np.exp(np.log(1.2 * np.sqrt(hsize / 2.5)) + 0.35 * rng.standard_normal(n_lines))
    weight_milli = 5 * np.round(np.clip(lbs, 0.15, 9.0) * 200).astype(np.int64)
    units = 1 + np.minimum(rng.poisson(0.12 * hsize), 5)
    qty_milli = np.where(weighed, weight_milli, units * 1000)
    del lbs, weight_milli, units, hsize
    gross = (cat.price_cents[product] * qty_milli + 500) // 1000

    n_weeks = weeks
    promo = rng.random((len(cat.upc), n_weeks)) < p.promo_share
    promo_pct = rng.choice(np.array([10, 15, 20, 25, 30]), size=(len(cat.upc), n_weeks))
    week = b_day[ev_b] // 7
    card = line_h < hh.members
    on_promo = card & promo[product, week]
    discount = np.where(on_promo, (gross * promo_pct[product, week] + 50) // 100, 0)
    discount = np.minimum(np.maximum(discount, on_promo.astype(np.int64)), np.maximum(gross - 1, 0))
    amount = gross - discount
    timings["lines"] = time.perf_counter() - t0 - sum(timings.values())

    # ------------------------------------------------------------------ write the files
    _write_products(directory / PRODUCTS_FILE, cat)
    truth = _write_members(directory / MEMBERS_FILE, rng, hh, start, span, p)
    timings["write_products_members"] = time.perf_counter() - t0 - sum(timings.values())

    # Every line repeats its basket's id, card, store and time: render those once per basket.
    store_codes = [s[0] for s in vocab.STORES]
    all_days = [start + timedelta(days=i) for i in range(span)]
    day_t = [d.isoformat() + "T" for d in all_days]
    compact = [d.strftime("%Y%m%d") for d in all_days]
    clock_words = [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in range(86400)]
    b_card_number = card_numbers(hh.members + 1)[b_h.clip(max=hh.members)]
    b_card = b_h < hh.members
    seq_width = max(5, len(str(int(b_seq.max(initial=0)))))
    head_mat, head_mask = render(
        [
            *fields(
                [
                    [
                        Vocab(store_codes, b_store),
                        Lit("-"),
                        Vocab(compact, b_day),
                        Lit("-"),
                        Digits(b_seq, width=seq_width),
                    ],
                    [Digits(b_card_number, CARD_DIGITS, b_card)],
                    [Vocab(store_codes, b_store)],
                    [Vocab(day_t, b_day), Vocab(clock_words, b_sec)],
                ]
            ),
            Lit(","),
        ],
        n_b,
    )
    write_csv(
        directory / BASKETS_FILE,
        BASKET_HEADER,
        [
            [Table(head_mat, head_mask, ev_b), Vocab(cat.upc, product)],
            [
                Digits(qty_milli // 1000),
                Lit(".", weighed),
                Digits(qty_milli % 1000, 3, weighed),
            ],
            money(amount),
            money(discount),
        ],
        n_lines,
    )
    del head_mat, head_mask
    timings["write_baskets"] = time.perf_counter() - t0 - sum(timings.values())

    # Ground truth per member and per (member, category) pair.
    member_pair = ph < members
    truth.pair_member = ph[member_pair]
    truth.pair_category = pc[member_pair]
    truth.pair_cycle_days = true_cycle[member_pair]
    truth.pair_loyalty = loyalty[member_pair]
    truth.pair_favourite_upc = np.array(cat.upc)[favourite[member_pair]]
    truth.category_name = cat.category_name
    truth.category_department = cat.category_department

    return DemoSummary(
        directory=directory,
        start_date=start,
        end_date=end,
        members=members,
        anonymous_shoppers=hh.n - members,
        stores=len(vocab.STORES),
        categories=len(cat.category_name),
        products=len(cat.upc),
        baskets=n_b,
        anonymous_baskets=int(np.count_nonzero(b_h >= members)),
        lines=n_lines,
        seconds=time.perf_counter() - t0,
        timings=timings,
        truth=truth,
    )


def _write_products(path: Path, cat: Catalog) -> None:
    n = len(cat.upc)
    idx = np.arange(n)
    write_csv(
        path,
        PRODUCT_HEADER,
        [
            [Vocab(cat.upc, idx)],
            [Vocab(cat.name, idx)],
            [Vocab(cat.category_department, cat.product_category)],
            [Vocab(cat.category_name, cat.product_category)],
            [Vocab(cat.brand, idx)],
            [Vocab(cat.brand_type, idx)],
            [Vocab(cat.manufacturer, idx)],
            money(cat.price_cents),
        ],
        n,
    )


def _write_members(
    path: Path, rng, hh: _Households, start: date, span: int, p: Params
) -> GroundTruth:
    n = hh.members
    firsts, lasts = vocab.FIRST_NAMES, vocab.LAST_NAMES
    first = rng.integers(0, len(firsts), n)
    last = rng.integers(0, len(lasts), n)
    has_email = rng.random(n) < 0.88
    email_num = rng.integers(1, 100, n)
    email_has_num = has_email & (rng.random(n) < 0.55)
    domain = rng.choice(len(vocab.EMAIL_DOMAINS), size=n, p=[0.42, 0.2, 0.12, 0.1, 0.06, 0.1])
    has_phone = rng.random(n) < 0.9
    home = hh.home_store[:n]
    area = [s[3] for s in vocab.STORES]
    exchange = rng.integers(200, 1000, n)
    line_no = rng.integers(0, 10000, n)
    # Postal codes around the member's home store.
    zips_by_store = [s[4].split() for s in vocab.STORES]
    zips = sorted({z for zs in zips_by_store for z in zs})
    width = max(len(zs) for zs in zips_by_store)
    table = np.array([[zips.index(zs[k % len(zs)]) for k in range(width)] for zs in zips_by_store])
    counts = np.array([len(zs) for zs in zips_by_store])
    zip_idx = table[home, rng.integers(0, 1 << 30, n) % counts[home]]

    # Members joined the club up to ~8 years before the window, or during it (joiners).
    history = 8 * 365
    join_offset = np.where(hh.join_day[:n] > 0, hh.join_day[:n], -rng.integers(1, history, n))
    day0 = start - timedelta(days=history)
    dates = [(day0 + timedelta(days=i)).isoformat() for i in range(history + span)]
    consent = (rng.random(n) >= p.no_consent_share).astype(np.int64)

    write_csv(
        path,
        MEMBER_HEADER,
        [
            [Digits(card_numbers(n), CARD_DIGITS)],
            [Vocab(firsts, first)],
            [Vocab(lasts, last)],
            [
                Vocab([f.lower() for f in firsts], first, has_email),
                Lit(".", has_email),
                Vocab([s.lower() for s in lasts], last, has_email),
                Digits(email_num, 2, email_has_num),
                Lit("@", has_email),
                Vocab(vocab.EMAIL_DOMAINS, domain, has_email),
            ],
            [
                Lit("(", has_phone),
                Vocab(area, home, has_phone),
                Lit(") ", has_phone),
                Digits(exchange, 3, has_phone),
                Lit("-", has_phone),
                Digits(line_no, 4, has_phone),
            ],
            [Vocab(zips, zip_idx)],
            [Vocab(dates, join_offset + history)],
            [Digits(hh.size[:n])],
            [Digits(hh.children[:n])],
            [Vocab(["no", "yes"], consent)],
        ],
        n,
    )
    start64 = np.datetime64(start, "D")
    churned = hh.churn_day[:n] < span
    return GroundTruth(
        card_number=card_numbers(n).astype(str),
        intensity=hh.intensity[:n],
        trip_days=hh.trip_days[:n],
        pet=hh.pet[:n],
        baby=hh.baby[:n],
        produce_heavy=hh.produce_heavy[:n],
        joined_on=start64 + join_offset,
        churn_date=np.where(churned, start64 + hh.churn_day[:n], np.datetime64("NaT", "D")),
        pair_member=np.empty(0, dtype=np.int64),
        pair_category=np.empty(0, dtype=np.int64),
        pair_cycle_days=np.empty(0, dtype=np.int64),
        pair_loyalty=np.empty(0, dtype=np.int64),
        pair_favourite_upc=np.empty(0, dtype=str),
        category_name=[],
        category_department=[],
    )
