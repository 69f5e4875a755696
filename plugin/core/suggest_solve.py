"""The exact part of the suggestions (docs/suggestions.md): a covering knapsack over integer costs.

Pure numpy, no engine: :func:`lexicographic_costs` packs several per-parcel criteria (parcels,
area, not next to farmland, slope) into one integer so that comparing sums compares the criteria
in order; :func:`min_cost_cover` finds the set of least total cost whose gains reach a need, and says
whether it is proven optimal (docs/suggestions.md, "What is guaranteed").
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

BUCKETS = (10_000, 100_000)  # the need is cut into this many steps; the finer only when the coarse is not proven
_MAX_CELLS = 50_000_000  # items × steps of the finer try (its table of choices is one byte per cell)
_INF = np.int64(1) << np.int64(62)
_MAX_BITS = 62
_ROUNDING = 1e-9  # a gain of exactly k steps computed as k - 1e-12 steps still counts as k


def lexicographic_costs(criteria: Sequence[Sequence[int]]) -> tuple[np.ndarray, int] | None:
    """One int64 cost per item whose sums order like the criteria (first criterion first).

    ``criteria`` are lists of non-negative integers, one value per item. Each criterion gets as
    many bits as the sum over *all* items needs, so no sum of a subset carries into the
    criterion above it. Returns (costs, bits used), or None when more than 62 bits are needed.
    """
    n = len(criteria[0]) if criteria else 0
    costs = [0] * n
    bits = 0
    for values in reversed(criteria):
        width = max(1, int(sum(values)).bit_length())
        for i, v in enumerate(values):
            costs[i] += int(v) << bits
        bits += width
    if bits > _MAX_BITS:
        return None
    return np.array(costs, dtype=np.int64), bits


def best_cover(gains: Sequence[float], costs: np.ndarray, need: float) -> tuple[list[int] | None, bool]:
    """:func:`min_cost_cover` in 10 000 steps, and again in 100 000 when that is not proven (and small enough)."""
    found = min_cost_cover(gains, costs, need, BUCKETS[0])
    if found[0] is not None and not found[1] and len(gains) * BUCKETS[1] <= _MAX_CELLS:
        finer = min_cost_cover(gains, costs, need, BUCKETS[1])
        if finer[1]:
            return finer
    return found


def min_cost_cover(gains: Sequence[float], costs: np.ndarray, need: float,
                   buckets: int = BUCKETS[0]) -> tuple[list[int] | None, bool]:
    """(indexes of the subset of least total cost whose gains sum to at least ``need``, proven).

    Dynamic programming over the need cut into ``buckets`` steps, O(items × buckets), twice at most:

    1. gains rounded *up* to whole steps: every set that truly reaches the need reaches it here too,
       so the least cost found is at most the true optimum; when the set found truly reaches the
       need, it *is* the optimum (``proven`` True);
    2. otherwise gains rounded *down*: the set found truly reaches the need and is optimal among the
       sets that still reach it after that rounding (``proven`` False).

    (None, False) when even all items together do not reach the need.
    """
    if need <= 0:
        return [], True
    if sum(g for g in gains if g > 0) < need:
        return None, False
    step = need / buckets
    for up in (True, False):
        steps = [min(buckets, (math.ceil(g / step - _ROUNDING) if up else math.floor(g / step + _ROUNDING)))
                 if g > 0 else 0 for g in gains]
        chosen = _cover(steps, costs, buckets)
        if chosen is not None and (not up or sum(gains[i] for i in chosen) >= need):
            return chosen, up
    return None, False


def _cover(steps: Sequence[int], costs: np.ndarray, buckets: int) -> list[int] | None:
    """Least-cost subset whose integer ``steps`` sum to at least ``buckets`` (None: none does)."""
    if sum(steps) < buckets:
        return None
    dp = np.full(buckets + 1, _INF, dtype=np.int64)  # dp[s]: least cost of a set reaching >= s steps
    dp[0] = 0
    take = np.zeros((len(steps), buckets + 1), dtype=bool)
    shifted = np.empty_like(dp)
    for i, (q, c) in enumerate(zip(steps, costs.tolist())):
        if q <= 0:
            continue
        shifted[:q] = c  # reaching up to q steps: this item alone (dp[0] = 0)
        shifted[q:] = dp[:-q] + c
        np.minimum(shifted, _INF, out=shifted)
        better = shifted < dp
        take[i] = better
        np.minimum(dp, shifted, out=dp)
    if dp[buckets] >= _INF:
        return None
    chosen = []
    s = buckets
    for i in range(len(steps) - 1, -1, -1):
        if s > 0 and take[i, s]:
            chosen.append(i)
            s = max(0, s - steps[i])
    return sorted(chosen)


__all__ = ["BUCKETS", "best_cover", "lexicographic_costs", "min_cost_cover"]
