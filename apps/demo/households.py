"""The demo's households: who shops how often, for which categories, and how loyally.

Every household shops on its own trip rhythm (every `d` days, heavier households more
often) and buys a set of categories, each every `m` trips, so its true cycle is `m * d`
days; per category it is national-brand loyal, store-brand loyal or a swinger. Everything
is vectorized over households and (household, category) pairs; the only Python loop runs
over categories (a few hundred).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.demo import vocabulary as vocab
from apps.demo.catalog import Catalog, pick_national

# Calibrates `Params.volume=1` to about 100 lines per member-year.
BASE_BREADTH = 0.035
LOYALTY_NAMES = ("national", "store", "swing")
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
class Households:
    """Per household (members first, then cardless shoppers): rhythm, make-up, home store."""

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


@dataclass
class PairHabits:
    """Per (household, category) pair: how often it is bought, and which brand type."""

    household: np.ndarray
    category: np.ndarray
    # Trips between two purchases (`m`) and the true cycle in days (`m` × trip rhythm).
    trips_between: np.ndarray
    cycle_days: np.ndarray
    loyalty: np.ndarray  # NATIONAL, STORE or SWING
    p_store: np.ndarray  # chance that a purchase is a store-brand product
    favourite: np.ndarray  # product index of the pair's favourite national product


def draw_households(rng, members: int, span: int, dow0: int, p: Params) -> Households:
    """Draw members and cardless shoppers: rhythm, household make-up, churn and joining."""
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
    return Households(
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


def draw_pairs(rng, hh: Households, cat: Catalog, p: Params) -> tuple[np.ndarray, np.ndarray]:
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


def draw_pair_habits(rng, hh: Households, cat: Catalog, p: Params) -> PairHabits:
    """Draw the pairs, then each pair's cycle, brand loyalty and favourite national product."""
    ph, pc = draw_pairs(rng, hh, cat, p)
    n_pairs = len(ph)

    # Cycle of each pair: the category's rhythm, personal noise, heavy households faster;
    # households can only buy when they come, so it is a whole number `m` of trips.
    k = cat.cycle_days[pc] * np.exp(0.3 * rng.standard_normal(n_pairs))
    k *= hh.intensity[ph] ** -0.15
    produce = cat.department_index[pc] == [d.name for d in vocab.DEPARTMENTS].index("Produce")
    k *= np.where(hh.produce_heavy[ph] & produce, 0.7, 1.0)
    m = np.maximum(1, np.round(k / hh.trip_days[ph])).astype(np.int64)

    # Loyalty per pair from the household's store-brand propensity and the category's
    # store-brand strength.
    q = 0.6 * hh.store_propensity[ph] + 0.4 * cat.store_strength[pc]
    u = rng.random(n_pairs)
    loyalty = np.where(u < 0.6 * q, STORE, np.where(u < 0.6 * q + 0.28, SWING, NATIONAL))
    p_store = np.select(
        [loyalty == NATIONAL, loyalty == STORE], [0.03, 0.95], rng.uniform(0.3, 0.7, n_pairs)
    )
    return PairHabits(
        household=ph,
        category=pc,
        trips_between=m,
        cycle_days=m * hh.trip_days[ph],
        loyalty=loyalty,
        p_store=p_store,
        favourite=pick_national(cat, pc, rng.random(n_pairs)),
    )
