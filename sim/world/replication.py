"""One replication of one strategy: SimPy schedules days, each event carries arrays of orders.

The environment has three processes: at the start of each day the day's orders arrive as one
batch (picked exactly by the FIFO recursion, quoted, shipped on the next truck, handed to the
carrier); at the end of each day the day's deliveries are judged and booked; disruptions start
and end. Memory holds only the parcels in flight and the ledger's fixed-size totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import simpy

from sim.errors import ExperimentError
from sim.model.disruptions import DisruptionSchedule
from sim.model.promise import PromiseStrategy, check_quote
from sim.model.warehouse import PickingQueue
from sim.world.build import Streams, World
from sim.world.ledger import Ledger

__all__ = ["OrderRecords", "simulate"]


@dataclass(frozen=True, slots=True, eq=False)
class Parcels:
    """Orders in flight: what was promised, and when they will arrive."""

    arrival: np.ndarray
    earliest: np.ndarray
    latest: np.ndarray
    service: np.ndarray
    delivered: np.ndarray

    def take(self, index: np.ndarray) -> Parcels:
        return Parcels(*(getattr(self, f)[index] for f in self.__slots__))


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


def judge(world: World, parcels: Parcels, ledger: Ledger) -> None:
    """Book delivered ``parcels``, placed after the warm-up, into ``ledger``."""
    measured = parcels.arrival >= world.warmup_days * 24.0
    if not np.any(measured):
        return
    p = parcels.take(measured) if not np.all(measured) else parcels
    clock = world.calendar.to_business
    delivered = clock(p.delivered)
    expected = world.satisfaction.expectation(p.earliest, p.latest)
    early = clock(expected) - delivered
    lateness = delivered - clock(p.latest)
    shipping = world.carrier.costs[p.service]
    money = world.economics
    revenue = np.full(lateness.size, money.price)
    profit = revenue * money.gross_margin - shipping - money.late_credit * (lateness > 0)
    ledger.record(
        lateness=lateness,
        lead_time=(p.delivered - p.arrival) / 24.0,
        satisfaction=world.satisfaction.value(early),
        delighted=early >= world.satisfaction.delight_days,
        shipping_cost=shipping,
        revenue=revenue,
        profit=profit,
    )


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
    ledger = Ledger()
    in_flight: dict[int, list[Parcels]] = defaultdict(list)
    n_services = len(world.carrier.services)
    state = {"ordering": True}

    def order_days(demand_rng, warehouse_rng, carrier_rng):
        waiting = np.empty(0)
        for day in range(world.days):
            yield env.timeout(day * 24.0 - env.now)
            draws = world.draw_day(day, demand_rng, warehouse_rng, carrier_rng)
            if draws.arrival.size == 0:
                continue
            start, finish = queue.serve(draws.arrival, draws.pick_hours)
            if not np.isfinite(finish[-1]) or finish[-1] > (world.calendar.days - 30) * 24.0:
                raise ExperimentError(
                    f"the warehouse falls behind for good: orders of day {day} are not picked "
                    "before the end of the calendar (too few pickers for the demand)"
                )
            backlog = _backlog(waiting, start, draws.arrival)
            everything = np.concatenate([waiting, start])
            waiting = everything[np.searchsorted(everything, (day + 1) * 24.0, side="right"):]
            view = world.firm_view(draws.arrival, backlog, schedule)
            quote = check_quote(strategy.quote(view), view, n_services, name)
            service = np.asarray(quote.service, dtype=np.int64)
            dispatch = world.calendar.next_truck(finish)
            delivered = world.carrier.deliver(service, draws.luck, dispatch, schedule)
            if records is not None:
                records.add(arrival=draws.arrival, backlog=backlog, start=start, finish=finish,
                            dispatch=dispatch, earliest=np.asarray(quote.earliest, dtype=float),
                            latest=np.asarray(quote.latest, dtype=float), service=service,
                            delivered=delivered)
            parcels = Parcels(draws.arrival, np.asarray(quote.earliest, dtype=float),
                              np.asarray(quote.latest, dtype=float), service, delivered)
            day_of = np.floor(delivered / 24.0).astype(np.int64)
            order = np.argsort(day_of, kind="stable")
            days, first = np.unique(day_of[order], return_index=True)
            for d, chunk in zip(days, np.split(order, first[1:])):
                in_flight[int(d)].append(parcels.take(chunk))
        state["ordering"] = False

    def delivery_days():
        day = 0
        while state["ordering"] or in_flight:
            yield env.timeout((day + 1) * 24.0 - env.now)
            for parcels in in_flight.pop(day, ()):
                judge(world, parcels, ledger)
            day += 1

    env.process(order_days(streams("demand"), streams("warehouse"), streams("carrier")))
    env.process(delivery_days())
    env.process(_disruptions(env, schedule, ledger))
    env.run()
    return ledger


def _disruptions(env: simpy.Environment, schedule: DisruptionSchedule, ledger: Ledger):
    """Mark the start and end of each disruption (their effects are in roster and carrier)."""
    for start in np.sort(schedule.start):
        if start > env.now:
            yield env.timeout(start - env.now)
        ledger.disruptions += 1
