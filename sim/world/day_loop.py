"""Which replications run their days in the compiled loop, and the Python around the loop.

A world of one firm whose customers remember, quoted by a built-in tight, buffer or controlled
promise, runs its days in :func:`sim.world.compiled_day.run_days_compiled` when nothing needs
Python during a day: no SimPy process of the user's, no order records, no strategy that
learns, no handling stage, named random streams. Every other replication runs
the scheduled days of :func:`sim.world.days.run_days`; both give the same numbers
(``tests/world/test_day_loop.py``). Here the loop's pools are set up, grown when it asks, the
weekly snapshot taken, and its running scalars written back to the ledger, the customer base
and the reputation.
"""

from __future__ import annotations

import numpy as np

from sim.model.customer_store import _fresh_record
from sim.model.demand import _bits
from sim.model.promise import Buffer, Controlled, Tight, quote_error
from sim.model.seeding import NamedStreams, component_id
from sim.world.booking import booking_terms
from sim.world.build import World
from sim.world.built_in_quotes import quote_plan
from sim.world.compiled_day import (
    FLIGHT_BLOCK,
    DayPlan,
    FlightPool,
    Status,
    Tally,
    Work,
    run_days_compiled,
)
from sim.world.days import Setting
from sim.world.firm import Firm, arrives_too_late, falls_behind
from sim.world.ledger import TOTALS, Ledger

__all__ = ["fits_compiled_days", "run_compiled_days"]

#: The ledger's running totals, in the order of a compiled booking's ``TOTALS``.
_LEDGER = ("orders", "kept", "delighted", "disappointed", "lateness_sum", "earliness_sum",
           "lead_time_sum", "satisfaction_sum", "shipping_cost_sum", "revenue_sum", "profit_sum")
#: Orders' work drawn ahead at least at a time.
_WORK_CHUNK = 4096
#: Free in-flight blocks beyond a day of four times the busiest day's expected orders.
_FLIGHT_SPARE = 64


def fits_compiled_days(world: World, firm: Firm, streams: object, *, day_by_day: bool) -> bool:
    """Whether ``firm``'s replication can run its days in the compiled loop."""
    customers = firm.customers
    return (world.market is None and world.handling is None and not day_by_day
            and customers is not None and firm.returning is not None
            and firm.records is None and firm.index == 0
            and type(firm.strategy) in (Tight, Buffer, Controlled)
            and isinstance(streams, NamedStreams) and firm.watch_dispatch is None
            and bool(np.all(world.demand.daily_rate[: world.days] >= 0)))


def run_compiled_days(world: World, firm: Firm, setting: Setting, streams: NamedStreams) -> None:
    """Run the replication's days in the compiled loop (see :func:`fits_compiled_days`)."""
    customers, returning = firm.customers, firm.returning
    assert customers is not None and returning is not None
    demand = streams("demand")  # alive while the loop draws through its addresses
    segments = setting.segments if setting.segments is not None else demand
    plan = _plan(world, firm, streams)
    work = _WorkAhead(world, firm, streams)
    flight = _Flight(world.calendar.days, world.demand.daily_rate[: world.days])
    tally = np.zeros(Tally.SIZE)
    tally[:TOTALS] = [getattr(firm.ledger, name) for name in _LEDGER]
    tally[Tally.REFUSALS] = customers.refusals
    tally[Tally.NEW_CUSTOMERS] = firm.ledger.new_customers
    tally[Tally.SCORE] = firm.reputation.score
    tally[Tally.CUSTOMERS] = customers.size
    needs = np.zeros(4, dtype=np.int64)
    clock, rule = world.calendar.carrier_clock, world.satisfaction.rule
    terms, books = booking_terms(world, firm.price), firm.ledger.books
    steps, peaks = firm.schedule.transit_steps(), world.carrier.peaks.transit
    day, ordered, pending, has_pending = 0, False, np.empty(0), False
    while True:
        status, day, over, pending = run_days_compiled(
            day, ordered, pending, has_pending, plan, _bits(demand), _bits(segments), clock,
            firm.queue.arrays, steps, peaks, rule, terms, books, customers.parameters,
            customers.arrays, customers.words, returning.pool, flight.pool, work.arrays, tally,
            needs)
        _write_back(tally, firm.ledger, firm)
        if status == Status.WEEK:
            firm.snapshot(day)
            if over:
                return
            day, ordered, has_pending = day + 1, False, False
        elif status == Status.DONE:
            return
        elif status == Status.GROW_ORDERS:
            customers.reserve(int(needs[0]))
            work.reserve(int(needs[1]))
            flight.reserve(int(needs[2]))
            ordered, has_pending = False, True
        elif status == Status.GROW_CLOSE:
            returning.reserve(int(needs[3]))
            ordered, has_pending = True, False
        else:
            raise _failure(status, day, firm)


def _plan(world: World, firm: Firm, streams: NamedStreams) -> DayPlan:
    quotes = quote_plan(firm.strategy, world, firm.schedule)
    assert quotes is not None and firm.customers is not None
    reputation, calendar = firm.reputation, world.calendar
    names = np.array([component_id(f"customers:{d}") for d in range(calendar.days)],
                     dtype=np.uint64)
    return DayPlan(
        days=world.days, warmup_days=world.warmup_days,
        rates=np.ascontiguousarray(world.demand.daily_rate, dtype=float),
        hourly_cdf=world.demand.hourly_cdf, quotes=quotes, limit=(calendar.days - 30) * 24.0,
        firm=firm.index, pushback_share=float(firm.customers.behaviour.pushback_share),
        reference=int(world.satisfaction.reference),
        initial_trust=float(firm.customers.behaviour.initial_trust),
        fresh=_fresh_record(firm.index), keep=0.5 ** (1.0 / reputation.half_life_days),
        positive_reach=float(reputation.positive_reach),
        negative_reach=float(reputation.negative_reach), effect=float(reputation.effect),
        names=names, entropy=streams.entropy(),
    )


class _WorkAhead:
    """Pick hours and undisturbed transit days drawn ahead of the orders that take them: one
    draw an order from each stream, in order, so the numbers are those drawn day by day.
    """

    def __init__(self, world: World, firm: Firm, streams: NamedStreams) -> None:
        self.world = world
        self.warehouse, self.carrier = streams("warehouse"), streams("carrier")
        self.transit_days = world.carrier.services[int(firm.strategy.service)].transit_days  # type: ignore[attr-defined]
        self.arrays = Work(np.empty(0), np.empty(0), np.zeros(1, dtype=np.int64))
        self.reserve(0)

    def reserve(self, needed: int) -> None:
        """Work for ``needed`` more orders from the cursor on (what the cursor has passed is
        let go, and the cursor moves back to the start).
        """
        pick, transit, cursor = self.arrays
        at = int(cursor[0])
        left = pick.size - at
        if needed <= left and pick.size:
            return
        more = max(needed - left, _WORK_CHUNK, 2 * left)
        new_pick = self.world.pick_minutes.sample(self.warehouse, more)
        new_pick /= 60.0
        new_transit = self.transit_days.ppf(self.carrier.random(more))
        self.arrays = Work(np.concatenate([pick[at:], new_pick]),
                           np.concatenate([transit[at:], new_transit]),
                           np.zeros(1, dtype=np.int64))


class _Flight:
    """The parcels in flight: a pool of blocks of :data:`FLIGHT_BLOCK` rows, one chain of
    blocks for each day of the calendar.
    """

    def __init__(self, days: int, daily_rate: np.ndarray) -> None:
        blocks = int(4 * daily_rate.max(initial=0.0)) // FLIGHT_BLOCK + _FLIGHT_SPARE
        self.pool = FlightPool(
            rows=np.empty((0, FLIGHT_BLOCK, 8)), ints=np.empty((0, FLIGHT_BLOCK, 8), np.int64),
            following=np.empty(0, np.int64), fill=np.empty(0, np.int64),
            head=np.full(days, -1, np.int64), tail=np.full(days, -1, np.int64),
            free=np.empty(0, np.int64), top=np.zeros(1, np.int64), count=np.zeros(1, np.int64))
        self.reserve(blocks)

    def reserve(self, blocks: int) -> None:
        """At least ``blocks`` free blocks (the pool at least doubles when it grows)."""
        pool = self.pool
        top, held = int(pool.top[0]), pool.rows.shape[0]
        if top >= blocks:
            return
        total = held + max(blocks - top, held)
        rows = np.empty((total, FLIGHT_BLOCK, 8))
        rows[:held] = pool.rows
        following, fill = np.empty(total, np.int64), np.empty(total, np.int64)
        following[:held], fill[:held] = pool.following, pool.fill
        free = np.empty(total, np.int64)
        free[:top] = pool.free[:top]
        free[top:top + total - held] = np.arange(total - 1, held - 1, -1)
        pool.top[0] = top + total - held
        self.pool = pool._replace(rows=rows, ints=rows.view(np.int64), following=following,
                                  fill=fill, free=free)


def _write_back(tally: np.ndarray, ledger: Ledger, firm: Firm) -> None:
    """The loop's running scalars into the ledger, the customer base and the reputation."""
    for k, name in enumerate(_LEDGER):
        setattr(ledger, name, int(tally[k]) if k < 4 else tally[k])
    ledger.new_customers = int(tally[Tally.NEW_CUSTOMERS])
    customers = firm.customers
    assert customers is not None
    customers.refusals = int(tally[Tally.REFUSALS])
    customers.size = int(tally[Tally.CUSTOMERS])
    firm.reputation.score = float(tally[Tally.SCORE])


def _failure(status: int, at: int, firm: Firm) -> Exception:
    """The error the scheduled days raise where the loop stopped with ``status``."""
    if status == Status.FALLS_BEHIND:
        return falls_behind(firm.name, at)
    if status == Status.TOO_LONG:
        return arrives_too_late(firm.name, at)
    if status == Status.QUOTE_FAULT:
        return quote_error(at, firm.name, len(firm.world.carrier.services))
    return IndexError("a parcel is ready after the last truck of the calendar")
