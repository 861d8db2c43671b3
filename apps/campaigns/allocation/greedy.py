"""The greedy choice of phase two: every candidate in order of value, taken if it fits.

Input: the period's undecided candidates, each a row of arrays (member, campaign, category,
discovery, holdout, value, expected cost, expected manufacturer cost, agreement), what the
period already fixed per member (slots and discovery offers used, categories taken) and
what each campaign and agreement has left. Output: an outcome per candidate.

The rule, walking the candidates from the highest expected value down (ties to the lower
member id, then campaign id, so a decision is reproducible):
- the member's list is full, already has an offer in the category, or has used its
  discovery share: `outranked` (by the offers that took the place, each worth at least as
  much);
- the offer's expected cost is more than its campaign has left: `budget`; more than its
  agreement has left: `agreement`;
- otherwise the member gets it (`given`), and the campaign and agreement pay its expected
  cost; a held-out member is marked `holdout` where they would have got it (the same test,
  so lift compares like with like) and costs nothing.

That walk is sequential by nature (each decision changes what fits next), so it is one
loop compiled with numba over flat arrays: 5 million candidates in well under a second.
The grouping around it (the order, the dense numbering) is NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

# Outcome codes (decide maps them to Outcome values); `choose` gives the first six, LIMIT
# is decided before the walk.
CANDIDATE, GIVEN, HOLDOUT, OUTRANKED, BUDGET, AGREEMENT, LIMIT = 0, 1, 2, 3, 4, 5, 6
CODES = ("candidate", "given", "holdout", "outranked", "budget", "agreement", "limit")


@dataclass
class Candidates:
    """One entry per undecided candidate; `agreement` is -1 where the campaign has none."""

    member: np.ndarray
    campaign: np.ndarray
    category: np.ndarray
    discovery: np.ndarray
    holdout: np.ndarray
    value: np.ndarray
    cost: np.ndarray
    maker_cost: np.ndarray
    agreement: np.ndarray


@dataclass
class Fixed:
    """What the period's earlier decisions hold: per member (parallel arrays) and per pair."""

    member: np.ndarray  # members with decided offers
    slots_used: np.ndarray
    discovery_used: np.ndarray
    taken_member: np.ndarray  # (member, category) pairs already on a list
    taken_category: np.ndarray


@dataclass
class Limits:
    slots: int
    max_discovery: int
    campaign: np.ndarray  # campaign ids
    campaign_left: np.ndarray  # budget left (expected cost) per campaign id above
    agreement: np.ndarray
    agreement_left: np.ndarray


def _lookup(ids: np.ndarray, values: np.ndarray, keys: np.ndarray, missing) -> np.ndarray:
    """values[ids == key] for each key, or `missing` where the key is not among ids."""
    result = np.full(len(keys), missing, dtype=np.result_type(values, type(missing)))
    if not len(ids):
        return result
    order = np.argsort(ids)
    at = np.clip(np.searchsorted(ids, keys, sorter=order), 0, len(ids) - 1)
    found = ids[order[at]] == keys
    result[found] = values[order[at[found]]]
    return result


def choose(candidates: Candidates, fixed: Fixed, limits: Limits) -> np.ndarray:
    """Return the outcome code of each candidate, in input order."""
    count = len(candidates.member)
    if not count:
        return np.zeros(0, dtype=np.int8)
    # Dense member numbers, so that the compiled loop keeps its state in flat arrays;
    # campaigns, agreements and categories are few and index arrays by their ids.
    members, member_index = np.unique(candidates.member, return_inverse=True)
    # One global order, best first; ties to the lower member, then campaign, so that a
    # decision is reproducible (the preview's dry run is the run).
    tie = (member_index.astype(np.int64) << 32) | candidates.campaign.astype(np.int64)
    order = np.lexsort((tie, -candidates.value))
    category_number = _numbering(candidates.category, fixed.taken_category)
    categories = int(category_number.max()) + 1
    member_index = member_index[order]
    pair = member_index.astype(np.int64) * categories + category_number[candidates.category[order]]

    slots_left = limits.slots - _lookup(fixed.member, fixed.slots_used, members, 0)
    discovery_left = limits.max_discovery - _lookup(fixed.member, fixed.discovery_used, members, 0)
    taken = np.zeros(len(members) * categories, dtype=np.bool_)
    fixed_at = np.clip(np.searchsorted(members, fixed.taken_member), 0, len(members) - 1)
    known = members[fixed_at] == fixed.taken_member
    taken[fixed_at[known] * categories + category_number[fixed.taken_category[known]]] = True
    campaign_left = _by_id(limits.campaign, limits.campaign_left, candidates.campaign, 0.0)
    agreement_left = _by_id(limits.agreement, limits.agreement_left, candidates.agreement, np.inf)
    outcome = _greedy(
        member_index.astype(np.int64),
        pair,
        candidates.campaign[order].astype(np.int64),
        candidates.agreement[order].astype(np.int64),
        candidates.discovery[order].astype(np.bool_),
        candidates.holdout[order].astype(np.bool_),
        candidates.cost[order].astype(np.float64),
        candidates.maker_cost[order].astype(np.float64),
        slots_left.astype(np.int64),
        discovery_left.astype(np.int64),
        taken,
        campaign_left,
        agreement_left,
    )
    result = np.empty(count, dtype=np.int8)
    result[order] = outcome
    return result


def _numbering(ids: np.ndarray, more_ids: np.ndarray) -> np.ndarray:
    """An array mapping each id (of a small id space: categories) to a dense number."""
    ids, more_ids = ids.astype(np.int64), more_ids.astype(np.int64)
    top = int(max(ids.max(initial=0), more_ids.max(initial=0)))
    present = np.zeros(top + 1, dtype=np.bool_)
    present[ids] = True
    present[more_ids] = True
    return np.cumsum(present) - 1


def _by_id(ids: np.ndarray, values: np.ndarray, wanted: np.ndarray, missing: float):
    """An array of values indexed by id, covering every wanted id; `missing` elsewhere."""
    ids = ids.astype(np.int64)
    top = int(max(wanted.max(initial=0), ids.max(initial=0)))
    by_id = np.full(top + 1, missing, dtype=np.float64)
    by_id[ids] = values
    return by_id


@numba.njit(cache=True)
def _greedy(
    member,
    pair,
    campaign,
    agreement,
    discovery,
    holdout,
    cost,
    maker_cost,
    slots_left,
    discovery_left,
    taken,
    campaign_left,
    agreement_left,
):  # pragma: no cover - compiled; its behaviour is tested through `choose`
    """The greedy walk itself, over candidates already in order of value (best first).

    Compiled by numba: one pass, a few array reads and writes per candidate.
    """
    outcome = np.empty(len(member), dtype=np.int8)
    for i in range(len(member)):
        m = member[i]
        if taken[pair[i]] or slots_left[m] <= 0 or (discovery[i] and discovery_left[m] <= 0):
            outcome[i] = OUTRANKED
            continue
        c = campaign[i]
        a = agreement[i]
        if cost[i] > campaign_left[c]:
            outcome[i] = BUDGET
            continue
        if a >= 0 and maker_cost[i] > agreement_left[a]:
            outcome[i] = AGREEMENT
            continue
        if holdout[i]:
            outcome[i] = HOLDOUT  # would have got it; costs nothing
        else:
            outcome[i] = GIVEN
            campaign_left[c] -= cost[i]
            if a >= 0:
                agreement_left[a] -= maker_cost[i]
        slots_left[m] -= 1
        if discovery[i]:
            discovery_left[m] -= 1
        taken[pair[i]] = True
    return outcome
