"""The built-in promises as the compiled day loop quotes them, with negotiated cuts.

Each quote is :meth:`~sim.model.promise.Tight.quote`, :meth:`~sim.model.promise.Buffer.quote`
or :meth:`~sim.model.promise.Controlled.quote` on a day's orders, and a customer who has pushed
back gets the shorter quote :meth:`sim.world.firm.Firm.quote` gives: the same calendar kernels,
the same arithmetic in the same order. A controlled window reads the disruptions the firm
knows of as :meth:`~sim.model.disruptions.DisruptionSchedule.started_by` the day's last order
sees them: the transit steps of each prefix of the schedule, worked out in Python once.
"""

from __future__ import annotations

import enum
import math
from typing import NamedTuple

import numba
import numpy as np

from sim.model.calendar import _delivery_day_ends, _next_trucks, delivery_time
from sim.model.disruptions import DisruptionSchedule
from sim.model.promise import Buffer, Controlled, PromiseStrategy, Tight

__all__ = ["QuoteKind", "QuotePlan", "quote_plan"]


class QuoteKind(enum.IntEnum):
    """Which built-in promise."""

    TIGHT = 0
    BUFFER = 1
    CONTROLLED = 2


class QuotePlan(NamedTuple):
    """A built-in strategy and what its quotes read: ``near`` and ``far`` days (tight: both
    its nominal days; buffer: its window; controlled: trucks committed to), the controlled
    window's transit quantiles, the calendar's trucks, and the known disruptions' transit
    steps for each number of events started (``known_from[k]`` to ``known_from[k + 1]``).
    """

    kind: int
    near: int
    far: int
    service: int
    n_services: int
    low_days: float
    high_days: float
    pickup: np.ndarray
    cutoff: float
    truck_from_day: np.ndarray
    trucks: np.ndarray
    close: float
    starts: np.ndarray
    known_from: np.ndarray
    known_edges: np.ndarray
    known_multiplier: np.ndarray
    known_delay: np.ndarray


def quote_plan(strategy: PromiseStrategy, world, schedule: DisruptionSchedule) -> QuotePlan | None:
    """The plan of a built-in ``strategy`` in ``world`` under ``schedule`` (None for others)."""
    calendar, carrier = world.calendar, world.carrier
    low = high = 0.0
    if type(strategy) is Tight:
        kind, near, far = QuoteKind.TIGHT, strategy.nominal_days, strategy.nominal_days
    elif type(strategy) is Buffer:
        kind, near, far = QuoteKind.BUFFER, strategy.min_days, strategy.max_days
    elif type(strategy) is Controlled:
        kind, near, far = QuoteKind.CONTROLLED, strategy.dispatch_days, 0
        low = carrier.quantile_days(strategy.service, strategy.low)
        high = carrier.quantile_days(strategy.service, strategy.high)
    else:
        return None
    prefixes = [_prefix(schedule, k).transit_steps() for k in range(len(schedule) + 1)]
    return QuotePlan(
        kind=int(kind), near=int(near), far=int(far), service=int(strategy.service),
        n_services=len(carrier.services), low_days=float(low), high_days=float(high),
        pickup=calendar.pickup, cutoff=float(calendar.cutoff_hour),
        truck_from_day=calendar._truck_from_day, trucks=calendar.truck_times,
        close=float(calendar.delivery_close), starts=np.ascontiguousarray(schedule.start),
        known_from=np.cumsum([0] + [p.edges.size for p in prefixes]),
        known_edges=np.concatenate([p.edges for p in prefixes]),
        known_multiplier=np.concatenate([p.multiplier for p in prefixes]),
        known_delay=np.concatenate([p.delay for p in prefixes]),
    )


def _prefix(schedule: DisruptionSchedule, k: int) -> DisruptionSchedule:
    """The first ``k`` events (in order of start): what ``started_by`` keeps."""
    return DisruptionSchedule(schedule.kind[:k], schedule.start[:k], schedule.end[:k],
                              schedule.warehouse_capacity[:k], schedule.transit_multiplier[:k],
                              schedule.transit_delay_days[:k])


@numba.njit(cache=True)
def next_truck_times(t, plan):
    """The first truck at or after each ``t``, and whether every one has a truck."""
    out = np.empty(t.size)
    _next_trucks(t, plan.pickup, plan.cutoff, plan.truck_from_day, plan.trucks, out)
    found = True
    for x in out:
        found &= x < np.inf
    return out, found


@numba.njit(cache=True)
def _promise_ends(t, n, plan, clock):
    out = np.empty(t.size)
    _delivery_day_ends(t, n, clock.delivered_before, clock.delivery_days, plan.close, out)
    return out


@numba.njit(cache=True)
def _controlled(arrival, plan, clock, peak_transit):
    """The controlled window: from the committed truck, the low and high transit quantiles
    under the disruptions known at the day's last order, each to the end of its day.
    """
    n = arrival.size
    earliest, latest = np.empty(n), np.empty(n)
    k = np.searchsorted(plan.starts, arrival[n - 1], side="right") if n else 0
    edges = plan.known_edges[plan.known_from[k]:plan.known_from[k + 1]]
    multiplier = plan.known_multiplier[plan.known_from[k]:plan.known_from[k + 1]]
    delay = plan.known_delay[plan.known_from[k]:plan.known_from[k + 1]]
    last = plan.trucks.size - 1
    for i in range(n):
        first = np.searchsorted(plan.trucks, arrival[i], side="left")
        committed = plan.trucks[min(first + plan.near, last)]
        factor, added = 1.0, 0.0
        step = np.searchsorted(edges, arrival[i], side="right") - 1
        if step >= 0:
            factor, added = multiplier[step], delay[step]
        peak = peak_transit[min(math.floor(committed / 24.0), peak_transit.size - 1)]
        earliest[i] = _window_end(committed, plan.low_days, factor, peak, added, plan, clock)
        latest[i] = _window_end(committed, plan.high_days, factor, peak, added, plan, clock)
    return earliest, latest


@numba.njit(cache=True, inline="always")
def _window_end(committed, days, factor, peak, added, plan, clock):
    """The end of the delivery day a parcel leaving at ``committed`` reaches after ``days``
    of transit under the known disruption (``factor``, ``added``) and the season's ``peak``.
    """
    at = delivery_time(committed, days * factor * peak + added, clock.delivered_before,
                       clock.delivery, clock.delivery_days, clock.opens, clock.closes)
    return np.int64(math.floor(at / 24.0)) * 24.0 + plan.close


@numba.njit(cache=True)
def built_in_quote(arrival, plan, clock, peak_transit):
    """Each order's window and whether every order found a truck (tight promises only)."""
    if plan.kind == QuoteKind.TIGHT:
        trucks, found = next_truck_times(arrival, plan)
        if not found:
            return arrival, arrival, False
        due = _promise_ends(trucks, plan.near, plan, clock)
        return due, due.copy(), True
    if plan.kind == QuoteKind.BUFFER:
        return (_promise_ends(arrival, plan.near, plan, clock),
                _promise_ends(arrival, plan.far, plan, clock), True)
    earliest, latest = _controlled(arrival, plan, clock, peak_transit)
    return earliest, latest, True


@numba.njit(cache=True)
def negotiated(arrival, earliest, latest, customer, cut, firm, firm_index, clock, close):
    """The quotes of customers of ``firm_index`` who have negotiated a cut, shortened by whole
    delivery days (never before the first delivery day after the order, never longer), and
    every window's start no later than its end.
    """
    delivered_before, delivery_days = clock.delivered_before, clock.delivery_days
    for i in range(arrival.size):
        c = customer[i]
        if c < 0 or cut[c] <= 0 or firm[c] != firm_index:
            continue
        latest_day = np.int64(math.floor(latest[i] / 24.0))
        floor_day = delivery_days[delivered_before[np.int64(math.floor(arrival[i] / 24.0)) + 1]]
        index = min(max(delivered_before[latest_day] - np.int64(cut[c]), 0),
                    delivery_days.size - 1)
        day = min(latest_day, max(delivery_days[index], floor_day))
        latest[i] = min(latest[i], day * 24.0 + close)
    for i in range(arrival.size):
        earliest[i] = min(earliest[i], latest[i])
