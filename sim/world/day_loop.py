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

import functools
from collections.abc import Sequence

import numpy as np

from sim.model.customer_store import _fresh_record
from sim.model.customers import Behaviour
from sim.model.demand import _bits
from sim.model.promise import Buffer, Controlled, Tight, quote_error
from sim.model.seeding import NamedStreams, component_id
from sim.world.booking import booking_terms
from sim.world.build import Streams, World
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
from sim.world.compiled_market import MarketFirm, MarketPlan, run_market_days
from sim.world.days import Setting
from sim.world.firm import Firm, arrives_too_late, falls_behind
from sim.world.judging import _nobody
from sim.world.ledger import TOTALS
from sim.world.returning import Returning

__all__ = ["fits_compiled_days", "run_compiled_days"]

#: The ledger's running totals, in the order of a compiled booking's ``TOTALS``.
_LEDGER = ("orders", "kept", "delighted", "disappointed", "lateness_sum", "earliness_sum",
           "lead_time_sum", "satisfaction_sum", "shipping_cost_sum", "revenue_sum", "profit_sum")
#: Expected new orders (or prospects) a day above which the scheduled days run instead: the
#: loop saves the interpreter's few hundred µs a day, which is most of a small world's time,
#: but on big days its passes cost more an order than the scheduled days' (measured side by
#: side on one core: 2.5x faster at 54 new orders a day, even at 540, 1.3x to 1.6x slower at
#: 5,400 with customers; a market of 2,700 prospects a day 1.1x to 1.3x faster).
LOOP_MAX_ORDERS_A_DAY = 3000.0
#: Orders' work drawn ahead at least at a time.
_WORK_CHUNK = 4096
#: Free in-flight blocks beyond a day of four times the busiest day's expected orders.
_FLIGHT_SPARE = 64


def fits_compiled_days(world: World, firms: Sequence[Firm], streams: object, *,
                       day_by_day: bool) -> bool:
    """Whether the replication of ``firms`` (one, or a market's) runs its days in the
    compiled loop: a single firm's customers remember, or a market's firms all quote by
    built-in promises, and days are small enough for the loop to be the faster
    (:data:`LOOP_MAX_ORDERS_A_DAY`).
    """
    first = firms[0]
    single = world.market is None and len(firms) == 1
    return (world.handling is None and not day_by_day and first.records is None
            and isinstance(streams, NamedStreams)
            and ((first.customers is not None and first.returning is not None) or not single)
            and all(type(f.strategy) in (Tight, Buffer, Controlled) and f.watch_dispatch is None
                    for f in firms)
            and bool(np.all(world.demand.daily_rate[: world.days] >= 0))
            and float(world.demand.daily_rate[: world.days].mean()) <= LOOP_MAX_ORDERS_A_DAY)


def run_compiled_days(world: World, firms: Sequence[Firm], setting: Setting,
                      streams: Streams) -> None:
    """Run the replication's days in the compiled loop: one firm's (see
    :func:`fits_compiled_days`) or a market's.
    """
    assert isinstance(streams, NamedStreams)
    first = firms[0]
    customers = first.customers if first.customers is not None else _nobody()
    returning = first.returning if first.returning is not None else Returning(1)
    demand = streams("demand")  # alive while the loop draws through its addresses
    segments = setting.segments if setting.segments is not None else demand
    choice = streams("market") if world.market is not None else demand
    plan = _plan(world, first, streams)
    services = sorted({int(f.strategy.service) for f in firms})  # type: ignore[attr-defined]
    work = _WorkAhead(world, streams, services)
    flights = [_Flight(world.calendar.days, world.demand.daily_rate[: world.days]) for _ in firms]
    tallies = [_tally(firm) for firm in firms]
    needs = np.zeros(5, dtype=np.int64)
    clock, rule = world.calendar.carrier_clock, world.satisfaction.rule
    steps, peaks = first.schedule.transit_steps(), world.carrier.peaks.transit
    market = _market_plan(world, first)
    terms = booking_terms(world, first.price)
    market_firms = tuple(_market_firm(world, f, t, flights[k].pool, services)
                   for k, (f, t) in enumerate(zip(firms, tallies))) if market else ()
    day, ordered, pending, has_pending = 0, False, np.empty(0), False
    while True:
        if market is None:
            status, day, over, pending = run_days_compiled(
                day, ordered, pending, has_pending, plan, _bits(demand), _bits(segments), clock,
                first.queue.arrays, steps, peaks, rule, terms, first.ledger.books,
                customers.parameters, customers.arrays, customers.words, returning.pool,
                flights[0].pool, work.arrays, tallies[0], needs)
        else:
            status, day, over, pending = run_market_days(
                day, ordered, pending, has_pending, plan, market, _bits(demand),
                _bits(segments), _bits(choice), clock, steps, peaks, rule, customers.parameters,
                customers.arrays, customers.words, returning.pool, work.arrays,
                tuple(f._replace(flight=flights[k].pool) for k, f in enumerate(market_firms)),
                needs)
        for firm, tally in zip(firms, tallies):
            _write_back(tally, firm, tallies[0])
        if status == Status.WEEK:
            first.snapshot(day)
            if over:
                return
            day, ordered, has_pending = day + 1, False, False
        elif status == Status.DONE:
            return
        elif status == Status.GROW_ORDERS:
            customers.reserve(int(needs[0]))
            work.reserve(int(needs[1]))
            for flight in flights:
                flight.reserve(int(needs[2]))
            ordered, has_pending = False, True
        elif status == Status.GROW_CLOSE:
            returning.reserve(int(needs[3]))
            ordered, has_pending = True, False
        else:
            raise _failure(status, day, firms[int(needs[4]) if market is not None else 0])


def _tally(firm: Firm) -> np.ndarray:
    """The firm's running scalars as the loop keeps them (see :class:`Tally`)."""
    ledger, customers = firm.ledger, firm.customers
    tally = np.zeros(Tally.SIZE)
    tally[:TOTALS] = [getattr(ledger, name) for name in _LEDGER]
    tally[Tally.NEW_CUSTOMERS] = ledger.new_customers
    tally[Tally.SCORE] = firm.reputation.score
    tally[Tally.PROSPECTS: Tally.BOUGHT + 1] = ledger.prospects, ledger.won, ledger.bought
    if customers is not None:
        tally[Tally.REFUSALS] = customers.refusals
        tally[Tally.CUSTOMERS] = customers.size
    return tally


def _market_plan(world: World, firm: Firm) -> MarketPlan | None:
    if world.market is None:
        return None
    choice, sums = world.market.choice, firm.ledger.weekly.sums
    return MarketPlan(float(choice.promise), float(choice.price), float(choice.reputation),
                      float(choice.outside), float(choice.free_days), float(choice.loyalty),
                      float(choice.loyalty_per_satisfaction), firm.customers is not None,
                      sums["won"], sums["bought"])


def _market_firm(world: World, firm: Firm, tally: np.ndarray, flight: FlightPool,
                 services: list[int]) -> MarketFirm:
    quotes = quote_plan(firm.strategy, world, firm.schedule)
    assert quotes is not None
    prefix = "customers:" if firm.index == 0 else f"customers:{firm.name}:"
    return MarketFirm(quotes, firm.queue.arrays, flight, booking_terms(world, firm.price),
                      firm.ledger.books, tally, _names(world, prefix),
                      services.index(quotes.service), float(firm.price))


def _names(world: World, prefix: str) -> np.ndarray:
    """The ids of the streams ``prefix<day>`` of every day of the calendar."""
    return _stream_ids(prefix, world.calendar.days)


@functools.lru_cache(maxsize=16)
def _stream_ids(prefix: str, days: int) -> np.ndarray:
    # shared, and read only by the loop (a read-only flag would be another numba type)
    return np.array([component_id(f"{prefix}{d}") for d in range(days)], dtype=np.uint64)


def _plan(world: World, firm: Firm, streams: NamedStreams) -> DayPlan:
    quotes = quote_plan(firm.strategy, world, firm.schedule)
    assert quotes is not None
    behaviour = firm.customers.behaviour if firm.customers is not None else Behaviour()
    reputation, calendar = firm.reputation, world.calendar
    return DayPlan(
        days=world.days, warmup_days=world.warmup_days,
        rates=np.ascontiguousarray(world.demand.daily_rate, dtype=float),
        hourly_cdf=world.demand.hourly_cdf, quotes=quotes, limit=(calendar.days - 30) * 24.0,
        firm=firm.index, pushback_share=float(behaviour.pushback_share),
        reference=int(world.satisfaction.reference),
        initial_trust=float(behaviour.initial_trust),
        fresh=_fresh_record(-1 if world.market is not None else firm.index),
        keep=0.5 ** (1.0 / reputation.half_life_days),
        positive_reach=float(reputation.positive_reach),
        negative_reach=float(reputation.negative_reach), effect=float(reputation.effect),
        names=_names(world, "customers:"), entropy=streams.entropy(),
    )


class _WorkAhead:
    """Pick hours and undisturbed transit days (by each service level quoted) drawn ahead of
    the orders that take them: one draw an order from each stream, in order, so the numbers
    are those drawn day by day.
    """

    def __init__(self, world: World, streams: NamedStreams, services: list[int]) -> None:
        self.world = world
        self.warehouse, self.carrier = streams("warehouse"), streams("carrier")
        levels = world.carrier.services
        self.transit_days = [levels[0 if len(levels) == 1 else s].transit_days for s in services]
        self.arrays = Work(np.empty(0), np.empty((len(services), 0)),
                           np.zeros(1, dtype=np.int64))
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
        luck = self.carrier.random(more)
        new_transit = np.array([days.ppf(luck) for days in self.transit_days]).reshape(-1, more)
        self.arrays = Work(np.concatenate([pick[at:], new_pick]),
                           np.concatenate([transit[:, at:], new_transit], axis=1),
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
            free=np.empty(0, np.int64), top=np.zeros(1, np.int64),
            flying=np.zeros(1, np.int64))
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


def _write_back(tally: np.ndarray, firm: Firm, shared: np.ndarray) -> None:
    """A firm's running scalars into its ledger and reputation; the customer base's (kept by
    the first firm, ``shared``) into the base.
    """
    ledger = firm.ledger
    for k, name in enumerate(_LEDGER):
        setattr(ledger, name, int(tally[k]) if k < 4 else tally[k])
    ledger.new_customers = int(tally[Tally.NEW_CUSTOMERS])
    ledger.prospects, ledger.won, ledger.bought = (
        int(x) for x in tally[Tally.PROSPECTS: Tally.BOUGHT + 1])
    firm.reputation.score = float(tally[Tally.SCORE])
    customers = firm.customers
    if customers is not None and firm.index == 0:
        customers.refusals = int(shared[Tally.REFUSALS])
        customers.size = int(shared[Tally.CUSTOMERS])


def _failure(status: int, at: int, firm: Firm) -> Exception:
    """The error the scheduled days raise where the loop stopped with ``status``."""
    if status == Status.FALLS_BEHIND:
        return falls_behind(firm.name, at)
    if status == Status.TOO_LONG:
        return arrives_too_late(firm.name, at)
    if status == Status.QUOTE_FAULT:
        return quote_error(at, firm.name, len(firm.world.carrier.services))
    return IndexError("a parcel is ready after the last truck of the calendar")
