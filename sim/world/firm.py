"""One firm inside a replication: its warehouse queue, its quotes, its parcels in flight, its books.

The single-firm world and the market both move orders through a :class:`Firm`: serve them in
the firm's FIFO queue, quote them (a negotiated cut shortens the quote of a customer who has
pushed back), ship them on the next truck, and at the end of each day judge the parcels that
arrived, let the customers learn, and book the measured ones in the firm's ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.errors import ExperimentError
from sim.model.calendar import DRAIN_DAYS
from sim.model.customers import CustomerBase
from sim.model.disruptions import DisruptionSchedule
from sim.model.promise import Deliveries, PromiseStrategy, Quote, check_quote, uses_backlog
from sim.model.warehouse import PickingQueue, Roster
from sim.world.booking import deliver_and_book
from sim.world.build import DayDraws, Streams, World
from sim.world.ledger import Ledger, WeeklySeries, order_profits

__all__ = [
    "Firm",
    "OrderRecords",
    "Parcels",
    "RecordSink",
    "add_customers",
    "by_day",
    "customer_luck",
    "merge_returning",
    "schedule_returning",
]


@dataclass(frozen=True, slots=True, eq=False)
class Parcels:
    """Orders in flight: what was promised and expected (carrier clock), and when they arrive."""

    arrival: np.ndarray
    earliest: np.ndarray
    latest: np.ndarray
    service: np.ndarray
    delivered: np.ndarray
    ordered_b: np.ndarray
    reference_b: np.ndarray
    expected_b: np.ndarray
    customer: np.ndarray

    def take(self, index: np.ndarray) -> Parcels:
        """The parcels at positions ``index``."""
        return Parcels(*(getattr(self, f)[index] for f in self.__slots__))

    @classmethod
    def concat(cls, batches: list[Parcels]) -> Parcels:
        """All parcels of ``batches`` as one batch."""
        if len(batches) == 1:
            return batches[0]
        return cls(*(np.concatenate([getattr(b, f) for b in batches]) for f in cls.__slots__))


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
        records: RecordSink | None = None,
        track_backlog: bool | None = None,
    ) -> None:
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
        self.records = records
        self.ledger = Ledger(weekly=WeeklySeries(world.calendar.days // 7 + 1))
        self.reputation = world.reputation()
        self.in_flight: dict[int, list[Parcels]] = defaultdict(list)
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
    ) -> None:
        """Send picked orders on the next truck and file them under their delivery day.

        Orders nobody needs to revisit (customers without memory, a strategy that learns
        nothing) are judged and booked at once, in one compiled pass.
        """
        world = self.world
        dispatch = world.calendar.next_truck(finish)
        if self._judge_at_once:
            delivered = deliver_and_book(
                world, self.ledger, self._transit_steps, price=self.price,
                arrival=draws.arrival, quote=quote, dispatch=dispatch,
                undisturbed_days=world.carrier.undisturbed_days(quote.service, draws.luck),
            )
        else:
            delivered = world.carrier.deliver(quote.service, draws.luck, dispatch, self.schedule)
        if delivered.size and not np.isfinite(delivered.max()):
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
        clock = world.calendar.to_business
        ordered_b = clock(draws.arrival)
        reference_b = clock(world.satisfaction.expectation(quote.earliest, quote.latest))
        expected_b = reference_b
        if self.customers is not None:
            expected_b = ordered_b + self.customers.expected_lead(customer, reference_b - ordered_b)
        parcels = Parcels(draws.arrival, quote.earliest, quote.latest, quote.service, delivered,
                          ordered_b, reference_b, expected_b, customer)
        for d, chunk in by_day(delivered):
            self.in_flight[d].append(parcels.take(chunk))

    def close_day(self, day: int, luck: np.ndarray | None) -> np.ndarray | None:
        """Judge the parcels delivered on ``day``; returns their customers (None if none).

        ``luck`` is a source of three uniforms per parcel for the customers' update, called
        with the number of parcels.
        """
        batches = self.in_flight.pop(day, [])
        if not batches:
            return None
        parcels = Parcels.concat(batches)
        customers = self.customers
        draws = None if customers is None else luck(parcels.arrival.size)
        referrals, warnings = judge(
            self.world, parcels, self.ledger, price=self.price, customers=customers, luck=draws,
            judged_at=(day + 1) * 24.0,
        )
        if self._observe is not None:
            clock = self.world.calendar.to_business
            self._observe(Deliveries(day, parcels.arrival, parcels.delivered,
                                     clock(parcels.delivered) - parcels.ordered_b))
        if customers is None:
            return None
        self.reputation.update(referrals, warnings, parcels.arrival.size)
        return parcels.customer

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
) -> tuple[int, int]:
    """Judge delivered ``parcels``: customers learn from all, the ledger books the measured.

    Customers' repurchase clocks start at ``judged_at`` (the evening the day's deliveries are
    judged; orders are taken at the start of each day, so a purchase cannot fall earlier);
    at each delivery if omitted. Returns the recommendations and warnings the deliveries
    produced.
    """
    clock = world.calendar.to_business
    delivered_b = clock(parcels.delivered)
    promised_b = parcels.reference_b if world.satisfaction.reference == "end" else clock(
        parcels.latest)
    lateness = delivered_b - promised_b
    early = parcels.expected_b - delivered_b
    satisfaction = world.satisfaction.value(early)
    talk = (0, 0)
    if customers is not None:
        order = np.argsort(parcels.delivered, kind="stable")
        talk = customers.after_delivery(
            parcels.customer[order],
            promise_lead=(parcels.reference_b - parcels.ordered_b)[order],
            actual_lead=(delivered_b - parcels.ordered_b)[order],
            earliness=-lateness[order],
            satisfaction=satisfaction[order],
            delivered=(parcels.delivered[order] if judged_at is None
                       else np.full(order.size, judged_at)),
            luck=luck,
        )
    measured = parcels.arrival >= world.warmup_days * 24.0
    if not measured.any():
        return talk
    shipping = world.carrier.costs[parcels.service]
    money = world.economics
    revenue = np.full(lateness.size, price)
    profit = order_profits(revenue * money.gross_margin, shipping, lateness,
                           promised_b - parcels.ordered_b, float(money.late_credit),
                           float(money.late_cost_per_day), float(money.promise_cost_per_day))
    ledger.book(
        measured=measured,
        lateness=lateness,
        early=early,
        satisfaction=satisfaction,
        lead_time=(parcels.delivered - parcels.arrival) / 24.0,
        expected_lead=parcels.expected_b - parcels.ordered_b,
        actual_lead=delivered_b - parcels.ordered_b,
        shipping_cost=shipping,
        revenue=revenue,
        profit=profit,
        week=np.floor(parcels.delivered / (7 * 24.0)).astype(np.int64),
        delight_days=world.satisfaction.delight_days,
    )
    return talk


def merge_returning(
    world: World,
    draws: DayDraws,
    new: np.ndarray,
    customers: CustomerBase,
    due: list[np.ndarray],
    warehouse_rng: np.random.Generator,
    carrier_rng: np.random.Generator,
) -> tuple[DayDraws, np.ndarray]:
    """The day's first orders of new customers ``new`` merged with those of returning ones."""
    back = np.concatenate(due) if due else np.empty(0, dtype=np.int64)
    if back.size:
        back = back[customers.active[back]]
    if back.size == 0:
        return draws, new
    extra = world.draw_work(back.size, warehouse_rng, carrier_rng)
    arrival = np.concatenate([draws.arrival, customers.next_purchase[back]])
    order = np.argsort(arrival, kind="stable")
    merged = DayDraws(
        arrival[order],
        np.concatenate([draws.pick_hours, extra.pick_hours])[order],
        np.concatenate([draws.luck, extra.luck])[order],
    )
    return merged, np.concatenate([new, back])[order]


def schedule_returning(
    customers: CustomerBase, ids: np.ndarray, returning: dict[int, list[np.ndarray]], days: int
) -> None:
    """File customers who will buy again under the day of their next purchase."""
    ids = ids[ids >= 0]
    when = customers.next_purchase[ids]
    soon = np.isfinite(when) & (when < days * 24.0)
    ids = ids[soon]
    for d, chunk in by_day(when[soon]):
        returning[d].append(ids[chunk])


def by_day(times: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(day, positions)`` of the times falling on each day, days in order."""
    day = np.floor(times / 24.0).astype(np.int64)
    order = np.argsort(day, kind="stable")
    days, first = np.unique(day[order], return_index=True)
    ends = [*first[1:].tolist(), order.size]
    return ((d, order[a:b]) for d, a, b in zip(days.tolist(), first.tolist(), ends))


def add_customers(
    customers: CustomerBase, n: int, segments: np.random.Generator | None
) -> np.ndarray:
    """Ids of ``n`` new customers, a share of them in the negotiating segment."""
    share = customers.behaviour.pushback_share
    business = None
    if share > 0 and segments is not None:
        business = segments.random(n) < share
    return customers.add(n, business=business)


def customer_luck(streams: Streams, name: str):
    """Three uniforms per delivered parcel for the customers' update, from stream ``name``."""
    return lambda n: streams(name).random((n, 3))
