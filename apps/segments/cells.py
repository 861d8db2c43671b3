"""Each buyer's cell and purchase cycle from a category's lines, vectorized in NumPy.

The rules (docs/segments.md) are those the SQL of earlier releases applied, and the same
numbers come out, exactly:

* amounts are whole cents (int64), so sums are exact;
* a purchase occasion is a distinct local date; the cycle is the median gap between
  occasions (`percentile_cont(0.5)`: the mean of the two middle gaps when their number is
  even), kept when there are at least 3 occasions; the next purchase is the last occasion
  plus the cycle rounded half up;
* national share is national ÷ spend rounded half away from zero to 6 places, computed in
  integers: the division PostgreSQL did at 16+ digits could only round differently for a
  spend above $50 M. It is held to [0, 1] (see `_share_micro`);
* "share ≥ 0.80" is tested as national × 100 ≥ 80 × spend (the thresholds as fractions),
  so no division rounding can move a buyer across the line;
* usage tier is `ntile(3)` over a snapshot's buyers by spend ascending, ties by card
  number in byte order (the card's rank among the buyers' cards: Python and NumPy compare
  strings by code point, which is UTF-8's byte order).

Why NumPy and not SQL: per row, PostgreSQL's sort, grouping by day, `lag` window and
per-buyer percentile cost ~2.5 µs a line (the largest demo category: 1.5–2.7 s); here the
same work is a few sorts of int64 arrays (docs/performance.md, issue 22). Lines arrive
unsorted, one row each, from `apps.segments.copying.lines_read`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

# Loyalty codes in the stage table; apps.segments.copying maps them to Loyalty values.
NATIONAL, STORE, SWINGER = 0, 1, 2
TIERS = 3


@dataclass(frozen=True)
class Lines:
    """A category window's member lines, one element per line."""

    category: np.ndarray  # int64
    member: np.ndarray  # int64
    day: np.ndarray  # int64, local date as days since 2000-01-01
    cents: np.ndarray  # int64, amount paid
    national: np.ndarray  # bool, a national-brand product


@dataclass(frozen=True)
class Buyers:
    """One element per buyer (category × member with spend > 0), sorted by category."""

    category: np.ndarray
    member: np.ndarray
    spend_cents: np.ndarray
    share_micro: np.ndarray  # national share × 10⁶, rounded
    loyalty: np.ndarray  # NATIONAL, STORE or SWINGER
    usage_tier: np.ndarray  # 1..3
    occasions: np.ndarray
    median2: np.ndarray  # twice the median gap in days (0 when under 2 occasions)
    last_day: np.ndarray  # days since 2000-01-01

    def __len__(self) -> int:
        return len(self.member)


def _starts(*keys: np.ndarray) -> np.ndarray:
    """Indexes where a run of equal keys begins, in arrays already sorted by them."""
    change = np.zeros(len(keys[0]), dtype=bool)
    change[0] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def _order(*keys: np.ndarray) -> np.ndarray:
    """Indexes that sort integer rows by `keys`, the first the most significant.

    Rows equal in every key come in no particular order: callers only sum over such runs,
    or rank rows no two of which are equal. When the keys' spans multiply to under 2^62
    they are packed into one int64 (key by key, offset from its least value), and one
    argsort of it is ~4x faster than `np.lexsort` (one stable sort per key; 445 k lines:
    0.03 s against 0.12 s); otherwise the lexsort.
    """
    if len(keys[0]) == 0:
        return np.zeros(0, dtype=np.intp)
    lows = [int(key.min()) for key in keys]
    spans = [int(key.max()) - low + 1 for key, low in zip(keys, lows, strict=True)]
    if math.prod(spans) >= 2**62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, low, span in zip(keys, lows, spans, strict=True):
        packed *= span
        packed += key - low
    return np.argsort(packed)


def _ends(starts: np.ndarray, size: int) -> np.ndarray:
    return np.append(starts[1:], size)


def _median2(day: np.ndarray, buyer_starts: np.ndarray, occasions: np.ndarray) -> np.ndarray:
    """Twice each buyer's median gap between consecutive occasions (0 with no gap).

    `day` holds each buyer's occasions in ascending order, buyers one after another.
    Twice the median is an integer (a middle gap, or the sum of the two middle gaps), so
    it stays exact.
    """
    first = np.zeros(len(day), dtype=bool)
    first[buyer_starts] = True
    within = ~first[1:]
    gaps = np.diff(day)[within]
    owner = (np.cumsum(first) - 1)[1:][within]
    gaps = gaps[_order(owner, gaps)]
    count = occasions - 1
    offset = np.cumsum(count) - count
    has = count >= 1
    median2 = np.zeros(len(occasions), dtype=np.int64)
    lo = (offset + (count - 1) // 2)[has]
    hi = (offset + count // 2)[has]
    median2[has] = gaps[lo] + gaps[hi]
    return median2


def _share_micro(national: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """round(national / spend, 6) × 10⁶, half away from zero, in integers (spend > 0).

    Held to [0, 1]: returns of one kind of brand can leave a buyer's national spend above
    their whole spend, or below zero (a $10 store-brand return beside a $10.01 national
    purchase: share 1001). Such a share means nothing, and the former SQL failed the whole
    snapshot on it (numeric(7,6) overflows). The loyalty tests use the exact sums.
    """
    scaled = np.abs(national) * 1_000_000
    share = np.sign(national) * ((2 * scaled + spend) // (2 * spend))
    return np.clip(share, 0, 1_000_000)


def _at_least(national: np.ndarray, spend: np.ndarray, threshold: Decimal) -> np.ndarray:
    share = Fraction(threshold)
    return national * share.denominator >= share.numerator * spend


def _at_most(national: np.ndarray, spend: np.ndarray, threshold: Decimal) -> np.ndarray:
    share = Fraction(threshold)
    return national * share.denominator <= share.numerator * spend


def _ntile(category: np.ndarray) -> np.ndarray:
    """`ntile(3)` over each category's rows, which come sorted within it.

    As PostgreSQL: n rows make buckets of n // 3, the first n % 3 of them one row larger.
    """
    starts = _starts(category)
    sizes = np.diff(np.append(starts, len(category)))
    size = np.repeat(sizes, sizes)
    position = np.arange(len(category)) - np.repeat(starts, sizes)
    small, extra = size // TIERS, size % TIERS
    in_large = position < extra * (small + 1)
    tier = np.where(
        in_large,
        position // np.maximum(small + 1, 1),
        extra + (position - extra * (small + 1)) // np.maximum(small, 1),
    )
    return tier + 1


def buyer_cells(
    lines: Lines,
    *,
    members_by_card: Callable[[np.ndarray], np.ndarray],
    national_threshold: Decimal,
    store_threshold: Decimal,
) -> Buyers:
    """Every buyer's spend, share, loyalty, tier and cycle from their lines.

    `members_by_card` puts the buyers' distinct member ids (sorted) in the order of their
    card numbers' bytes, which orders the spend ties. It is asked once the buyers are
    known: for them alone, not for every member id of the lines (a sort of ~20x fewer ids).
    """
    if len(lines.member) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Buyers(*(empty,) * 9)
    order = _order(lines.category, lines.member, lines.day)
    category = lines.category[order]
    member = lines.member[order]
    day = lines.day[order]
    cents = lines.cents[order]
    national = np.where(lines.national[order], cents, 0)

    day_starts = _starts(category, member, day)
    d_category, d_member, d_day = category[day_starts], member[day_starts], day[day_starts]
    d_spend = np.add.reduceat(cents, day_starts)
    d_national = np.add.reduceat(national, day_starts)

    starts = _starts(d_category, d_member)
    occasions = np.diff(np.append(starts, len(d_day)))
    spend = np.add.reduceat(d_spend, starts)
    b_national = np.add.reduceat(d_national, starts)
    median2 = _median2(d_day, starts, occasions)
    last_day = d_day[_ends(starts, len(d_day)) - 1]
    b_category, b_member = d_category[starts], d_member[starts]

    keep = spend > 0
    b_category, b_member, spend, b_national = (
        b_category[keep],
        b_member[keep],
        spend[keep],
        b_national[keep],
    )
    occasions, median2, last_day = occasions[keep], median2[keep], last_day[keep]

    rank_members, card_rank = card_ranks(members_by_card(np.unique(b_member)))
    rank = card_rank[np.searchsorted(rank_members, b_member)]
    ranked = _order(b_category, spend, rank)
    usage_tier = np.empty(len(ranked), dtype=np.int64)
    usage_tier[ranked] = _ntile(b_category[ranked])

    loyalty = np.full(len(spend), SWINGER, dtype=np.int64)
    loyalty[_at_most(b_national, spend, store_threshold)] = STORE
    loyalty[_at_least(b_national, spend, national_threshold)] = NATIONAL
    return Buyers(
        category=b_category,
        member=b_member,
        spend_cents=spend,
        share_micro=_share_micro(b_national, spend),
        loyalty=loyalty,
        usage_tier=usage_tier,
        occasions=occasions,
        median2=median2,
        last_day=last_day,
    )


def card_ranks(members_by_card: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted member ids and each one's rank in `members_by_card` (ids in card order)."""
    order = np.argsort(members_by_card)
    return members_by_card[order], order.astype(np.int64)
