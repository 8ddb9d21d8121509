"""One firm inside a replication: its warehouse queue, its quotes, its parcels in flight, its books.

The single-firm world and the market both move orders through a :class:`Firm`: serve them in
the firm's FIFO queue, quote them (a negotiated cut shortens the quote of a customer who has
pushed back), ship them on the next truck, and at the end of each day judge the parcels that
arrived, let the customers learn, and book the measured ones in the firm's ledger.
"""

from __future__ import annotations

import functools
import itertools
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numba
import numpy as np

from sim.errors import ExperimentError
from sim.model.calendar import DRAIN_DAYS, business_clock
from sim.model.customers import (
    AHEAD,
    Behaviour,
    CustomerBase,
    cache_lines,
    expectation,
    learn,
    prefetch,
    prefetch_customer,
)
from sim.model.disruptions import DisruptionSchedule
from sim.model.promise import Deliveries, PromiseStrategy, Quote, check_quote, uses_backlog
from sim.model.satisfaction import disconfirmation_value
from sim.model.warehouse import PickingQueue, Roster
from sim.world.booking import REFERENCE_CODES, deliver_and_book, deliver_parcels, promise_point
from sim.world.build import DayDraws, Streams, World
from sim.world.ledger import TOTALS, Ledger, WeeklySeries, book_order, order_profit
from sim.world.ordering import stable_rank
from sim.world.returning import Returning

__all__ = ["Firm", "OrderRecords", "Parcels", "RecordSink", "customer_luck", "judge"]


@dataclass(frozen=True, slots=True, eq=False)
class Parcels:
    """Orders in flight: what was promised and expected (carrier clock), and when they arrive."""

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
        (integers stored in the floats' bits, see :func:`_int_columns`)."""
        ints = _int_columns(rows)
        return cls(rows[:, 0], rows[:, 1], ints[:, 0], rows[:, 2], rows[:, 3], rows[:, 4],
                   rows[:, 5], ints[:, 1])


#: Columns of a parcel's row: six floats, then two integers.
_ROW = 8


def _rows_block(capacity: int) -> np.ndarray:
    """Room for ``capacity`` parcels' rows, a row a cache line."""
    return cache_lines(capacity).view(np.float64)


def _int_columns(rows: np.ndarray) -> np.ndarray:
    """The integer columns (service, customer) of ``rows``, as a view of the same memory."""
    return rows.view(np.int64)[:, 6:]


class RecordSink(Protocol):
    """Anything that takes every order's timeline batch by batch (memory, Parquet, ...)."""

    def add(self, **columns: np.ndarray) -> None:
        """Take one batch: one array per field of :attr:`OrderRecords.FIELDS`."""
        ...


class OrderRecords:
    """Every order's timeline, collected in memory when asked for (tests, oracle checks)."""

    FIELDS = ("arrival", "backlog", "start", "finish", "dispatch", "earliest", "latest",
              "service", "delivered", "customer")

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []

    def add(self, **columns: np.ndarray) -> None:
        self._chunks.append(columns)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """All records as one array per field, in order of arrival."""
        if not self._chunks:
            return {f: np.empty(0) for f in self.FIELDS}
        return {f: np.concatenate([c[f] for c in self._chunks]) for f in self.FIELDS}


class _Rows:
    """Parcels filed under one delivery day, as rows (see :meth:`Parcels.of_rows`) in a block
    that grows by doubling: each ship writes its parcels in place, judging reads them as is.
    Once judged, a block nobody else holds a view of files another day's parcels: fresh
    memory costs more than writing them (the kernel clears it first)."""

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


def take_quote(quote: Quote, index: np.ndarray) -> Quote:
    """The quote of the orders at positions ``index``."""
    return Quote(quote.earliest[index], quote.latest[index], quote.service[index])


class Firm:
    """One firm's state in one replication, under one strategy."""

    def __init__(
        self,
        world: World,
        strategy: PromiseStrategy,
        schedule: DisruptionSchedule,
        *,
        name: str,
        index: int = 0,
        price: float,
        shifts: tuple[tuple[float, float, int], ...] | None = None,
        customers: CustomerBase | None = None,
        returning: Returning | None = None,
        records: RecordSink | None = None,
        track_backlog: bool | None = None,
    ) -> None:
        """``returning`` files the customers who will buy again (with ``customers``)."""
        self.world = world
        self.strategy = strategy
        self.schedule = schedule
        self.name = name
        self.index = index
        self.price = price
        if shifts is None:
            self.planned_roster = world.planned_roster
            self.queue = PickingQueue(world.roster_under(schedule))
        else:
            self.planned_roster = Roster.from_shifts(world.calendar, shifts)
            self.queue = PickingQueue(
                Roster.from_shifts(world.calendar, shifts, outages=schedule.outages)
            )
        self.customers = customers
        self.returning = returning
        self.records = records
        self.ledger = Ledger(weekly=WeeklySeries(world.calendar.days // 7 + 1))
        self.reputation = world.reputation()
        #: Parcels in flight by delivery day, in order of shipping.
        self.in_flight: dict[int, _Rows] = {}
        #: Blocks judged, the last one until the next day is judged, the others to be reused.
        self._judged: _Rows | None = None
        self._spare: list[_Rows] = []
        self._pending = np.empty(0)
        self._observe = getattr(strategy, "observe", None)
        if track_backlog is None:
            track_backlog = uses_backlog(strategy) or records is not None
        self._track_backlog = track_backlog
        self._judge_at_once = customers is None and self._observe is None
        #: Days may be taken several at a time: nothing reads the end of a day, and each
        #: order's quote depends on that order alone.
        self.batches_days = self._judge_at_once and bool(getattr(strategy, "elementwise", False))
        self._transit_steps = schedule.transit_steps()
        self._n_services = len(world.carrier.services)

    def backlog_at(self, t: float) -> int:
        """Orders placed before ``t`` that have not started picking by ``t`` (0 if untracked)."""
        return int(np.count_nonzero(self._pending > t))

    def serve(
        self, arrival: np.ndarray, pick_hours: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pick orders arriving (in order) at ``arrival``: their start, finish and backlog.

        The backlog of an order is the number of orders ahead of it not yet started when it
        arrives, the firm's own view of its queue; NaN when nobody reads it (a strategy that
        says it does not, and no order records).
        """
        start, finish = self.queue.serve(arrival, pick_hours)
        latest_finish = finish.max(initial=0.0)
        limit = (self.world.calendar.days - 30) * 24.0
        if not np.isfinite(latest_finish) or latest_finish > limit:
            late = np.flatnonzero(~(finish <= limit))[0]
            day = int(arrival[late] // 24.0)
            raise ExperimentError(
                f"the warehouse of {self.name!r} falls behind for good: orders of day {day} are "
                "not picked before the end of the calendar (too few pickers for the demand)"
            )
        if not self._track_backlog:
            return start, finish, np.full(arrival.size, np.nan)
        starts = np.concatenate([self._pending, start])
        position = self._pending.size + np.arange(arrival.size)
        started = np.minimum(position, np.searchsorted(starts, arrival, side="right"))
        backlog = (position - started).astype(float)
        self._pending = starts[np.searchsorted(starts, arrival.max(initial=0.0), side="right"):]
        return start, finish, backlog

    def quote(self, arrival: np.ndarray, backlog: np.ndarray, customer: np.ndarray) -> Quote:
        """The firm's quote for orders placed at ``arrival``, each with ``backlog`` ahead.

        A customer of this firm who has negotiated a cut gets a correspondingly shorter quote.
        """
        view = self.world.firm_view(arrival, backlog, self.schedule, roster=self.planned_roster)
        quote = check_quote(self.strategy.quote(view), view, self._n_services, self.name)
        earliest = np.asarray(quote.earliest, dtype=float)
        latest = np.asarray(quote.latest, dtype=float)
        service = np.asarray(quote.service, dtype=np.int64)
        customers = self.customers
        if customers is not None and customers.behaviour.pushback_share > 0:
            mine = np.flatnonzero(customer >= 0)
            ids = customer[mine]
            mine = mine[(customers.cut[ids] > 0) & (customers.firm[ids] == self.index)]
            if mine.size:
                calendar = self.world.calendar
                latest_day = np.floor(latest[mine] / 24.0).astype(np.int64)
                floor_day = calendar.nth_delivery_day(
                    np.floor(arrival[mine] / 24.0).astype(np.int64), 1
                )
                day = customers.tighten(customer[mine], latest_day, floor_day, calendar)
                latest = latest.copy()
                latest[mine] = np.minimum(latest[mine], calendar.end_of_delivery_day(day))
                earliest = np.minimum(earliest, latest)
        return Quote(earliest, latest, service)

    def ship(
        self,
        draws: DayDraws,
        customer: np.ndarray,
        quote: Quote,
        start: np.ndarray,
        finish: np.ndarray,
        backlog: np.ndarray,
        *,
        beliefs: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Send picked orders on the next truck and file them under their delivery day.

        Orders nobody needs to revisit (customers without memory, a strategy that learns
        nothing) are judged and booked at once, in one compiled pass. ``beliefs`` are the
        customers' as they ordered (:meth:`CustomerBase.beliefs`; read now if omitted).
        """
        world = self.world
        dispatch = world.calendar.next_truck(finish)
        n = draws.arrival.size
        if self._judge_at_once:
            delivered = deliver_and_book(
                world, self.ledger, self._transit_steps, price=self.price,
                arrival=draws.arrival, quote=quote, dispatch=dispatch,
                undisturbed_days=world.carrier.undisturbed_days(quote.service, draws.luck),
            )
        else:
            delivered = np.empty(n)
            first, starts, order = _deliver(
                dispatch, world.carrier.undisturbed_days(quote.service, draws.luck),
                *self._transit_steps, world.carrier.peaks.transit, *world.calendar.clock_arrays,
                delivered)
        if n and not np.isfinite(delivered.max()):
            late = int(dispatch[np.flatnonzero(~np.isfinite(delivered))[0]] // 24.0)
            raise ExperimentError(
                f"a parcel of {self.name!r} shipped on day {late} would arrive after the "
                f"calendar's end ({DRAIN_DAYS} days past the horizon): transit times (with "
                "disruptions and peaks) that long cannot be simulated"
            )
        if self.records is not None:
            self.records.add(arrival=draws.arrival, backlog=backlog, start=start, finish=finish,
                             dispatch=dispatch, earliest=quote.earliest, latest=quote.latest,
                             service=quote.service, delivered=delivered, customer=customer)
        if self._judge_at_once:
            return
        if beliefs is None:
            beliefs = ((np.empty(0), np.empty(0)) if self.customers is None
                       else self.customers.beliefs(customer))
        in_flight, spare = self.in_flight, self._spare
        reference = REFERENCE_CODES[world.satisfaction.reference]
        for k, (a, b) in enumerate(itertools.pairwise(starts.tolist())):
            if a == b:
                continue
            filed = in_flight.get(first + k)
            if filed is None:
                filed = in_flight[first + k] = spare.pop() if spare else _Rows(4 * max(b - a, n))
            _file_rows(order[a:b], draws.arrival, quote.earliest, quote.latest, quote.service,
                       customer, delivered, *world.calendar.clock_arrays[:2], reference,
                       *beliefs, filed.extend(b - a))

    def close_day(self, day: int, luck: Callable[[int], np.ndarray] | None) -> None:
        """Judge the parcels delivered on ``day``; file the customers who will buy again.

        ``luck`` is a source of three uniforms per parcel for the customers' update, called
        with the number of parcels.
        """
        if self._judged is not None and self._judged.unused():
            self._judged.size = 0
            self._spare.append(self._judged)
        rows = self._judged = self.in_flight.pop(day, None)
        if rows is None:
            return
        parcels = rows.parcels()
        customers = self.customers
        draws = None if customers is None else luck(parcels.arrival.size)
        referrals, warnings = judge(
            self.world, parcels, self.ledger, price=self.price, customers=customers, luck=draws,
            judged_at=(day + 1) * 24.0, returning=self.returning,
        )
        if self._observe is not None:
            clock = self.world.calendar.to_business
            self._observe(Deliveries(day, parcels.arrival, parcels.delivered,
                                     clock(parcels.delivered) - parcels.ordered_b))
        if customers is not None:
            self.reputation.update(referrals, warnings, parcels.arrival.size)

    def snapshot(self, day: int) -> None:
        """At the end of a week, record the customer base and the firm's reputation."""
        if (day + 1) % 7 == 0 and self.customers is not None:
            self.ledger.weekly.snapshot(day // 7, trust_mean=self.customers.mean_trust(),
                                        reputation=self.reputation.score,
                                        active_customers=float(self.customers.active_count))


def judge(
    world: World,
    parcels: Parcels,
    ledger: Ledger,
    *,
    price: float,
    customers: CustomerBase | None = None,
    luck: np.ndarray | None = None,
    judged_at: float | None = None,
    returning: Returning | None = None,
) -> tuple[int, int]:
    """Judge delivered ``parcels``: customers learn from all, the ledger books the measured.

    Customers' repurchase clocks start at ``judged_at`` (the evening the day's deliveries are
    judged; orders are taken at the start of each day, so a purchase cannot fall earlier);
    at each delivery if omitted. The ``j``-th parcel in order of delivery draws ``luck[j]``;
    the ledger books in the parcels' order. Customers who will buy again are filed in
    ``returning``. Returns the recommendations and warnings the deliveries produced.
    """
    satisfaction, money = world.satisfaction, world.economics
    if customers is None:
        rank, luck, learning = np.empty(0, dtype=np.int64), np.empty((0, 3)), _nobody()
    else:
        rank = stable_rank(parcels.delivered)
        luck, learning = np.ascontiguousarray(luck, dtype=float), customers.learning_state
    totals, talk = _judge(
        parcels.arrival, parcels.latest, parcels.service, parcels.delivered, parcels.ordered_b,
        parcels.reference_b, parcels.expected_b, *world.calendar.clock_arrays[:2],
        satisfaction.reference == "end", *satisfaction.parameters,
        float(satisfaction.delight_days), world.carrier.costs, float(price),
        float(money.gross_margin), float(money.late_credit), float(money.late_cost_per_day),
        float(money.promise_cost_per_day), world.warmup_days * 24.0, *ledger.booking_arrays,
        parcels.customer, np.nan if judged_at is None else float(judged_at), rank, luck,
        *learning,
    )
    if totals[0] > 0:
        ledger.add_totals(totals)
    if customers is None:
        return 0, 0
    if returning is not None:
        returning.file(parcels.customer, customers)
    customers.refusals += int(talk[2])
    return int(talk[0]), int(talk[1])


@functools.cache
def _nobody() -> tuple[np.ndarray, ...]:
    """A customer base's state for judging without customers (never read)."""
    return CustomerBase(Behaviour(), capacity=1).learning_state


#: How the compiled passes name the point of a promised window that sets the expectation.


@numba.njit(cache=True)
def _deliver(dispatch, transit, edges, multiplier, delay, peak_transit, delivered_before,
             delivery, delivery_days, opens, closes, delivered):
    """Deliver parcels leaving at ``dispatch`` as :meth:`Carrier.deliver` does, with the
    truck's clock and transit effect worked out once a truck. Returns the first day a parcel
    is delivered on, the parcels in order of their delivery day (stable) and where each day's
    start in that order, the first day's and those of every day after (nothing if a delivery
    is not finite)."""
    n = dispatch.size
    deliver_parcels(dispatch, transit, edges, multiplier, delay, peak_transit, delivered_before,
                    delivery, delivery_days, opens, closes, delivered, 0, n)
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
def _file_rows(order, arrival, earliest, latest, service, customer, delivered, delivered_before,
               delivery, reference, trust, learned, rows):
    """Read the carrier's clock when the parcels in ``order`` were ordered, at the point of
    their promise that sets expectations and (with their customers' ``trust`` and ``learned``
    lead times) at what their customer expects, and write them as ``rows`` (see
    :meth:`Parcels.of_rows`)."""
    ints = rows.view(np.int64)
    for r in range(order.size):
        i = order[r]
        point = promise_point(reference, earliest[i], latest[i])
        ordered_b = business_clock(arrival[i], delivered_before, delivery)
        reference_b = business_clock(point, delivered_before, delivery)
        rows[r, 0] = arrival[i]
        rows[r, 1] = latest[i]
        rows[r, 2] = delivered[i]
        rows[r, 3] = ordered_b
        rows[r, 4] = reference_b
        rows[r, 5] = (ordered_b + expectation(trust[i], learned[i], reference_b - ordered_b)
                      if trust.size else reference_b)
        ints[r, 6] = service[i]
        ints[r, 7] = customer[i]


@numba.njit(cache=True)
def _judge(arrival, latest, service, delivered, ordered_b, reference_b, expected_b,
           delivered_before, delivery, promise_at_end, loss_aversion, gain_curvature,
           loss_curvature, cap, tolerance, delight_days, costs, price, margin, late_credit,
           late_cost, promise_cost, warmup, late_hist, early_hist, lead_hist,
           satisfaction_hist, weekly, customer, judged_at, rank, luck, p, trust, learned,
           memory, remembered, padded, active, next_purchase, business, early_run, cut):
    """Judge each parcel against its promise and its customer's expectation and book the
    measured ones, in the parcels' order: returns the booking's totals and the customers'
    recommendations, warnings and refused cuts. With ``rank`` (each parcel's place in order
    of delivery, which picks its row of ``luck``), customers learn as they go: a customer has
    one parcel in flight at most, so their updates do not depend on each other's order."""
    totals = np.zeros(TOTALS)
    talk = np.zeros(3, dtype=np.int64)
    learning = rank.size > 0
    n = arrival.size
    for i in range(n):
        if learning and i + AHEAD < n:
            prefetch_customer(customer[i + AHEAD], trust, learned, active)
            prefetch(luck, rank[i + AHEAD])
        delivered_b = business_clock(delivered[i], delivered_before, delivery)
        promised_b = reference_b[i] if promise_at_end else business_clock(
            latest[i], delivered_before, delivery)
        lateness = delivered_b - promised_b
        early = expected_b[i] - delivered_b
        s = disconfirmation_value(early, loss_aversion, gain_curvature, loss_curvature, cap,
                                  tolerance)
        if learning:
            j, c = rank[i], customer[i]
            (trust[c], learned[c], memory[c], remembered[c], padded[c], next_purchase[c],
             early_run[c], cut[c], stays, referral, warning, refusal) = learn(
                trust[c], learned[c], memory[c], remembered[c], padded[c], next_purchase[c],
                business[c], early_run[c], cut[c], reference_b[i] - ordered_b[i],
                delivered_b - ordered_b[i], -lateness, s,
                delivered[i] if math.isnan(judged_at) else judged_at, luck[j, 0], luck[j, 1],
                luck[j, 2], p)
            if not stays:
                active[c] = False
            talk[0] += referral
            talk[1] += warning
            talk[2] += refusal
        if arrival[i] < warmup:
            continue
        shipping = costs[service[i]]
        profit = order_profit(price * margin, shipping, lateness, promised_b - ordered_b[i],
                              late_credit, late_cost, promise_cost)
        book_order(lateness, early, s, (delivered[i] - arrival[i]) / 24.0,
                   expected_b[i] - ordered_b[i], delivered_b - ordered_b[i], shipping, price,
                   profit, math.floor(delivered[i] / (7 * 24.0)), delight_days, late_hist,
                   early_hist, lead_hist, satisfaction_hist, weekly, totals)
    return totals, talk


def customer_luck(streams: Streams, name: str) -> Callable[[int], np.ndarray]:
    """Three uniforms per delivered parcel for the customers' update, from stream ``name``."""
    return lambda n: streams(name).random((n, 3))
