"""The days of a customer world in one compiled loop: orders taken, picked, quoted, shipped and
filed, the day's deliveries judged, customers learning, word of mouth, the ledger.

This is the day of :func:`sim.world.days.run_days` for one firm with a built-in strategy
(:mod:`sim.world.day_loop` says which worlds), without a Python call between its steps: about
400 µs of interpreter work a simulated day became a few. Everything is done in the order the
scheduled days do it, from the same numbers: new orders' counts and times from the demand
stream, drawn here through the bit generator; pick hours and transit days from the warehouse
and carrier streams, drawn ahead in Python (each is one draw an order, in order, so drawing
ahead gives the same numbers); each day's customer luck from its named stream
(:mod:`sim.model.seeding`). The loop leaves for Python at the end of each week (the weekly
snapshot sums as numpy sums), when a pool must grow, and on an error, and resumes where it
left.
"""

from __future__ import annotations

import enum
import math
from typing import NamedTuple

import numba
import numpy as np

from sim.model.calendar import business_clock
from sim.model.customers import expectation
from sim.model.demand import _day_times, _poisson, _uniform
from sim.model.promise import _quote_fault
from sim.model.satisfaction import promise_point
from sim.model.seeding import fill_uniforms
from sim.model.warehouse import _serve
from sim.world.built_in_quotes import QuotePlan, built_in_quote, negotiated, next_truck_times
from sim.world.judging import _judge
from sim.world.ordering import _bucket_order
from sim.world.parcels import Parcels, _deliver
from sim.world.returning import _file, _merge, _take

__all__ = ["DayPlan", "FlightPool", "Status", "Tally", "run_days_compiled"]

#: Parcels a block of the in-flight pool holds.
FLIGHT_BLOCK = 64


class Status(enum.IntEnum):
    """Why the loop returned: done, a week ended, a pool must grow, or an error."""

    DONE = 0
    WEEK = 1
    GROW_ORDERS = 2
    GROW_CLOSE = 3
    FALLS_BEHIND = 4
    TOO_LONG = 5
    QUOTE_FAULT = 6
    NO_TRUCK = 7


class Tally(enum.IntEnum):
    """Positions in the loop's running scalars: the ledger's totals first (as ``TOTALS``)."""

    REFUSALS = 11
    NEW_CUSTOMERS = 12
    SCORE = 13
    CUSTOMERS = 14
    PROSPECTS = 15
    WON = 16
    BOUGHT = 17
    SIZE = 18


class DayPlan(NamedTuple):
    """What the loop reads and never writes: the horizon, the demand, the strategy's quotes,
    the firm, the share of customers who negotiate, word of mouth, and the luck streams.
    """

    days: int
    warmup_days: int
    rates: np.ndarray
    hourly_cdf: np.ndarray
    quotes: QuotePlan
    limit: float
    firm: int
    pushback_share: float
    reference: int
    initial_trust: float
    fresh: np.ndarray
    keep: float
    positive_reach: float
    negative_reach: float
    effect: float
    names: np.ndarray
    entropy: np.ndarray


class FlightPool(NamedTuple):
    """Parcels in flight as rows (see :meth:`Parcels.of_rows`) in chains of blocks, one chain
    a delivery day, in the order filed (``ints`` is the same memory as 64-bit integers), and
    how many are flying.
    """

    rows: np.ndarray
    ints: np.ndarray
    following: np.ndarray
    fill: np.ndarray
    head: np.ndarray
    tail: np.ndarray
    free: np.ndarray
    top: np.ndarray
    flying: np.ndarray


class Work(NamedTuple):
    """Pick hours and undisturbed transit days drawn ahead, one each an order (transit a row
    for each service level quoted), from ``cursor[0]`` on.
    """

    pick: np.ndarray
    transit: np.ndarray
    cursor: np.ndarray


@numba.njit(cache=True)
def _chain_length(head, following, fill, day):
    n = 0
    b = head[day]
    while b >= 0:
        n += fill[b]
        b = following[b]
    return n


@numba.njit(cache=True)
def _arrivals(bits, rate, day, cdf):
    """The day's new orders as ``rng.random(rng.poisson(rate))`` placed in the day."""
    n = _poisson(bits, rate)
    u = np.empty(n)
    for i in range(n):
        u[i] = _uniform(bits)
    out = np.empty(n)
    _day_times(u, day, cdf, out)
    return out


@numba.njit(cache=True, inline="always")
def _file_flight(flight, day, arrival, earliest, latest, service, customer, delivered, trust,
                 learned, i, clock, reference):
    """Append order ``i`` to the chain of delivery ``day`` (a free block is at hand)."""
    size = flight.rows.shape[1]
    b = flight.tail[day]
    if b < 0 or flight.fill[b] == size:
        flight.top[0] -= 1
        new = flight.free[flight.top[0]]
        flight.fill[new] = 0
        flight.following[new] = -1
        if b < 0:
            flight.head[day] = new
        else:
            flight.following[b] = new
        flight.tail[day] = b = new
    k = flight.fill[b]
    flight.fill[b] = k + 1
    point = promise_point(reference, earliest[i], latest[i])
    ordered_b = business_clock(arrival[i], clock.delivered_before, clock.delivery)
    reference_b = business_clock(point, clock.delivered_before, clock.delivery)
    rows = flight.rows
    rows[b, k, 0] = arrival[i]
    rows[b, k, 1] = latest[i]
    rows[b, k, 2] = delivered[i]
    rows[b, k, 3] = ordered_b
    rows[b, k, 4] = reference_b
    rows[b, k, 5] = ordered_b + expectation(trust[i], learned[i], reference_b - ordered_b)
    flight.ints[b, k, 6] = service[i]
    flight.ints[b, k, 7] = customer[i]


@numba.njit(cache=True)
def _ship(flight, arrival, earliest, latest, service, customer, dispatch, transit, trust, learned,
          steps, peak_transit, clock, reference):
    """Deliver the day's parcels and file them under their delivery days as
    :meth:`InFlight.ship` does (in order of delivery day, stable); False, filing nothing, if a
    delivery is not finite.
    """
    delivered = np.empty(arrival.size)
    first, starts, order = _deliver(dispatch, transit, steps, peak_transit, clock, delivered)
    if order.size < arrival.size:
        return delivered, False
    for k in range(starts.size - 1):
        for r in range(starts[k], starts[k + 1]):
            _file_flight(flight, first + k, arrival, earliest, latest, service, customer,
                         delivered, trust, learned, order[r], clock, reference)
    flight.flying[0] += arrival.size
    return delivered, True


@numba.njit(cache=True)
def _take_flight(flight, day):
    """The parcels filed under ``day`` as rows, in order filed; the blocks go back to the pool."""
    n = _chain_length(flight.head, flight.following, flight.fill, day)
    rows = np.empty((n, flight.rows.shape[2]))
    k = 0
    b = flight.head[day]
    while b >= 0:
        m = flight.fill[b]
        rows[k:k + m] = flight.rows[b, :m]
        k += m
        flight.free[flight.top[0]] = b
        flight.top[0] += 1
        b = flight.following[b]
    flight.head[day] = flight.tail[day] = -1
    flight.flying[0] -= n
    return rows


@numba.njit(cache=True)
def _stable_rank(keys):
    order, done = _bucket_order(keys)
    if not done:
        order = np.argsort(keys, kind="mergesort")
    rank = np.empty(order.size, dtype=np.int64)
    for k in range(order.size):
        rank[order[k]] = k
    return rank


@numba.njit(cache=True)
def new_customers(n, plan, segments, customers, words, shared):
    """Ids of ``n`` new customers, written into the base (``shared`` counts them) as
    :meth:`CustomerBase.add` writes them, a share in the negotiating segment.
    """
    size = int(shared[Tally.CUSTOMERS])
    for c in range(size, size + n):
        for k in range(words.shape[1]):
            words[c, k] = plan.fresh[k]
        customers.trust[c] = plan.initial_trust
        customers.active[c] = True
    if plan.pushback_share > 0:
        for c in range(size, size + n):
            customers.business[c] = _uniform(segments) < plan.pushback_share
    shared[Tally.CUSTOMERS] = size + n
    return np.arange(size, size + n)


@numba.njit(cache=True)
def _take_orders(day, arrival, plan, segments, clock, queue, steps, peak_transit, customers,
                 words, back, flight, work, tally):
    """Day ``day``'s orders from new customers arriving at ``arrival`` and returning ones:
    picked, quoted, shipped and filed. Returns a :class:`Status` and the day it names.
    """
    n = arrival.size
    ids = new_customers(n, plan, segments, customers, words, tally)
    if day >= plan.warmup_days:
        tally[Tally.NEW_CUSTOMERS] += n
    kept, when, beliefs = _take(day, customers.active, back.ids, back.due, back.following,
                                back.fill, back.head, back.tail, back.free, back.top)
    m = kept.size
    at = work.cursor[0]
    work.cursor[0] = at + n + m
    if m == 0:
        pick = work.pick[at:at + n]
        transit = work.transit[0, at:at + n]
        customer = ids
        trust = np.full(n, plan.initial_trust)
        learned = np.full(n, np.nan)
    else:
        order, done = _bucket_order(when)
        if not done:
            order = np.argsort(when, kind="mergesort")
        size = n + m
        merged, pick, transit = np.empty(size), np.empty(size), np.empty(size)
        customer = np.empty(size, dtype=np.int64)
        trust, learned = np.empty(size), np.empty(size)
        _merge(arrival, work.pick[at:at + n], work.transit[0, at:at + n], ids,
               plan.initial_trust, when, work.pick[at + n:at + n + m],
               work.transit[0, at + n:at + n + m], kept, beliefs, order, merged, pick, transit,
               customer, trust, learned)
        arrival = merged
    total = arrival.size
    if total == 0:
        return Status.DONE, day
    start, finish = np.empty(total), np.empty(total)
    _serve(arrival, pick, queue.starts, queue.pickers, queue.busy_t, queue.busy_k, queue.idle,
           queue.state, start, finish)
    for i in range(total):
        if not finish[i] <= plan.limit:
            return Status.FALLS_BEHIND, math.floor(arrival[i] / 24.0)
    earliest, latest, found = built_in_quote(arrival, plan.quotes, clock, peak_transit)
    if not found:
        return Status.NO_TRUCK, day
    if plan.pushback_share > 0:
        negotiated(arrival, earliest, latest, customer, customers.cut, customers.firm, plan.firm,
                   clock, plan.quotes.close)
    service = np.full(total, plan.quotes.service)
    fault = _quote_fault(earliest, latest, service, arrival, plan.quotes.n_services)
    if fault:
        return Status.QUOTE_FAULT, fault
    dispatch, found = next_truck_times(finish, plan.quotes)
    if not found:
        return Status.NO_TRUCK, day
    delivered, filed = _ship(flight, arrival, earliest, latest, service, customer, dispatch,
                             transit, trust, learned, steps, peak_transit, clock, plan.reference)
    if not filed:
        for i in range(total):
            if not delivered[i] < np.inf:
                return Status.TOO_LONG, math.floor(dispatch[i] / 24.0)
    return Status.DONE, day


@numba.njit(cache=True)
def close_day(day, plan, names, clock, rule, terms, books, p, customers, back, flight, tally,
              shared):
    """Judge a firm's parcels delivered on ``day`` (its customers' luck from the stream of
    ``names[day]``), book them, file the customers who will buy again and fold the day's
    word of mouth into the firm's reputation (``tally``); refused cuts go to ``shared``.
    """
    rows = _take_flight(flight, day)
    n = rows.shape[0]
    if n == 0:
        return
    ints = rows.view(np.int64)
    parcels = Parcels(rows[:, 0], rows[:, 1], ints[:, 6], rows[:, 2], rows[:, 3], rows[:, 4],
                      rows[:, 5], ints[:, 7])
    entropy = plan.entropy.copy()
    entropy[-1] = names[day]
    luck = np.empty((n, 3))
    fill_uniforms(entropy, luck.reshape(-1))
    totals, talk = _judge(parcels, clock, rule, terms, books, (day + 1) * 24.0,
                          _stable_rank(parcels.delivered), luck, p, customers)
    if totals[0] > 0:
        for k in range(totals.size):
            tally[k] += totals[k]
    _file(np.ascontiguousarray(parcels.customer), customers.next_purchase, customers.trust,
          customers.learned, plan.days * 24.0, back.ids, back.due, back.following, back.fill,
          back.head, back.tail, back.free, back.top)
    shared[Tally.REFUSALS] += talk[2]
    said = plan.positive_reach * talk[0] - plan.negative_reach * talk[1]
    tally[Tally.SCORE] = plan.keep * tally[Tally.SCORE] + (1.0 - plan.keep) * said / n


@numba.njit(cache=True)
def run_days_compiled(day, ordered, pending, has_pending, plan, bits, segments, clock, queue,
                      steps, peak_transit, rule, terms, books, p, customers, words, back, flight,
                      work, tally, needs):
    """Run days from ``day`` (its orders already taken if ``ordered``; its new orders already
    drawn, ``pending``, if ``has_pending``) until the replication ends, a week ends, a pool must
    grow or an error stops it. Returns the :class:`Status`, the day (or the quote's fault),
    whether the replication is over, and the new orders drawn but not taken (to pass back
    as ``pending``).
    """
    while True:
        if not ordered and day < plan.days:
            if not has_pending:
                scale = math.exp(plan.effect * tally[Tally.SCORE])
                arrival = _arrivals(bits, plan.rates[day] * scale, day, plan.hourly_cdf)
            else:
                arrival = pending
            m = _chain_length(back.head, back.following, back.fill, day)
            orders = arrival.size + m
            needs[0] = int(tally[Tally.CUSTOMERS]) + arrival.size
            needs[1] = orders
            needs[2] = orders // flight.rows.shape[1] + min(orders, flight.head.size) + 1
            if (needs[0] > customers.trust.size or work.cursor[0] + orders > work.pick.size
                    or needs[2] > flight.top[0]):
                return Status.GROW_ORDERS, day, False, arrival
            status, at = _take_orders(day, arrival, plan, segments, clock, queue, steps,
                                      peak_transit, customers, words, back, flight, work, tally)
            if status != Status.DONE:
                return status, at, False, pending[:0]
        has_pending = False
        ordered = False
        n = _chain_length(flight.head, flight.following, flight.fill, day)
        needs[3] = n // back.ids.shape[1] + min(n, plan.days) + 1
        if needs[3] > back.top[0]:
            return Status.GROW_CLOSE, day, False, pending[:0]
        close_day(day, plan, plan.names, clock, rule, terms, books, p, customers, back, flight,
                  tally, tally)
        over = day >= plan.days - 1 and flight.flying[0] == 0
        if (day + 1) % 7 == 0:
            return Status.WEEK, day, over, pending[:0]
        if over:
            return Status.DONE, day, True, pending[:0]
        day += 1
