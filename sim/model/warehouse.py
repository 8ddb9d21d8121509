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
from typing import NamedTuple

import numba
import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from sim.model.calendar import BusinessCalendar

__all__ = ["PickingQueue", "QueueArrays", "Roster", "next_on_duty"]


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
        steps, base = cls._collapse(t, np.maximum(v, 0).astype(np.int64))
        return cls(starts=steps, pickers=base).under(outages)

    def under(self, outages: Sequence[tuple[float, float, float]]) -> Roster:
        """This roster when ``(start, end, capacity)`` outages strike: during each, only the
        share ``capacity`` of the rostered pickers work (rounded down).
        """
        if not outages:
            return self
        steps, base = self.starts, self.pickers
        edges = np.array([x for s, e, _ in outages for x in (s, e)], dtype=float)
        starts = np.union1d(steps, edges)
        base = base[np.searchsorted(steps, starts, side="right") - 1]
        share = np.ones(starts.size)
        for s, e, capacity in outages:
            share[(starts >= s) & (starts < e)] *= capacity
        base = np.floor(base * share + 1e-9).astype(np.int64)
        starts, base = self._collapse(starts, base)
        return Roster(starts=starts, pickers=base)

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


#: Pickers per word of the idle bit set (int64 words, sign bit unused).
_WORD = 63
#: How the tree holds a busy picker who is never free again (inf): above every real time and
#: below the inf of an idle picker, so that the two stay apart.
_NEVER = np.finfo(np.float64).max
_ONE = np.uint64(1)


@numba.njit(cache=True, inline="always")
def _replay(busy_t, busy_k, k, t, leaves):
    """Give picker ``k`` the free time ``t`` and replay the matches on its way to the root.

    A tournament tree: leaf ``leaves + k`` holds picker ``k``, each node the earlier of its two
    children (the lower number on a tie), so the root is the first busy picker to be free.
    Every update plays the same number of matches, without a branch to mispredict.
    """
    node = np.uint64(leaves) + np.uint64(k)
    busy_t[node] = t
    while node > _ONE:
        other = node ^ _ONE
        t_other = busy_t[other]
        k_other = busy_k[other]
        wins = (t_other < t) | ((t_other == t) & (k_other < k))
        k = k_other if wins else k
        t = min(t, t_other)
        node >>= _ONE
        busy_t[node] = t
        busy_k[node] = k


@numba.njit(cache=True)
def _serve(arrivals, service, starts, pickers, busy_t, busy_k, idle, state, start, finish):
    """The FIFO recursion over a batch: busy pickers in a tournament tree by the time they are
    free (ties to the lower number), idle ones as bits of ``idle`` and inf in the tree.
    ``state`` carries the lowest word that may hold an idle picker and roster positions.
    """
    leaves = busy_t.size // 2
    first = state[0]
    at = state[1]
    done_at = state[2]
    for i in range(arrivals.size):
        a = arrivals[i]
        while busy_t[1] <= a:
            k = busy_k[1]
            idle[k // _WORD] |= np.int64(1) << (k % _WORD)
            first = min(first, k // _WORD)
            _replay(busy_t, busy_k, k, np.inf, leaves)
        best = np.inf
        best_k = -1
        from_idle = False
        while first < idle.size and idle[first] == 0:
            first += 1
        if first < idle.size:
            best_k = first * _WORD + trailing_zeros(idle[first])
            at = _step_index(starts, a, at)
            best = _next_on_duty_from(best_k, a, starts, pickers, at)
            from_idle = True
        if busy_t[1] < np.inf:
            t = np.inf if busy_t[1] == _NEVER else busy_t[1]
            if _before(t, busy_k[1], best, best_k):
                best = t
                best_k = busy_k[1]
                from_idle = False
        if best_k < 0:  # every picker busy for good: no order of the batch is ever picked
            start[i:] = np.inf
            finish[i:] = np.inf
            break
        done = best + service[i]
        start[i] = best
        finish[i] = done
        done_at = _step_index(starts, done, done_at)
        free = _next_on_duty_from(best_k, done, starts, pickers, done_at)
        if from_idle:
            idle[best_k // _WORD] &= ~(np.int64(1) << (best_k % _WORD))
        _replay(busy_t, busy_k, best_k, _NEVER if free == np.inf else free, leaves)
    state[0] = first
    state[1] = at
    state[2] = done_at


class QueueArrays(NamedTuple):
    """A :class:`PickingQueue`'s roster and state, as :func:`_serve` reads them."""

    starts: np.ndarray
    pickers: np.ndarray
    busy_t: np.ndarray
    busy_k: np.ndarray
    idle: np.ndarray
    state: np.ndarray


class PickingQueue:
    """The FIFO queue of a roster, carried from one batch of orders to the next."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        c = max(roster.max_pickers, 1)
        leaves = 1 << (c - 1).bit_length()
        self._busy_t = np.full(2 * leaves, np.inf)
        self._busy_k = np.empty(2 * leaves, dtype=np.int64)
        self._busy_k[leaves:] = np.arange(leaves)
        for node in range(leaves - 1, 0, -1):
            self._busy_k[node] = self._busy_k[2 * node]
        self._state = np.zeros(3, dtype=np.int64)
        self._idle = np.zeros(-(-c // _WORD), dtype=np.int64)
        for k in range(c):
            self._idle[k // _WORD] |= 1 << (k % _WORD)

    @property
    def arrays(self) -> QueueArrays:
        """The roster and the queue's state as the compiled recursion reads and writes them."""
        return QueueArrays(self.roster.starts, self.roster.pickers, self._busy_t, self._busy_k,
                           self._idle, self._state)

    def serve(self, arrivals: np.ndarray, pick_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and finish of picking for orders arriving (in order) at ``arrivals``."""
        arrivals = np.ascontiguousarray(arrivals, dtype=float)
        pick_hours = np.ascontiguousarray(pick_hours, dtype=float)
        start = np.empty_like(arrivals)
        finish = np.empty_like(arrivals)
        _serve(arrivals, pick_hours, self.roster.starts, self.roster.pickers, self._busy_t,
               self._busy_k, self._idle, self._state, start, finish)
        return start, finish
