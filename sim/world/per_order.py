"""The same replication, one SimPy process per order: the oracle of the batched world.

Pickers are tokens in a ``PriorityStore`` (priority = picker index, so an order takes the
lowest-numbered idle picker and waiting orders are served first come, first served). A roster
keeper process takes the tokens of idle pickers off the floor when their shift ends and puts
them back, in index order, when it starts again; a picker who finishes after its shift hands
its token to the keeper too, so that at a shift start every token comes back at once in index
order, which is how the batched queue breaks ties. Each order waits for its arrival, is quoted,
takes a token, picks, waits for the truck (with a handling stage, the truck its handling draw
holds it for) and for the carrier, and is recorded. Random numbers
are drawn exactly as :func:`sim.world.replication.simulate` draws them, so both give the same
timeline order by order; this one is slow, and meant for tests and benchmarks only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Generator
from heapq import heapify, heappush
from typing import Any

import numpy as np
import simpy
from simpy.core import NORMAL

from sim.errors import ExperimentError
from sim.model.promise import PromiseStrategy, check_quote
from sim.model.warehouse import Roster
from sim.world.build import Streams, World
from sim.world.replication import OrderRecords

__all__ = ["simulate_per_order"]

Process = Generator[simpy.Event, Any, None]  # SimPy sends back each event's value


class At(simpy.Event):
    """An event at exactly time ``t``: ``env.timeout(t - env.now)`` can land one ulp off ``t``."""

    def __init__(self, env: simpy.Environment, t: float) -> None:
        if t < env.now:
            raise ValueError(f"time {t} is in the past (now {env.now})")
        super().__init__(env)
        self._ok = True
        self._value = None
        heappush(env._queue, (t, NORMAL, next(env._eid), self))


class Floor:
    """The pickers: tokens of idle pickers on duty in a store, the rest with the roster keeper."""

    def __init__(self, env: simpy.Environment, roster: Roster) -> None:
        self.env = env
        self.starts = roster.starts.tolist()
        self.levels = roster.pickers.tolist()
        self.tokens = simpy.PriorityStore(env)
        self.off_duty: set[int] = set(range(max(roster.max_pickers, 1)))

    @property
    def waiting(self) -> int:
        """Orders waiting for a picker."""
        return len(self.tokens.get_queue)

    def on_duty(self, k: int, t: float) -> bool:
        """Whether picker ``k`` is on duty at ``t`` (a roster step applies from its start on)."""
        i = bisect_right(self.starts, t) - 1
        return self.levels[max(i, 0)] > k

    def release(self, k: int) -> None:
        """Picker ``k`` has finished: back to work now, or to the keeper until its next shift."""
        if self.on_duty(k, self.env.now):
            self.tokens.put(k)
        else:
            self.off_duty.add(k)

    def keeper(self) -> Process:
        """At each roster step, send idle pickers off duty and call idle ones on, in index order."""
        items = self.tokens.items
        for t, level in zip(self.starts, self.levels):
            yield At(self.env, t)
            leaving = [k for k in items if k >= level]
            if leaving:
                self.off_duty.update(leaving)
                items[:] = [k for k in items if k < level]
                heapify(items)
            for k in sorted(k for k in self.off_duty if k < level):
                self.off_duty.remove(k)
                self.tokens.put(k)


def simulate_per_order(
    world: World,
    strategy: PromiseStrategy,
    streams: Streams,
    *,
    name: str = "strategy",
) -> dict[str, np.ndarray]:
    """Every order's timeline under ``strategy``, as :meth:`OrderRecords.to_arrays` gives it."""
    env = simpy.Environment()
    schedule = world.draw_disruptions(streams("disruptions"))
    floor = Floor(env, world.roster_under(schedule))
    env.process(floor.keeper())
    days: list[dict[str, np.ndarray]] = []
    n_services = len(world.carrier.services)
    last_finish = (world.calendar.days - 30) * 24.0

    def order(record: dict[str, np.ndarray], i: int, pick_hours: float, luck: float,
              handling: float) -> Process:
        arrival = float(record["arrival"][i])
        yield At(env, arrival)
        backlog = floor.waiting
        view = world.firm_view(np.array([arrival]), np.array([float(backlog)]), schedule)
        quote = check_quote(strategy.quote(view), view, n_services, name)
        service = np.asarray(quote.service, dtype=np.int64)
        k = yield floor.tokens.get()
        start = env.now
        yield env.timeout(pick_hours)
        finish = env.now
        floor.release(k)
        if finish > last_finish:
            raise ExperimentError(
                f"the warehouse falls behind for good: an order of day {int(arrival // 24)} is "
                "not picked before the end of the calendar (too few pickers for the demand)"
            )
        ready = np.array([finish])
        if world.handling is None:
            dispatch = float(world.calendar.next_truck(ready)[0])
        else:
            waited = world.trucks_waited(np.array([arrival]), np.array([handling]))
            dispatch = float(world.calendar.truck_after(ready, waited)[0])
        yield At(env, dispatch)
        delivered = world.carrier.deliver(service, np.array([luck]), np.array([dispatch]), schedule)
        # a zero transit can come back from the carrier's clock an ulp before the truck
        yield At(env, max(float(delivered[0]), dispatch))
        for field, value in (
            ("backlog", backlog),
            ("start", start),
            ("finish", finish),
            ("dispatch", dispatch),
            ("earliest", quote.earliest[0]),
            ("latest", quote.latest[0]),
            ("service", service[0]),
            ("delivered", delivered[0]),
        ):
            record[field][i] = value

    def order_days(demand_rng, warehouse_rng, carrier_rng, handling_rng) -> Process:
        for day in range(world.days):
            yield At(env, day * 24.0)
            draws = world.draw_day(day, demand_rng, warehouse_rng, carrier_rng, handling_rng)
            handling = np.zeros(draws.arrival.size) if draws.handling is None else draws.handling
            n = draws.arrival.size
            record = {f: np.full(n, np.nan) for f in OrderRecords.FIELDS}
            record["arrival"] = draws.arrival
            record["service"] = np.full(n, -1, dtype=np.int64)
            record["customer"] = np.full(n, -1, dtype=np.int64)
            days.append(record)
            for i in range(n):
                env.process(order(record, i, float(draws.pick_hours[i]), float(draws.luck[i]),
                                  float(handling[i])))

    env.process(order_days(streams("demand"), streams("warehouse"), streams("carrier"),
                           world.handling_stream(streams)))
    env.run()
    return _collect(days)


def _collect(days: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The days' records as one array per field; an error if an order was never picked."""
    if not any(d["arrival"].size for d in days):
        return {f: np.empty(0) for f in OrderRecords.FIELDS}
    records = {f: np.concatenate([d[f] for d in days]) for f in OrderRecords.FIELDS}
    if np.any(np.isnan(records["delivered"])):
        raise ExperimentError(
            "the warehouse falls behind for good: some orders are never picked "
            "(the roster runs out of pickers)"
        )
    return records
