"""Parcels in flight: filed under the day they are delivered, one cache line a parcel.

Each day's shipment is delivered (the carrier's clock, the disruptions, the season's peaks),
sorted by delivery day, and written as rows into that day's block, with what the customer will
judge it against: the point of the promise that sets expectations and the customer's own
expectation, read on the carrier's clock when they ordered. At the end of a day its block is
read as :class:`Parcels`, as is; blocks nobody holds any more are reused for later days.
"""

from __future__ import annotations

import itertools
import math
import sys
from typing import NamedTuple

import numba
import numpy as np

from sim.model._memory import cache_lines
from sim.model.calendar import CarrierClock, business_clock
from sim.model.customers import expectation
from sim.model.disruptions import TransitSteps
from sim.model.promise import Quote
from sim.model.satisfaction import promise_point
from sim.world.booking import deliver_parcels

__all__ = ["InFlight", "Parcels"]


class Parcels(NamedTuple):
    """Parcels delivered: when they were ordered and promised (hours), by which service, when
    they arrive, what their customers expected (on the carrier's clock), and who ordered them
    (-1: nobody remembered).
    """

    arrival: np.ndarray
    latest: np.ndarray
    service: np.ndarray
    delivered: np.ndarray
    ordered_b: np.ndarray
    reference_b: np.ndarray
    expected_b: np.ndarray
    customer: np.ndarray

    @classmethod
    def of_rows(cls, rows: np.ndarray) -> Parcels:
        """Parcels whose fields are the columns of ``rows``, one cache line a parcel: arrival,
        latest, delivered, ordered_b, reference_b, expected_b, then service and customer
        (integers stored in the floats' bits).
        """
        ints = _int_columns(rows)
        return cls(rows[:, 0], rows[:, 1], ints[:, 0], rows[:, 2], rows[:, 3], rows[:, 4],
                   rows[:, 5], ints[:, 1])


def _rows_block(capacity: int) -> np.ndarray:
    """Room for ``capacity`` parcels' rows, a row a cache line."""
    return cache_lines(capacity).view(np.float64)


def _int_columns(rows: np.ndarray) -> np.ndarray:
    """The integer columns (service, customer) of ``rows``, as a view of the same memory."""
    return rows.view(np.int64)[:, 6:]


class _Rows:
    """Parcels filed under one delivery day, as rows (see :meth:`Parcels.of_rows`) in a block
    that grows by doubling: each ship writes its parcels in place, judging reads them as is.
    Once judged, a block nobody else holds a view of files another day's parcels: fresh
    memory costs more than writing them (the kernel clears it first).
    """

    def __init__(self, capacity: int) -> None:
        self.rows = _rows_block(capacity)
        self.size = 0

    def extend(self, n: int) -> np.ndarray:
        """Room for ``n`` more parcels: the rows to write them in."""
        needed = self.size + n
        if needed > self.rows.shape[0]:
            grown = _rows_block(max(needed, 2 * self.rows.shape[0]))
            grown[: self.size] = self.rows[: self.size]
            self.rows = grown
        start, self.size = self.size, needed
        return self.rows[start:needed]

    def parcels(self) -> Parcels:
        """The parcels filed, in order of filing."""
        return Parcels.of_rows(self.rows[: self.size])

    def unused(self) -> bool:
        """Whether no view of the block is left (the block's own references aside)."""
        return sys.getrefcount(self.rows.base) == 2  # the memory's owner: views hold it


class InFlight:
    """One firm's parcels in flight, by delivery day, in order of shipping."""

    def __init__(self) -> None:
        self._days: dict[int, _Rows] = {}
        #: Blocks judged, the last one until the next day is taken, the others to be reused.
        self._taken: _Rows | None = None
        self._spare: list[_Rows] = []

    def __bool__(self) -> bool:
        """Whether any parcel is still in flight."""
        return bool(self._days)

    def ship(
        self,
        arrival: np.ndarray,
        quote: Quote,
        customer: np.ndarray,
        dispatch: np.ndarray,
        transit: np.ndarray,
        *,
        steps: TransitSteps,
        peak_transit: np.ndarray,
        clock: CarrierClock,
        reference: int,
        beliefs: tuple[np.ndarray, np.ndarray],
    ) -> np.ndarray:
        """Deliver orders leaving at ``dispatch`` after ``transit`` undisturbed days and file
        them under their delivery day; their delivery times (not filed if one is not finite).

        ``reference`` is the point of a promise that sets expectations (a
        :class:`~sim.model.satisfaction.Reference`), ``beliefs`` the customers' trust and
        learned lead time as they ordered (empty arrays: the promise is the expectation).
        """
        n = arrival.size
        delivered = np.empty(n)
        first, starts, order = _deliver(dispatch, transit, steps, peak_transit, clock,
                                        delivered)
        trust, learned = beliefs
        for k, (a, b) in enumerate(itertools.pairwise(starts.tolist())):
            if a == b:
                continue
            filed = self._days.get(first + k)
            if filed is None:
                filed = self._days[first + k] = (self._spare.pop() if self._spare
                                                 else _Rows(4 * max(b - a, n)))
            _file_rows(order[a:b], arrival, quote.earliest, quote.latest, quote.service,
                       customer, delivered, clock, reference, trust, learned, filed.extend(b - a))
        return delivered

    def take(self, day: int) -> Parcels | None:
        """The parcels delivered on ``day`` (None if none), no longer in flight."""
        if self._taken is not None and self._taken.unused():
            self._taken.size = 0
            self._spare.append(self._taken)
        rows = self._taken = self._days.pop(day, None)
        return None if rows is None else rows.parcels()


@numba.njit(cache=True)
def _deliver(dispatch, transit, steps, peak_transit, clock, delivered):
    """Deliver parcels leaving at ``dispatch`` as :meth:`Carrier.deliver` does, with the
    truck's clock and transit effect worked out once a truck. Returns the first day a parcel
    is delivered on, the parcels in order of their delivery day (stable) and where each day's
    start in that order, the first day's and those of every day after (nothing if a delivery
    is not finite).
    """
    n = dispatch.size
    deliver_parcels(dispatch, transit, steps, peak_transit, clock, delivered, 0, n)
    finite = True
    for i in range(n):
        finite &= delivered[i] < np.inf
    if n == 0 or not finite:
        return 0, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    day = np.empty(n, dtype=np.int64)
    first = last = math.floor(delivered[0] / 24.0)
    for i in range(n):
        d = math.floor(delivered[i] / 24.0)
        day[i] = d
        first = min(first, d)
        last = max(last, d)
    start = np.zeros(last - first + 2, dtype=np.int64)
    for i in range(n):
        start[day[i] - first + 1] += 1
    total = 0
    for k in range(start.size):
        total += start[k]
        start[k] = total
    order = np.empty(n, dtype=np.int64)
    fill = start[:-1].copy()
    for i in range(n):
        k = day[i] - first
        order[fill[k]] = i
        fill[k] += 1
    return first, start, order


@numba.njit(cache=True)
def _file_rows(order, arrival, earliest, latest, service, customer, delivered, clock, reference,
               trust, learned, rows):
    """Read the carrier's clock when the parcels in ``order`` were ordered, at the point of
    their promise that sets expectations and (with their customers' ``trust`` and ``learned``
    lead times) at what their customer expects, and write them as ``rows`` (see
    :meth:`Parcels.of_rows`).
    """
    ints = rows.view(np.int64)
    for r in range(order.size):
        i = order[r]
        point = promise_point(reference, earliest[i], latest[i])
        ordered_b = business_clock(arrival[i], clock.delivered_before, clock.delivery)
        reference_b = business_clock(point, clock.delivered_before, clock.delivery)
        rows[r, 0] = arrival[i]
        rows[r, 1] = latest[i]
        rows[r, 2] = delivered[i]
        rows[r, 3] = ordered_b
        rows[r, 4] = reference_b
        rows[r, 5] = (ordered_b + expectation(trust[i], learned[i], reference_b - ordered_b)
                      if trust.size else reference_b)
        ints[r, 6] = service[i]
        ints[r, 7] = customer[i]
