"""Customers coming and coming back: new ones added, those due merged into the day's orders,
those just judged filed under the day of their next purchase.

A customer has one thing outstanding at a time (a purchase to come or a parcel in flight), so
each day's returning orders are those filed under that day, in the order they were filed.
Nothing happens to a customer between the evening they are judged and their next purchase, so
what they believe when they order (their trust in promises and the lead time they have
learned) is filed with them and read back with no visit to the customer base's records.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from sim.model._memory import AHEAD, prefetch
from sim.model.customer_store import CustomerBase
from sim.world.build import DayDraws, World
from sim.world.ordering import stable_order

__all__ = ["Returning", "ReturningPool", "add_customers", "expected_customers", "merge_returning"]

#: Columns of a filed customer's values: when they buy, their trust, their learned lead time.
DUE = 3


def expected_customers(world: World) -> int:
    """Room to reserve for the customers of a replication: half again the expected prospects
    (word of mouth moves the rate; more grow the arrays, fewer cost nothing).
    """
    return int(1.5 * world.demand.daily_rate[: world.days].sum()) + 1024


def add_customers(
    customers: CustomerBase, n: int, segments: np.random.Generator | None, *, firm: int = -1
) -> np.ndarray:
    """Ids of ``n`` new customers, a share of them in the negotiating segment, buying from
    ``firm`` (-1: none yet).
    """
    share = customers.behaviour.pushback_share
    business = None
    if share > 0 and segments is not None:
        business = segments.random(n) < share
    return customers.add(n, business=business, firm=firm)


#: Customers a block of the filing holds.
_BLOCK = 256


@numba.njit(cache=True)
def _file(ids, next_purchase, trust, learned, horizon, block_ids, block_due, following, fill,
          head, tail, free, top):
    """Append customers of ``ids`` (in order) who will buy before ``horizon`` to the chain of
    the day they will (a purchase before the first day, or never, is never taken), with their
    beliefs; ``top[0]`` free blocks are on the stack ``free``, enough for any filing.
    """
    size = block_ids.shape[1]
    flat_ids = block_ids.reshape(-1)
    flat_due = block_due.reshape(-1)
    for j in range(ids.size):
        if j + AHEAD < ids.size and ids[j + AHEAD] >= 0:
            prefetch(next_purchase, ids[j + AHEAD])
            prefetch(trust, ids[j + AHEAD])
        c = ids[j]
        if c < 0:
            continue
        when = next_purchase[c]
        if not 0.0 <= when < horizon:  # inf, never
            continue
        d = math.floor(when / 24.0)
        b = tail[d]
        if b < 0 or fill[b] == size:
            top[0] -= 1
            new = free[top[0]]
            fill[new] = 0
            following[new] = -1
            if b < 0:
                head[d] = new
            else:
                following[b] = new
            tail[d] = b = new
        k = fill[b]
        fill[b] = k + 1
        row = b * size + k
        flat_ids[row] = c
        flat_due[DUE * row] = when
        flat_due[DUE * row + 1] = trust[c]
        flat_due[DUE * row + 2] = learned[c]


@numba.njit(cache=True)
def _take(day, active, block_ids, block_due, following, fill, head, tail, free, top):
    """The customers filed under ``day`` who have not left, in order: their ids, when they
    buy and their beliefs; the day's blocks go back on the free stack.
    """
    n = 0
    b = head[day]
    while b >= 0:
        n += fill[b]
        b = following[b]
    kept = np.empty(n, dtype=np.int64)
    when = np.empty(n)
    beliefs = np.empty((n, 2))
    n = 0
    b = head[day]
    while b >= 0:
        for k in range(fill[b]):
            if k + AHEAD < fill[b]:
                prefetch(active, block_ids[b, k + AHEAD])
            c = block_ids[b, k]
            if active[c]:
                kept[n] = c
                when[n] = block_due[b, k, 0]
                beliefs[n, 0] = block_due[b, k, 1]
                beliefs[n, 1] = block_due[b, k, 2]
                n += 1
        free[top[0]] = b
        top[0] += 1
        b = following[b]
    head[day] = tail[day] = -1
    return kept[:n], when[:n], beliefs[:n]


class ReturningPool(NamedTuple):
    """The arrays of :class:`Returning`, as its compiled passes read them."""

    ids: np.ndarray
    due: np.ndarray
    following: np.ndarray
    fill: np.ndarray
    head: np.ndarray
    tail: np.ndarray
    free: np.ndarray
    top: np.ndarray


class Returning:
    """Customers who will buy again, filed under the day they will, in the order filed, each
    with when they buy and what they believe then: chains of blocks, one chain a day, taken
    from and given back to one pool.
    """

    def __init__(self, days: int, *, capacity: int = 0) -> None:
        """Purchases of the first ``days`` days are filed; later ones never come. Room for
        ``capacity`` customers at once is reserved (more grow the pool; room not used costs
        address space, not memory).
        """
        self.days = days
        self._blocks = 0
        self._ids = np.empty((0, _BLOCK), dtype=np.int64)
        self._due = np.empty((0, _BLOCK, DUE))
        self._following = np.empty(0, dtype=np.int64)
        self._fill = np.empty(0, dtype=np.int64)
        self._free = np.empty(0, dtype=np.int64)
        self._top = np.zeros(1, dtype=np.int64)
        self._head = np.full(days, -1, dtype=np.int64)
        self._tail = np.full(days, -1, dtype=np.int64)
        if capacity:
            self._grow(capacity // _BLOCK + days + 1)

    def file(self, ids: np.ndarray, customers: CustomerBase) -> None:
        """File customers ``ids`` (in order; -1 for none) under the day of their next purchase,
        with their trust in promises and their learned lead time.
        """
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.reserve(ids.size // _BLOCK + min(ids.size, self.days) + 1)
        _file(ids, customers.next_purchase, customers.trust, customers.learned, self.days * 24.0,
              self._ids, self._due, self._following, self._fill, self._head, self._tail,
              self._free, self._top)

    @property
    def pool(self) -> ReturningPool:
        """The chains and blocks as the compiled passes read them (valid until the pool grows)."""
        return ReturningPool(self._ids, self._due, self._following, self._fill, self._head,
                             self._tail, self._free, self._top)

    def reserve(self, blocks: int) -> None:
        """At least ``blocks`` free blocks."""
        if int(self._top[0]) < blocks:
            self._grow(blocks)

    def _grow(self, blocks: int) -> None:
        more = max(blocks, self._blocks)
        total = self._blocks + more
        for name, shape in (("_ids", (total, _BLOCK)), ("_due", (total, _BLOCK, DUE)),
                            ("_following", (total,)), ("_fill", (total,))):
            old = getattr(self, name)
            grown = np.empty(shape, dtype=old.dtype)
            grown[: self._blocks] = old
            setattr(self, name, grown)
        top = int(self._top[0])
        free = np.empty(total, dtype=np.int64)
        free[:top] = self._free[:top]
        free[top: top + more] = np.arange(total - 1, self._blocks - 1, -1)
        self._free, self._top[0], self._blocks = free, top + more, total

    def take(
        self, day: int, active: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The customers due on ``day`` who are still ``active``, in the order filed: their
        ids, when they buy and their beliefs (trust, learned lead time) as rows.
        """
        return _take(day, active, self._ids, self._due, self._following, self._fill,
                     self._head, self._tail, self._free, self._top)


@numba.njit(cache=True)
def _merge(arrival, pick_hours, luck, ids, initial_trust, when, back_pick, back_luck, back,
           back_beliefs, back_order, out_arrival, out_pick, out_luck, out_ids, out_trust,
           out_learned):
    """Merge the day's sorted new orders with returning ones (in ``back_order``, their stable
    order of time), a new order first on a tie, with what each customer believes; False,
    writing nothing, if ``arrival`` is not sorted.
    """
    n, m = arrival.size, when.size
    for i in range(1, n):
        if arrival[i] < arrival[i - 1]:
            return False
    i = k = 0
    for j in range(m + 1):
        until = when[back_order[j]] if j < m else np.nan
        while i < n and (j == m or arrival[i] <= until):
            out_arrival[k] = arrival[i]
            out_pick[k] = pick_hours[i]
            out_luck[k] = luck[i]
            out_ids[k] = ids[i]
            out_trust[k] = initial_trust
            out_learned[k] = np.nan
            i += 1
            k += 1
        if j < m:
            b = back_order[j]
            out_arrival[k] = until
            out_pick[k] = back_pick[b]
            out_luck[k] = back_luck[b]
            out_ids[k] = back[b]
            out_trust[k] = back_beliefs[b, 0]
            out_learned[k] = back_beliefs[b, 1]
            k += 1
    return True


def merge_returning(
    world: World,
    draws: DayDraws,
    new: np.ndarray,
    customers: CustomerBase,
    returning: Returning,
    day: int,
    warehouse_rng: np.random.Generator,
    carrier_rng: np.random.Generator,
    handling_rng: np.random.Generator | None = None,
) -> tuple[DayDraws, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The first orders of ``day``'s new customers ``new`` merged with those of returning ones
    (see :meth:`Returning.take`), and what each customer believes as they order (trust,
    learned lead time; a new customer's are those of :meth:`CustomerBase.add`).

    Orders come in order of time, a new customer's first on a tie; customers due who have left
    since are dropped. Returning orders draw their work from the day's streams
    (:meth:`World.draw_work`), handling from ``handling_rng`` in a world with that stage.
    """
    back, when, beliefs = returning.take(day, customers.active)
    initial_trust = float(customers.behaviour.initial_trust)
    if back.size == 0:
        return draws, new, (np.full(new.size, initial_trust), np.full(new.size, np.nan))
    extra = world.draw_work(back.size, warehouse_rng, carrier_rng, handling_rng)
    size = draws.arrival.size + back.size
    merged = DayDraws(np.empty(size), np.empty(size), np.empty(size))
    out_ids, trust, learned = np.empty(size, dtype=np.int64), np.empty(size), np.empty(size)
    if extra.handling is None and _merge(
            draws.arrival, draws.pick_hours, draws.luck, new, initial_trust, when,
            extra.pick_hours, extra.luck, back, beliefs, stable_order(when), merged.arrival,
            merged.pick_hours, merged.luck, out_ids, trust, learned):
        return merged, out_ids, (trust, learned)
    arrival = np.concatenate([draws.arrival, when])
    order = np.argsort(arrival, kind="stable")
    handling = (None if extra.handling is None or draws.handling is None
                else np.concatenate([draws.handling, extra.handling])[order])
    merged = DayDraws(
        arrival[order],
        np.concatenate([draws.pick_hours, extra.pick_hours])[order],
        np.concatenate([draws.luck, extra.luck])[order],
        handling,
    )
    trust = np.concatenate([np.full(new.size, initial_trust), beliefs[:, 0]])[order]
    learned = np.concatenate([np.full(new.size, np.nan), beliefs[:, 1]])[order]
    return merged, np.concatenate([new, back])[order], (trust, learned)
