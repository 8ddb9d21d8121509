"""The warehouse, the part the firm controls: pickers on shifts working one FIFO queue.

Picker ``k`` is on duty whenever the roster has more than ``k`` pickers, so a lower-numbered
picker works every hour a higher-numbered one does. An order goes to the picker who can start
it first (the lowest-numbered one on a tie) and is finished even past the end of a shift.
:class:`PickingQueue` computes this exactly for a whole batch of orders in one compiled pass;
``sim.world.per_order`` computes the same thing one SimPy process per order, as an oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from sim.model.calendar import BusinessCalendar

__all__ = ["PickingQueue", "Roster", "next_on_duty"]


@dataclass(frozen=True, slots=True, eq=False)
class Roster:
    """Pickers on duty as a step function of time: ``pickers[i]`` from ``starts[i]`` on."""

    starts: np.ndarray
    pickers: np.ndarray

    @classmethod
    def from_shifts(
        cls,
        calendar: BusinessCalendar,
        shifts: Sequence[tuple[float, float, int]],
        *,
        outages: Sequence[tuple[float, float, float]] = (),
    ) -> Roster:
        """The roster of ``(start_hour, end_hour, pickers)`` shifts on every working day.

        ``outages`` are ``(start, end, capacity)`` spans in hours during which only the share
        ``capacity`` of the rostered pickers work (rounded down).
        """
        days = np.flatnonzero(calendar.working).astype(float) * 24.0
        times = [np.array([0.0])]
        values = [np.array([0])]
        for start, end, pickers in sorted(shifts):
            times += [days + start, days + end]
            values += [np.full(days.size, pickers), np.full(days.size, -1)]
        t = np.concatenate(times)
        v = np.concatenate(values)
        # at equal times an end (-1) comes before the start of the next shift
        order = np.lexsort((v >= 0, t))
        t, v = t[order], v[order]
        level = np.zeros(t.size, dtype=np.int64)
        current = 0
        for i, value in enumerate(v):
            current = 0 if value < 0 else value
            level[i] = current
        starts, base = cls._collapse(t, level)
        if outages:
            edges = np.array([x for s, e, _ in outages for x in (s, e)], dtype=float)
            starts = np.union1d(starts, edges)
            base = base[np.searchsorted(cls._collapse(t, level)[0], starts, side="right") - 1]
            share = np.ones(starts.size)
            for s, e, capacity in outages:
                share[(starts >= s) & (starts < e)] *= capacity
            base = np.floor(base * share + 1e-9).astype(np.int64)
            starts, base = cls._collapse(starts, base)
        return cls(starts=starts, pickers=base)

    @staticmethod
    def _collapse(t: np.ndarray, level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        last = np.append(t[1:] != t[:-1], True)
        t, level = t[last], level[last]
        keep = np.append(True, level[1:] != level[:-1])
        return t[keep].astype(float), level[keep].astype(np.int64)

    @property
    def max_pickers(self) -> int:
        """The most pickers ever on duty at once."""
        return int(self.pickers.max())

    def on_duty(self, t: np.ndarray) -> np.ndarray:
        """Pickers on duty at each time ``t``."""
        index = np.searchsorted(self.starts, t, side="right") - 1
        return self.pickers[np.maximum(index, 0)]

    def picker_hours(self, t: np.ndarray) -> np.ndarray:
        """Cumulative rostered picker-hours from time 0 to each time ``t``."""
        cumulative = np.concatenate([[0.0], np.cumsum(np.diff(self.starts) * self.pickers[:-1])])
        index = np.maximum(np.searchsorted(self.starts, t, side="right") - 1, 0)
        return cumulative[index] + (np.asarray(t) - self.starts[index]) * self.pickers[index]

    def time_of_picker_hours(self, hours: np.ndarray) -> np.ndarray:
        """The time by which the roster has worked ``hours`` picker-hours (inverse of above)."""
        cumulative = np.concatenate([[0.0], np.cumsum(np.diff(self.starts) * self.pickers[:-1])])
        index = np.maximum(np.searchsorted(cumulative, hours, side="left") - 1, 0)
        while True:  # a zero-picker step has zero width in cumulative hours: step past it
            stuck = self.pickers[index] == 0
            if not np.any(stuck & (index + 1 < self.starts.size)):
                break
            index = np.where(stuck & (index + 1 < self.starts.size), index + 1, index)
        rate = np.maximum(self.pickers[index], 1)
        return self.starts[index] + (np.asarray(hours) - cumulative[index]) / rate


@numba.njit(cache=True)
def next_on_duty(k: int, t: float, starts: np.ndarray, pickers: np.ndarray) -> float:
    """The first moment at or after ``t`` when picker ``k`` is on duty (inf if never)."""
    return _next_on_duty_from(k, t, starts, pickers, np.searchsorted(starts, t, side="right") - 1)


@numba.njit(cache=True, inline="always")
def _next_on_duty_from(k, t, starts, pickers, i):
    n = starts.size
    if i < 0:
        i = 0
    while i < n and pickers[i] <= k:
        i += 1
    if i >= n:
        return np.inf
    return t if t > starts[i] else starts[i]


@numba.njit(cache=True, inline="always")
def _step_index(starts, t, hint):
    """Index of the roster step holding ``t``, searched forward from ``hint`` (times rise)."""
    n = starts.size
    if hint < 0 or hint >= n or starts[hint] > t:
        return np.searchsorted(starts, t, side="right") - 1
    i = hint
    steps = 0
    while i + 1 < n and starts[i + 1] <= t:
        i += 1
        steps += 1
        if steps > 8:
            return np.searchsorted(starts, t, side="right") - 1
    return i


@numba.njit(cache=True, inline="always")
def _before(t1: float, k1: int, t2: float, k2: int) -> bool:
    return t1 < t2 or (t1 == t2 and k1 < k2)


@numba.njit(cache=True)
def _push(times: np.ndarray, ids: np.ndarray, size: int, t: float, k: int) -> int:
    i = size
    times[i] = t
    ids[i] = k
    while i > 0:
        parent = (i - 1) // 2
        if _before(times[i], ids[i], times[parent], ids[parent]):
            times[i], times[parent] = times[parent], times[i]
            ids[i], ids[parent] = ids[parent], ids[i]
            i = parent
        else:
            break
    return size + 1


@numba.njit(cache=True)
def _pop(times: np.ndarray, ids: np.ndarray, size: int) -> int:
    """Remove the heap's first entry (Floyd's way: the hole sinks to a leaf along the smaller
    children, one comparison a level, and the last entry rises from there, rarely far)."""
    size -= 1
    if size == 0:
        return 0
    _sift(times, ids, size, times[size], ids[size])
    return size


@numba.njit(cache=True, inline="always")
def _sift(times, ids, size, t, k):
    """Put ``(t, k)`` in the place of the heap's first entry, in order."""
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _before(times[child + 1], ids[child + 1], times[child],
                                        ids[child]):
            child += 1
        times[i] = times[child]
        ids[i] = ids[child]
        i = child
    while i > 0:
        parent = (i - 1) // 2
        if _before(t, k, times[parent], ids[parent]):
            times[i] = times[parent]
            ids[i] = ids[parent]
            i = parent
        else:
            break
    times[i] = t
    ids[i] = k


#: Pickers per word of the idle bit set (int64 words, sign bit unused).
_WORD = 63


@numba.njit(cache=True)
def _serve(arrivals, service, starts, pickers, busy_t, busy_k, idle, state, start, finish):
    """The FIFO recursion over a batch: busy pickers in a heap by the time they are free (ties
    to the lower number), idle ones as bits of ``idle``. ``state`` carries the heap's size,
    the lowest word that may hold an idle picker, and roster positions, between batches."""
    n_busy = state[0]
    first = state[1]
    at = state[2]
    done_at = state[3]
    for i in range(arrivals.size):
        a = arrivals[i]
        while n_busy > 0 and busy_t[0] <= a:
            k = busy_k[0]
            idle[k // _WORD] |= np.int64(1) << (k % _WORD)
            first = min(first, k // _WORD)
            n_busy = _pop(busy_t, busy_k, n_busy)
        best = np.inf
        best_k = -1
        from_idle = False
        while first < idle.size and idle[first] == 0:
            first += 1
        if first < idle.size:
            best_k = first * _WORD + _lowest_bit(idle[first])
            at = _step_index(starts, a, at)
            best = _next_on_duty_from(best_k, a, starts, pickers, at)
            from_idle = True
        if n_busy > 0 and _before(busy_t[0], busy_k[0], best, best_k):
            best = busy_t[0]
            best_k = busy_k[0]
            from_idle = False
        done = best + service[i]
        start[i] = best
        finish[i] = done
        done_at = _step_index(starts, done, done_at)
        free = _next_on_duty_from(best_k, done, starts, pickers, done_at)
        if from_idle:
            idle[best_k // _WORD] &= ~(np.int64(1) << (best_k % _WORD))
            n_busy = _push(busy_t, busy_k, n_busy, free, best_k)
        else:  # the first busy picker takes it: its entry moves down the heap in one pass
            _sift(busy_t, busy_k, n_busy, free, best_k)
    state[0] = n_busy
    state[1] = first
    state[2] = at
    state[3] = done_at


@numba.njit(cache=True, inline="always")
def _lowest_bit(word):
    k = 0
    while (word >> k) & 1 == 0:
        k += 1
    return k


class PickingQueue:
    """The FIFO queue of a roster, carried from one batch of orders to the next."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        c = max(roster.max_pickers, 1)
        self._busy_t = np.empty(c)
        self._busy_k = np.empty(c, dtype=np.int64)
        self._state = np.zeros(4, dtype=np.int64)
        self._idle = np.zeros(-(-c // _WORD), dtype=np.int64)
        for k in range(c):
            self._idle[k // _WORD] |= 1 << (k % _WORD)

    def serve(self, arrivals: np.ndarray, pick_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and finish of picking for orders arriving (in order) at ``arrivals``."""
        arrivals = np.ascontiguousarray(arrivals, dtype=float)
        pick_hours = np.ascontiguousarray(pick_hours, dtype=float)
        start = np.empty_like(arrivals)
        finish = np.empty_like(arrivals)
        _serve(arrivals, pick_hours, self.roster.starts, self.roster.pickers, self._busy_t,
               self._busy_k, self._idle, self._state, start, finish)
        return start, finish
