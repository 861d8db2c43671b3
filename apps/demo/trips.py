"""The demo's shopping trips: purchases of each pair, grouped into baskets, priced as lines.

Purchases of a pair are a renewal process over the household's trips (every `m` trips, give
or take one); the purchases of one household and trip make a basket, dated inside opening
hours, in the home store or now and then another one; each purchase is a line with a
product chosen by the pair's loyalty, a quantity, and a card-holder promotion at times.
Vectorized over purchases and baskets: no Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from apps.demo import vocabulary as vocab
from apps.demo.catalog import Catalog, pick_national
from apps.demo.households import NATIONAL, Households, PairHabits, Params


@dataclass
class Baskets:
    """Baskets in time order, and the basket and pair of every purchase (a line)."""

    household: np.ndarray
    day: np.ndarray  # days since the window's first day
    store: np.ndarray  # index into vocabulary.STORES
    second: np.ndarray  # seconds since local midnight
    sequence: np.ndarray  # number of the basket within its store and day, from 1
    line_basket: np.ndarray  # per line, sorted: its basket's index
    line_pair: np.ndarray  # per line: its (household, category) pair's index


@dataclass
class Lines:
    """Per line (in basket order): product, quantity in thousandths, cents paid and off."""

    product: np.ndarray
    weighed: np.ndarray
    quantity_milli: np.ndarray
    amount: np.ndarray
    discount: np.ndarray


def draw_baskets(
    rng, hh: Households, pairs: PairHabits, *, start: date, span: int, p: Params
) -> Baskets:
    """Draw every pair's purchases and group them into dated baskets, in time order."""
    ph, m = pairs.household, pairs.trips_between
    n_pairs = len(ph)
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
    return Baskets(
        household=b_h,
        day=b_day,
        store=b_store,
        second=b_sec,
        sequence=b_seq,
        line_basket=ev_b[line_order],
        line_pair=ev_pair[line_order],
    )


def draw_lines(
    rng,
    hh: Households,
    cat: Catalog,
    pairs: PairHabits,
    baskets: Baskets,
    *,
    weeks: int,
    p: Params,
) -> Lines:
    """Price every purchase: product by the pair's loyalty, quantity, promotion."""
    ev_b, ev_pair = baskets.line_basket, baskets.line_pair
    n_lines = len(ev_b)
    lc = pairs.category.astype(np.int32)[ev_pair]
    is_store = rng.random(n_lines) < pairs.p_store[ev_pair]
    u = rng.random(n_lines)
    loyal_nat = pairs.loyalty[ev_pair] == NATIONAL
    fav_share = np.where(loyal_nat, 0.88, 0.4)
    use_fav = u < fav_share
    other_nat = pick_national(cat, lc, rng.random(n_lines))
    national = np.where(use_fav, pairs.favourite[ev_pair], other_nat)
    store_pick = cat.store_start[lc] + (rng.random(n_lines) < 0.25) * (cat.store_count[lc] - 1)
    product = np.where(is_store, store_pick, national).astype(np.int32)
    del u, use_fav, other_nat, national, store_pick, fav_share, loyal_nat

    line_h = baskets.household.astype(np.int32)[ev_b]
    weighed = cat.weighed[lc]
    hsize = hh.size[line_h]
    lbs = np.exp(np.log(1.2 * np.sqrt(hsize / 2.5)) + 0.35 * rng.standard_normal(n_lines))
    weight_milli = 5 * np.round(np.clip(lbs, 0.15, 9.0) * 200).astype(np.int64)
    units = 1 + np.minimum(rng.poisson(0.12 * hsize), 5)
    qty_milli = np.where(weighed, weight_milli, units * 1000)
    del lbs, weight_milli, units, hsize
    gross = (cat.price_cents[product] * qty_milli + 500) // 1000

    promo = rng.random((len(cat.upc), weeks)) < p.promo_share
    promo_pct = rng.choice(np.array([10, 15, 20, 25, 30]), size=(len(cat.upc), weeks))
    week = baskets.day[ev_b] // 7
    card = line_h < hh.members
    on_promo = card & promo[product, week]
    discount = np.where(on_promo, (gross * promo_pct[product, week] + 50) // 100, 0)
    discount = np.minimum(np.maximum(discount, on_promo.astype(np.int64)), np.maximum(gross - 1, 0))
    return Lines(
        product=product,
        weighed=weighed,
        quantity_milli=qty_milli,
        amount=gross - discount,
        discount=discount,
    )
