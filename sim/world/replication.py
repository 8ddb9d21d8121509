"""One replication of one strategy: SimPy schedules days, each event carries arrays of orders.

The environment has two processes: at the start of each day the day's orders arrive as one
batch (new customers' and returning customers', picked exactly by the FIFO recursion, quoted,
shipped on the next truck, handed to the carrier); at the end of each day the day's deliveries
are judged, customers learn from them and the ledger books them. Disruptions are drawn once per
replication and act through the roster and the carrier. Memory holds only the parcels in
flight, the customer arrays and the ledger's fixed-size totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import simpy

from sim.errors import ExperimentError
from sim.model.customers import CustomerBase
from sim.model.promise import Deliveries, PromiseStrategy, check_quote
from sim.model.warehouse import PickingQueue
from sim.world.build import DayDraws, Streams, World
from sim.world.ledger import Ledger, WeeklySeries

__all__ = ["OrderRecords", "simulate"]


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


class OrderRecords:
    """Every order's timeline, collected when asked for (tests, oracle checks, exports)."""

    FIELDS = ("arrival", "backlog", "start", "finish", "dispatch", "earliest", "latest",
              "service", "delivered")

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []

    def add(self, **columns: np.ndarray) -> None:
        self._chunks.append(columns)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """All records as one array per field, in order of arrival."""
        if not self._chunks:
            return {f: np.empty(0) for f in self.FIELDS}
        return {f: np.concatenate([c[f] for c in self._chunks]) for f in self.FIELDS}


def _backlog(waiting: np.ndarray, start: np.ndarray, arrival: np.ndarray) -> np.ndarray:
    """Orders ahead of each new order that have not started picking when it arrives."""
    starts = np.concatenate([waiting, start])
    position = waiting.size + np.arange(arrival.size)
    started = np.minimum(position, np.searchsorted(starts, arrival, side="right"))
    return (position - started).astype(float)


def judge(
    world: World,
    parcels: Parcels,
    ledger: Ledger,
    *,
    customers: CustomerBase | None = None,
    luck: np.ndarray | None = None,
) -> tuple[int, int]:
    """Judge delivered ``parcels``: customers learn from all, the ledger books the measured.

    Returns the recommendations and warnings the deliveries produced.
    """
    clock = world.calendar.to_business
    delivered_b = clock(parcels.delivered)
    lateness = delivered_b - clock(parcels.latest)
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
            delivered=parcels.delivered[order],
            luck=luck,
        )
    measured = parcels.arrival >= world.warmup_days * 24.0
    if not np.any(measured):
        return talk
    p = parcels.take(measured)
    lateness, early, satisfaction = lateness[measured], early[measured], satisfaction[measured]
    delivered_b = delivered_b[measured]
    shipping = world.carrier.costs[p.service]
    money = world.economics
    revenue = np.full(lateness.size, money.price)
    profit = revenue * money.gross_margin - shipping - money.late_credit * (lateness > 0)
    ledger.record(
        lateness=lateness,
        lead_time=(p.delivered - p.arrival) / 24.0,
        satisfaction=satisfaction,
        delighted=early >= world.satisfaction.delight_days,
        shipping_cost=shipping,
        revenue=revenue,
        profit=profit,
    )
    ledger.weekly.add(
        np.floor(p.delivered / (7 * 24.0)).astype(np.int64),
        satisfaction=satisfaction,
        expected_lead=p.expected_b - p.ordered_b,
        actual_lead=delivered_b - p.ordered_b,
        kept=(lateness <= 0).astype(float),
        revenue=revenue,
        profit=profit,
    )
    return talk


def simulate(
    world: World,
    strategy: PromiseStrategy,
    streams: Streams,
    *,
    name: str = "strategy",
    records: OrderRecords | None = None,
) -> Ledger:
    """Run ``strategy`` through ``world`` once, with the random streams ``streams`` gives."""
    env = simpy.Environment()
    schedule = world.draw_disruptions(streams("disruptions"))
    queue = PickingQueue(world.roster_under(schedule))
    ledger = Ledger(weekly=WeeklySeries(world.calendar.days // 7 + 1))
    in_flight: dict[int, list[Parcels]] = defaultdict(list)
    customers = CustomerBase(world.behaviour) if world.behaviour is not None else None
    reputation = world.reputation()
    returning: dict[int, list[np.ndarray]] = defaultdict(list)
    n_services = len(world.carrier.services)
    clock = world.calendar.to_business
    observe = getattr(strategy, "observe", None)
    state = {"ordering": True}

    def order_days(demand_rng, warehouse_rng, carrier_rng):
        waiting = np.empty(0)
        for day in range(world.days):
            yield env.timeout(day * 24.0 - env.now)
            draws = world.draw_day(
                day, demand_rng, warehouse_rng, carrier_rng, scale=reputation.arrival_multiplier
            )
            customer = np.full(draws.arrival.size, -1, dtype=np.int64)
            if customers is not None:
                if day >= world.warmup_days:
                    ledger.new_customers += draws.arrival.size
                draws, customer = _with_returning(
                    world, draws, customers, returning.pop(day, []), warehouse_rng, carrier_rng
                )
            if draws.arrival.size == 0:
                continue
            start, finish = queue.serve(draws.arrival, draws.pick_hours)
            latest_finish = finish.max()
            if not np.isfinite(latest_finish) or latest_finish > (world.calendar.days - 30) * 24.0:
                raise ExperimentError(
                    f"the warehouse falls behind for good: orders of day {day} are not picked "
                    "before the end of the calendar (too few pickers for the demand)"
                )
            backlog = _backlog(waiting, start, draws.arrival)
            everything = np.concatenate([waiting, start])
            waiting = everything[np.searchsorted(everything, (day + 1) * 24.0, side="right"):]
            view = world.firm_view(draws.arrival, backlog, schedule)
            quote = check_quote(strategy.quote(view), view, n_services, name)
            earliest = np.asarray(quote.earliest, dtype=float)
            latest = np.asarray(quote.latest, dtype=float)
            service = np.asarray(quote.service, dtype=np.int64)
            dispatch = world.calendar.next_truck(finish)
            delivered = world.carrier.deliver(service, draws.luck, dispatch, schedule)
            if records is not None:
                records.add(arrival=draws.arrival, backlog=backlog, start=start, finish=finish,
                            dispatch=dispatch, earliest=earliest, latest=latest, service=service,
                            delivered=delivered)
            ordered_b = clock(draws.arrival)
            reference_b = clock(world.satisfaction.expectation(earliest, latest))
            expected_b = reference_b
            if customers is not None:
                promise_lead = reference_b - ordered_b
                expected_b = ordered_b + customers.expected_lead(customer, promise_lead)
            parcels = Parcels(draws.arrival, earliest, latest, service, delivered, ordered_b,
                              reference_b, expected_b, customer)
            for d, chunk in _by_day(delivered):
                in_flight[d].append(parcels.take(chunk))
        state["ordering"] = False

    def delivery_days():
        day = 0
        while state["ordering"] or in_flight:
            yield env.timeout((day + 1) * 24.0 - env.now)
            batches = in_flight.pop(day, [])
            if batches:
                parcels = Parcels.concat(batches)
                luck = None
                if customers is not None:
                    luck = streams(f"customers:{day}").random((parcels.arrival.size, 3))
                referrals, warnings = judge(world, parcels, ledger, customers=customers, luck=luck)
                if observe is not None:
                    observe(Deliveries(day, parcels.arrival, parcels.delivered,
                                       clock(parcels.delivered) - parcels.ordered_b))
                if customers is not None:
                    reputation.update(referrals, warnings, parcels.arrival.size)
                    _schedule_returning(customers, parcels.customer, returning, world.days)
            if (day + 1) % 7 == 0 and customers is not None:
                ledger.weekly.snapshot(day // 7, trust_mean=customers.mean_trust(),
                                       reputation=reputation.score,
                                       active_customers=float(customers.active_count))
            day += 1

    env.process(order_days(streams("demand"), streams("warehouse"), streams("carrier")))
    env.process(delivery_days())
    env.run()
    return ledger


def _with_returning(world, draws, customers, due, warehouse_rng, carrier_rng):
    """The day's first orders of new customers merged with orders of returning ones."""
    new = customers.add(draws.arrival.size)
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


def _schedule_returning(customers, ids, returning, days):
    """File customers who will buy again under the day of their next purchase."""
    ids = ids[ids >= 0]
    when = customers.next_purchase[ids]
    soon = np.isfinite(when) & (when < days * 24.0)
    ids = ids[soon]
    for d, chunk in _by_day(when[soon]):
        returning[d].append(ids[chunk])


def _by_day(times: np.ndarray):
    """``(day, positions)`` of the times falling on each day, days in order."""
    day = np.floor(times / 24.0).astype(np.int64)
    order = np.argsort(day, kind="stable")
    days, first = np.unique(day[order], return_index=True)
    ends = [*first[1:].tolist(), order.size]
    return ((d, order[a:b]) for d, a, b in zip(days.tolist(), first.tolist(), ends))
