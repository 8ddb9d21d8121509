"""Stable orders of times in linear time: the order of a day's deliveries, orders by day.

``numpy.argsort(kind="stable")`` is a merge sort; times within a day or two, and days within a
calendar, are spread evenly enough for counting sorts. The orders returned are exactly the
stable ones (equal times keep their order), so whatever reads them sees the same sequence.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["day_groups", "stable_order"]

#: Moves per time the final insertion pass may make before a merge sort takes over.
_SHIFTS = 8
#: Buckets per key: few keys share one.
_SPREAD = 2
#: Hours beyond which days are left to numpy (far past any calendar, still a whole number).
_LONGEST = 2.0**52


@numba.njit(cache=True)
def _bucket_order(keys):
    """The stable order of ``keys`` by a counting sort into equal buckets (more than keys) and
    an insertion pass (keys are out of place only within their bucket); a merge sort when that
    pass would move too much. False (and no order) for keys that are not all finite or lie
    further apart than a float reaches."""
    n = keys.size
    order = np.empty(n, dtype=np.int64)
    if n == 0:
        return order, True
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
    start = np.zeros(buckets + 1, dtype=np.int64)
    for i in range(n):
        start[min(int((keys[i] - low) * scale), buckets - 1) + 1] += 1  # monotone in the key
    for b in range(buckets):
        start[b + 1] += start[b]
    placed = np.empty(n)
    for i in range(n):
        b = min(int((keys[i] - low) * scale), buckets - 1)
        order[start[b]] = i
        placed[start[b]] = keys[i]
        start[b] += 1
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
def _day_groups(times, widest):
    n = times.size
    day = np.empty(n, dtype=np.int64)
    if n == 0:
        return day, day[:0], np.zeros(1, dtype=np.int64), True
    for i in range(n):
        if not abs(times[i]) < _LONGEST:
            return day, day[:0], day[:0], False
        day[i] = math.floor(times[i] / 24.0)
    first, last = day.min(), day.max()
    if last - first > widest:
        return day, day[:0], day[:0], False
    count = np.zeros(last - first + 2, dtype=np.int64)
    for d in day:
        count[d - first + 1] += 1
    for k in range(count.size - 1):
        count[k + 1] += count[k]
    fill = count[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        order[fill[day[i] - first]] = i
        fill[day[i] - first] += 1
    used = np.flatnonzero(count[1:] > count[:-1])
    starts = np.empty(used.size + 1, dtype=np.int64)
    starts[:-1] = count[used]
    starts[-1] = n
    return order, used + first, starts, True


def day_groups(times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times grouped by the day they fall on: ``(order, days, starts)``.

    ``order`` is the stable order of the times' days; the times of ``days[k]`` (ascending)
    are at ``order[starts[k]:starts[k + 1]]``.
    """
    times = np.ascontiguousarray(times, dtype=float)
    order, days, starts, done = _day_groups(times, 4 * times.size + 1024)
    if done:
        return order, days, starts
    with np.errstate(invalid="ignore"):  # NaN and inf have no day: numpy's cast decides
        day = np.floor(times / 24.0).astype(np.int64)
    order = np.argsort(day, kind="stable")
    days, first = np.unique(day[order], return_index=True)
    return order, days, np.append(first, times.size)
