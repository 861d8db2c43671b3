"""The demo chain's catalog: categories and products with brands, makers, shares and prices.

Drawn from its own fixed seed, so that demo loads with different household seeds share one
catalog (UPCs, prices, makers). Products of a category are contiguous: nationals, then the
store brands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.demo import vocabulary as vocab

CATALOG_SEED = 20240601


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


def pick_national(cat: Catalog, c: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return national products of categories `c` drawn by market share with uniforms `u`."""
    pos = np.searchsorted(cat.nat_cum, c + u * (1 - 1e-9), side="right")
    # Guard against float rounding at a category's upper edge.
    pos = np.minimum(pos, np.searchsorted(cat.nat_cum, c + 1.0, side="left"))
    return cat.nat_product[pos]
