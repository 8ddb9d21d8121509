"""The days of a market in one compiled loop: prospects arrive, every firm quotes, each
prospect chooses by the logit, the chosen firm picks and ships, its parcels are judged.

:func:`sim.world.market.simulate_market`'s day without Python between its steps, for firms
that quote by built-in promises (their quotes do not read the backlog, so each day is one
posting of quotes, as the scheduled days make it). The choice is computed as
:meth:`~sim.model.market.LogitChoice.probabilities` and :meth:`~.LogitChoice.choose` compute
it: the same utilities added in the same order, the weights by the C library's ``exp``, their
sum and running sum from the left. Each firm keeps its own queue, parcels, books and
reputation (a :class:`MarketFirm`); the customer base and those coming back are shared.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from sim.model.calendar import business_clock
from sim.model.customer_store import _join
from sim.model.demand import _uniform
from sim.model.promise import _quote_fault
from sim.model.satisfaction import promise_point
from sim.model.warehouse import QueueArrays, _serve
from sim.world.booking import BookingTerms, _deliver_and_book
from sim.world.built_in_quotes import QuotePlan, built_in_quote, negotiated, next_truck_times
from sim.world.compiled_day import (
    FLIGHT_BLOCK,
    FlightPool,
    Status,
    Tally,
    _arrivals,
    _chain_length,
    _ship,
    close_day,
    new_customers,
)
from sim.world.ledger import TOTALS, Books
from sim.world.ordering import _bucket_order
from sim.world.returning import _merge, _take

__all__ = ["MarketFirm", "MarketPlan", "market_day", "run_market_days"]


class MarketPlan(NamedTuple):
    """The logit's coefficients, whether customers remember, and the firm's weekly sales."""

    promise: float
    price: float
    reputation: float
    outside: float
    free_days: float
    loyalty: float
    loyalty_per_satisfaction: float
    customers: bool
    won: np.ndarray
    bought: np.ndarray


class MarketFirm(NamedTuple):
    """One firm of the market as the loop reads and writes it: its quotes, queue, parcels in
    flight, booking terms and books, running scalars (see :class:`Tally`), the ids of its
    customers' luck streams by day, the row of its service's transit days, and its price.
    """

    quotes: QuotePlan
    queue: QueueArrays
    flight: FlightPool
    terms: BookingTerms
    books: Books
    tally: np.ndarray
    names: np.ndarray
    transit_row: int
    price: float


@numba.njit(cache=True)
def _choose(days, u, firms, market, customer, customers):
    """Each prospect's choice (0: none, ``1 + f``: firm ``f``) under the logit."""
    n, k = days.shape
    chosen = np.empty(n, dtype=np.int64)
    utility = np.empty(k + 1)
    price, score = np.empty(k), np.empty(k)
    for f in range(k):  # a firm read once: each read copies its arrays' handles
        price[f] = firms[f].price
        score[f] = firms[f].tally[Tally.SCORE]
    for i in range(n):
        utility[0] = market.outside
        for f in range(k):
            x = market.promise * max(days[i, f] - market.free_days, 0.0)
            x = x + market.price * price[f]
            x = x + market.reputation * score[f]
            utility[f + 1] = x
        if market.customers:
            c = customer[i]
            if c >= 0 and customers.firm[c] >= 0:
                for f in range(k):
                    bonus = 0.0
                    if f == customers.firm[c]:
                        bonus = market.loyalty + market.loyalty_per_satisfaction * \
                            customers.memory[c]
                    utility[f + 1] = utility[f + 1] + bonus
            else:
                for f in range(k):
                    utility[f + 1] = utility[f + 1] + 0.0
        top = utility.max()
        total = 0.0
        for j in range(k + 1):
            utility[j] = math.exp(utility[j] - top)
            total += utility[j]
        running = 0.0
        pick = 0
        for j in range(k + 1):
            running += utility[j] / total
            pick += 1 if u[i] >= running else 0
        chosen[i] = min(pick, k)
    return chosen


@numba.njit(cache=True)
def _prospects(day, arrival, plan, market, segments, customers, words, back, work, shared):
    """The day's prospects in order of time (new ones and, with customers, returning ones):
    their customers and the position of their work; new customers join the base.
    """
    n = arrival.size
    at = work.cursor[0]
    position = np.arange(at, at + n).astype(np.float64)
    if not market.customers:
        work.cursor[0] = at + n
        return arrival, np.full(n, -1, dtype=np.int64), position
    ids = new_customers(n, plan, segments, customers, words, shared)
    kept, when, beliefs = _take(day, customers.active, back.ids, back.due, back.following,
                                back.fill, back.head, back.tail, back.free, back.top)
    m = kept.size
    work.cursor[0] = at + n + m
    if m == 0:
        return arrival, ids, position
    order, done = _bucket_order(when)
    if not done:
        order = np.argsort(when, kind="mergesort")
    total = n + m
    merged, pick, moved = np.empty(total), np.empty(total), np.empty(total)
    customer = np.empty(total, dtype=np.int64)
    trust, learned = np.empty(total), np.empty(total)
    _merge(arrival, work.pick[at:at + n], position, ids, plan.initial_trust, when,
           work.pick[at + n:at + n + m], np.arange(at + n, at + n + m).astype(np.float64), kept,
           beliefs, order, merged, pick, moved, customer, trust, learned)
    return merged, customer, moved


@numba.njit(cache=True)
def market_day(day, arrival, plan, market, segments, choice, clock, steps, peak_transit, rule,
               customers, words, back, work, firms):
    """Day ``day``'s prospects choose and the firms they chose pick, ship and file their
    orders. Returns a :class:`Status`, the day (or the quote's fault) and the firm it names.
    """
    shared = firms[0].tally
    arrival, customer, position = _prospects(day, arrival, plan, market, segments, customers,
                                             words, back, work, shared)
    n = arrival.size
    if n == 0:
        return Status.DONE, day, 0
    u = np.empty(n)
    for i in range(n):
        u[i] = _uniform(choice)
    k = len(firms)
    days = np.empty((n, k))
    quotes = []
    for f in range(k):
        firm = firms[f]
        earliest, latest, found = built_in_quote(arrival, firm.quotes, clock, peak_transit)
        if not found:
            return Status.NO_TRUCK, day, f
        if market.customers and plan.pushback_share > 0:
            negotiated(arrival, earliest, latest, customer, customers.cut, customers.firm, f,
                       clock, firm.quotes.close)
        service = np.full(n, firm.quotes.service)
        fault = _quote_fault(earliest, latest, service, arrival, firm.quotes.n_services)
        if fault:
            return Status.QUOTE_FAULT, fault, f
        for i in range(n):
            point = promise_point(plan.reference, earliest[i], latest[i])
            days[i, f] = (business_clock(point, clock.delivered_before, clock.delivery)
                          - business_clock(arrival[i], clock.delivered_before, clock.delivery))
        quotes.append((earliest, latest, service))
    chosen = _choose(days, u, firms, market, customer, customers)
    for f in range(k):
        status, at = _sell(day, f, firms[f], chosen, arrival, customer, position, quotes[f],
                           plan, market, clock, steps, peak_transit, rule, customers, work,
                           shared)
        if status != Status.DONE:
            return status, at, f
    _book_sales(chosen, arrival, customer, plan, market, customers, shared)
    return Status.DONE, day, 0


@numba.njit(cache=True)
def _sell(day, f, firm, chosen, arrival, customer, position, quote, plan, market, clock, steps,
          peak_transit, rule, customers, work, shared):
    """Firm ``f`` picks, ships and files what it sold."""
    mine = np.flatnonzero(chosen == f + 1)
    if mine.size == 0:
        return Status.DONE, day
    sold = arrival[mine]
    pick = np.empty(mine.size)
    transit = np.empty(mine.size)
    for j in range(mine.size):
        w = np.int64(position[mine[j]])
        pick[j] = work.pick[w]
        transit[j] = work.transit[firm.transit_row, w]
    start, finish = np.empty(mine.size), np.empty(mine.size)
    q = firm.queue
    _serve(sold, pick, q.starts, q.pickers, q.busy_t, q.busy_k, q.idle, q.state, start, finish)
    for j in range(mine.size):
        if not finish[j] <= plan.limit:
            return Status.FALLS_BEHIND, math.floor(sold[j] / 24.0)
    earliest, latest, service = quote[0][mine], quote[1][mine], quote[2][mine]
    who = customer[mine]
    if market.customers:
        if f == 0:
            for j in range(mine.size):
                c = who[j]
                if c >= 0 and customers.firm[c] != 0 and sold[j] >= plan.warmup_days * 24.0:
                    shared[Tally.NEW_CUSTOMERS] += 1
        _join(who[who >= 0], f, plan.initial_trust, customers)
    dispatch, found = next_truck_times(finish, firm.quotes)
    if not found:
        return Status.NO_TRUCK, day
    if market.customers:
        trust, learned = customers.trust[who], customers.learned[who]
        delivered, _ = _ship(firm.flight, sold, earliest, latest, service, who, dispatch,
                                 transit, trust, learned, steps, peak_transit, clock,
                                 plan.reference)
    else:
        delivered = np.empty(mine.size)
        totals = np.zeros(TOTALS)
        none = np.empty(0)  # transit given: no quantile worked out in the pass
        _deliver_and_book(sold, earliest, latest, service, dispatch, transit, transit, 0, none,
                          none, steps, peak_transit, clock, rule, firm.terms, firm.books, totals,
                          delivered)
        for t in range(TOTALS):
            firm.tally[t] += totals[t]
    for j in range(mine.size):
        if not delivered[j] < np.inf:
            return Status.TOO_LONG, math.floor(dispatch[j] / 24.0)
    return Status.DONE, day


@numba.njit(cache=True)
def _book_sales(chosen, arrival, customer, plan, market, customers, shared):
    """Prospects who bought nothing are lost; the measured ones are booked as the firm's
    sales against the market's.
    """
    if market.customers:
        for i in range(chosen.size):
            if chosen[i] == 0 and customer[i] >= 0:
                customers.active[customer[i]] = False
    weeks = market.won.size
    won = bought = 0
    week = -1
    for i in range(chosen.size):
        if arrival[i] < plan.warmup_days * 24.0:
            continue
        w = min(math.floor(arrival[i] / (7 * 24.0)), weeks - 1)
        if w != week and week >= 0:
            _add_sales(market, shared, week, won, bought)
            won = bought = 0
        week = w
        shared[Tally.PROSPECTS] += 1
        won += 1 if chosen[i] == 1 else 0
        bought += 1 if chosen[i] > 0 else 0
    if week >= 0:
        _add_sales(market, shared, week, won, bought)


@numba.njit(cache=True, inline="always")
def _add_sales(market, shared, week, won, bought):
    market.won[week] += won
    market.bought[week] += bought
    shared[Tally.WON] += won
    shared[Tally.BOUGHT] += bought


@numba.njit(cache=True)
def run_market_days(day, ordered, pending, has_pending, plan, market, bits, segments, choice,
                    clock, steps, peak_transit, rule, p, customers, words, back, work, firms,
                    needs):
    """The market's days from ``day`` on, as :func:`~sim.world.compiled_day.run_days_compiled`
    runs one firm's (the same returns; ``needs[4]`` names the firm of an error).
    """
    shared = firms[0].tally
    while True:
        if not ordered and day < plan.days:
            if has_pending:
                arrival = pending
            else:
                arrival = _arrivals(bits, plan.rates[day] * 1.0, day, plan.hourly_cdf)
            orders = arrival.size
            if market.customers:
                orders += _chain_length(back.head, back.following, back.fill, day)
            needs[0] = int(shared[Tally.CUSTOMERS]) + arrival.size
            needs[1] = orders
            needs[2] = orders // FLIGHT_BLOCK + min(orders, firms[0].flight.head.size) + 1
            short = work.cursor[0] + orders > work.pick.size
            if market.customers:
                short |= needs[0] > customers.trust.size
                for firm in firms:
                    short |= needs[2] > firm.flight.top[0]
            if short:
                return Status.GROW_ORDERS, day, False, arrival
            status, at, f = market_day(day, arrival, plan, market, segments, choice, clock,
                                       steps, peak_transit, rule, customers, words, back, work,
                                       firms)
            if status != Status.DONE:
                needs[4] = f
                return status, at, False, pending[:0]
        has_pending = False
        ordered = False
        flying = 0
        if market.customers:
            needs[3] = 0
            for firm in firms:
                n = _chain_length(firm.flight.head, firm.flight.following, firm.flight.fill, day)
                needs[3] += n // back.ids.shape[1] + min(n, plan.days) + 1
            if needs[3] > back.top[0]:
                return Status.GROW_CLOSE, day, False, pending[:0]
            for firm in firms:
                close_day(day, plan, firm.names, clock, rule, firm.terms, firm.books, p,
                          customers, back, firm.flight, firm.tally, shared)
                flying += firm.flight.flying[0]
        over = day >= plan.days - 1 and flying == 0
        if (day + 1) % 7 == 0:
            return Status.WEEK, day, over, pending[:0]
        if over:
            return Status.DONE, day, True, pending[:0]
        day += 1
