"""Stable orders of times in linear time: the order of a day's deliveries and of its returning
customers.

``numpy.argsort(kind="stable")`` is a merge sort; times within a day or two, and days within a
calendar, are spread evenly enough for counting sorts. The orders returned are exactly the
stable ones (equal times keep their order), so whatever reads them sees the same sequence.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["stable_order", "stable_rank"]

#: Moves per time the final insertion pass may make before a merge sort takes over.
_SHIFTS = 8
#: Buckets per key: few keys share one.
_SPREAD = 2
#: Keys from which numpy sorts: their buckets would not be counted in 32 bits.
_MOST = 2**30


@numba.njit(cache=True)
def _bucket_order(keys):
    """The stable order of ``keys`` by a counting sort into equal buckets (more than keys) and
    an insertion pass (keys are out of place only within their bucket); a merge sort when that
    pass would move too much. False (and no order) for keys that are not all finite or lie
    further apart than a float reaches, or too many for 32-bit bucket counts.
    """
    n = keys.size
    order = np.empty(n, dtype=np.int64)
    if n == 0:
        return order, True
    if n >= _MOST:
        return order, False
    low = high = keys[0]
    for x in keys:
        if not math.isfinite(x):
            return order, False
        low = min(low, x)
        high = max(high, x)
    span = high - low
    if span == 0.0:
        order[:] = np.arange(n)
        return order, True
    buckets = _SPREAD * n
    scale = buckets / span
    if not (math.isfinite(span) and math.isfinite(scale)):  # so that every bucket is a number
        return order, False
    bucket = np.empty(n, dtype=np.int32)  # half the cache a 64-bit count takes
    start = np.zeros(buckets + 1, dtype=np.int32)
    for i in range(n):
        b = min(int((keys[i] - low) * scale), buckets - 1)  # monotone in the key
        bucket[i] = b
        start[b + 1] += 1
    total = 0
    for b in range(buckets + 1):  # the running total in a register, not read back
        total += start[b]
        start[b] = total
    placed = np.empty(n)
    for i in range(n):
        b = bucket[i]
        at = start[b]
        order[at] = i
        placed[at] = keys[i]
        start[b] = at + 1
    budget = _SHIFTS * n
    for j in range(1, n):
        key = placed[j]
        if placed[j - 1] <= key:
            continue
        item = order[j]
        k = j - 1
        while k >= 0 and placed[k] > key:
            placed[k + 1] = placed[k]
            order[k + 1] = order[k]
            k -= 1
        placed[k + 1] = key
        order[k + 1] = item
        budget -= j - 1 - k
        if budget < 0:
            return np.argsort(keys, kind="mergesort"), True
    return order, True


def stable_order(keys: np.ndarray) -> np.ndarray:
    """``numpy.argsort(keys, kind="stable")``, by buckets (linear time for evenly spread keys)."""
    keys = np.asarray(keys, dtype=float)
    order, done = _bucket_order(keys)
    return order if done else np.argsort(keys, kind="stable")


@numba.njit(cache=True)
def _ranks(order):
    rank = np.empty(order.size, dtype=np.int64)
    for k in range(order.size):
        rank[order[k]] = k
    return rank


def stable_rank(keys: np.ndarray) -> np.ndarray:
    """Each key's place in :func:`stable_order`."""
    return _ranks(stable_order(keys))
