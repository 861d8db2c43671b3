"""The greedy choice of phase two: every candidate in order of value, taken if it fits.

Input: the period's undecided candidates, each a row of arrays (member, campaign, category,
discovery, holdout, value, expected cost, expected manufacturer cost, agreement), what the
period already fixed per member (slots and discovery offers used, categories taken) and
what each campaign and agreement has left. Output: an outcome per candidate.

The rule, walking the candidates from the highest expected value down (ties to the lower
id, so a decision is reproducible):
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

# Outcome codes of `choose` (decide maps them to Outcome values).
CANDIDATE, GIVEN, HOLDOUT, OUTRANKED, BUDGET, AGREEMENT = 0, 1, 2, 3, 4, 5
CODES = ("candidate", "given", "holdout", "outranked", "budget", "agreement")


@dataclass
class Candidates:
    """One entry per undecided candidate; `agreement` is -1 where the campaign has none."""

    id: np.ndarray
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
    count = len(candidates.id)
    if not count:
        return np.zeros(0, dtype=np.int8)
    # One global order, best first; ties to the lower id, so a decision is reproducible.
    order = np.lexsort((candidates.id, -candidates.value))
    fields = Candidates.__annotations__
    c = Candidates(**{name: getattr(candidates, name)[order] for name in fields})
    # Dense numbering, so that the compiled loop keeps its state in flat arrays.
    members, member_index = np.unique(c.member, return_inverse=True)
    categories, category_index = np.unique(c.category, return_inverse=True)
    pair = member_index.astype(np.int64) * len(categories) + category_index
    campaigns, campaign_index = np.unique(c.campaign, return_inverse=True)
    agreements, agreement_index = np.unique(c.agreement, return_inverse=True)
    agreement_index = np.where(c.agreement >= 0, agreement_index, -1)

    slots_left = limits.slots - _lookup(fixed.member, fixed.slots_used, members, 0)
    discovery_left = limits.max_discovery - _lookup(fixed.member, fixed.discovery_used, members, 0)
    taken = np.zeros(len(members) * len(categories), dtype=np.bool_)
    taken[_taken_pairs(fixed, members, categories)] = True
    outcome = _greedy(
        member_index.astype(np.int64),
        pair,
        campaign_index.astype(np.int64),
        agreement_index.astype(np.int64),
        c.discovery.astype(np.bool_),
        c.holdout.astype(np.bool_),
        c.cost.astype(np.float64),
        c.maker_cost.astype(np.float64),
        slots_left.astype(np.int64),
        discovery_left.astype(np.int64),
        taken,
        _lookup(limits.campaign, limits.campaign_left, campaigns, 0.0).astype(np.float64),
        _lookup(limits.agreement, limits.agreement_left, agreements, np.inf).astype(np.float64),
    )
    result = np.empty(count, dtype=np.int8)
    result[order] = outcome
    return result


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


def _taken_pairs(fixed: Fixed, members: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """The fixed (member, category) pairs as keys of the candidates' dense pair numbering."""
    member_at = np.searchsorted(members, fixed.taken_member)
    category_at = np.searchsorted(categories, fixed.taken_category)
    member_at = np.clip(member_at, 0, max(len(members) - 1, 0))
    category_at = np.clip(category_at, 0, max(len(categories) - 1, 0))
    known = (members[member_at] == fixed.taken_member) & (
        categories[category_at] == fixed.taken_category
    )
    return np.unique(member_at[known].astype(np.int64) * len(categories) + category_at[known])
