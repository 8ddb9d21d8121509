"""Your own SimPy processes in a replication, and the surface they act through.

The model is a SimPy model, so it is extended the SimPy way: a process is a generator function
``process(env, replication)`` that runs beside the built-in ones. It waits on the system events
(the start and end of each day, a disruption's start and end, a truck's departure) and acts
through :class:`Replication`: cut the pickers or slow the carrier for a while
(:meth:`Replication.disrupt`: a strike, a hub fire), scale a day's demand
(:meth:`Replication.scale_demand`: a flash sale), read the parcels judged at the end of a day.
Time is in hours from the start of the horizon, as everywhere in the model.

A day's orders are all taken at its start (the FIFO recursion settles each order's picking and
truck then), so an action changes what is decided after it: announce an outage before the
orders it should delay are taken. With a process present the days are scheduled one by one and
each day's deliveries are judged at its end; without one nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.model.calendar import BusinessCalendar
from sim.model.disruptions import DisruptionSchedule
from sim.world.parcels import Parcels

__all__ = ["DisruptionSpan", "JudgedDay", "Process", "Replication", "TruckDeparture"]

#: A user's process: a SimPy generator function of the environment and the replication.
Process = Callable[[simpy.Environment, "Replication"], Generator[simpy.Event, Any, Any]]


@dataclass(frozen=True, slots=True)
class DisruptionSpan:
    """One disruption: its kind, start and end (hours) and what it does while it lasts."""

    kind: str
    start: float
    end: float
    warehouse_capacity: float = 1.0
    transit_multiplier: float = 1.0
    transit_delay_days: float = 0.0


@dataclass(frozen=True, slots=True, eq=False)
class JudgedDay:
    """The firm's parcels delivered on ``day`` and judged at its end (ordered, promised and
    delivered in hours; see :class:`~sim.world.parcels.Parcels`).
    """

    day: int
    parcels: Parcels

    @property
    def count(self) -> int:
        """How many parcels were delivered that day."""
        return int(self.parcels.arrival.size)

    @property
    def late(self) -> int:
        """How many of them arrived after their promise."""
        return int(np.count_nonzero(self.parcels.delivered > self.parcels.latest))


@dataclass(frozen=True, slots=True)
class TruckDeparture:
    """A truck leaving the warehouse at ``time`` (hours) with the firm's ``parcels``."""

    time: float
    parcels: int


class Replication:
    """One running replication as a user's process sees it: its events and its levers.

    ``day_started``, ``day_ended``, ``disruption_started``, ``disruption_ended`` and
    ``truck_departed`` are each the next such event (yield it to wait for it); their values are
    the day, a :class:`JudgedDay`, a tuple of :class:`DisruptionSpan` (all that start or end at
    that moment) and a :class:`TruckDeparture`.
    """

    def __init__(self, env: simpy.Environment, *, calendar: BusinessCalendar, days: int,
                 index: int, strategy: str, firms: Sequence[Any]) -> None:
        self.env = env
        self.calendar = calendar
        #: Days in the horizon, replication number and the strategy under test.
        self.days, self.index, self.strategy = days, index, strategy
        #: The day whose orders were taken last (-1 before the first).
        self.day = -1
        self._firms = firms
        self._scale: dict[int, float] = {}
        self._next = {name: env.event() for name in
                      ("day_started", "day_ended", "disruption_started", "disruption_ended",
                       "truck_departed")}
        self._spans: dict[tuple[str, float], list[DisruptionSpan]] = {}
        self._trucks: dict[float, int] = {}
        firms[0].watch_dispatch = self._shipped
        schedule = firms[0].schedule
        for row in zip(schedule.kind, schedule.start, schedule.end, schedule.warehouse_capacity,
                       schedule.transit_multiplier, schedule.transit_delay_days):
            self._announce(DisruptionSpan(str(row[0]), *(float(x) for x in row[1:])))

    @property
    def day_started(self) -> simpy.Event:
        """The start of the next day, before its orders are taken; the value is the day."""
        return self._next["day_started"]

    @property
    def day_ended(self) -> simpy.Event:
        """The end of the next day, once its deliveries are judged; the value a JudgedDay."""
        return self._next["day_ended"]

    @property
    def disruption_started(self) -> simpy.Event:
        """The next moment disruptions start; the value is a tuple of DisruptionSpan."""
        return self._next["disruption_started"]

    @property
    def disruption_ended(self) -> simpy.Event:
        """The next moment disruptions end; the value is a tuple of DisruptionSpan."""
        return self._next["disruption_ended"]

    @property
    def truck_departed(self) -> simpy.Event:
        """The next truck that leaves with parcels of the firm; the value a TruckDeparture."""
        return self._next["truck_departed"]

    def disrupt(self, kind: str, *, start: float, end: float, warehouse_capacity: float = 1.0,
                transit_multiplier: float = 1.0, transit_delay_days: float = 0.0) -> None:
        """A disruption from ``start`` to ``end`` (hours), as a scenario's would act: only the
        share ``warehouse_capacity`` of the pickers work, transit of parcels shipped meanwhile
        scales by ``transit_multiplier`` and gains ``transit_delay_days`` business days.
        """
        now = self.env.now
        if not now <= start < end:
            raise ValueError(f"disrupt: need now ({now:g}) <= start ({start:g}) < end ({end:g})")
        if not 0.0 <= warehouse_capacity <= 1.0:
            raise ValueError(f"disrupt: warehouse_capacity must be in [0, 1], got "
                             f"{warehouse_capacity!r}")
        if transit_multiplier <= 0 or transit_delay_days < 0:
            raise ValueError("disrupt: transit_multiplier must be > 0 and transit_delay_days "
                             ">= 0")
        span = DisruptionSpan(kind, float(start), float(end), float(warehouse_capacity),
                              float(transit_multiplier), float(transit_delay_days))
        schedule = _with_span(self._firms[0].schedule, span)
        for firm in self._firms:
            firm.disrupt(schedule)
        self._announce(span)

    def scale_demand(self, factor: float, *, days: int = 1) -> None:
        """New customers' orders of the next ``days`` days whose orders are not yet taken
        arrive at ``factor`` times their rate (factors of one day multiply).
        """
        if not factor >= 0 or days < 1:
            raise ValueError(f"scale_demand: need factor >= 0 and days >= 1, got {factor!r}, "
                             f"{days!r}")
        for day in range(self.day + 1, self.day + 1 + days):
            self._scale[day] = self._scale.get(day, 1.0) * float(factor)

    def demand_scale(self, day: int) -> float:
        """The factor the processes set on ``day``'s demand (1 when none)."""
        return self._scale.get(day, 1.0)

    def begin_day(self, day: int) -> simpy.Event:
        """Announce the start of ``day``: the event the day's orders wait on, so that every
        process waiting for it acts first.
        """
        self.day = day - 1
        return self._fire("day_started", day)

    def taken(self, day: int) -> None:
        """``day``'s orders are taken: later demand changes go to the days after it."""
        self.day = day

    def end_day(self, day: int, parcels: Parcels | None) -> None:
        """Announce that ``day``'s deliveries are judged."""
        if parcels is None:
            parcels = Parcels(*(np.empty(0) for _ in Parcels._fields))
        self._fire("day_ended", JudgedDay(day, parcels))

    def _fire(self, name: str, value: Any) -> simpy.Event:
        event = self._next[name]
        self._next[name] = self.env.event()
        return event.succeed(value)

    def _announce(self, span: DisruptionSpan) -> None:
        for name, at in (("disruption_started", span.start), ("disruption_ended", span.end)):
            group = self._spans.get((name, at))
            if group is None:
                group = self._spans[(name, at)] = []
                self.env.process(self._at(at, name))
            group.append(span)

    def _at(self, at: float, name: str) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(max(at - self.env.now, 0.0))
        self._fire(name, tuple(self._spans.pop((name, at))))

    def _shipped(self, dispatch: np.ndarray) -> None:
        times, counts = np.unique(dispatch, return_counts=True)
        for t, n in zip(times.tolist(), counts.tolist()):
            if t not in self._trucks:
                self._trucks[t] = 0
                self.env.process(self._truck(t))
            self._trucks[t] += n

    def _truck(self, at: float) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(at - self.env.now)
        self._fire("truck_departed", TruckDeparture(at, self._trucks.pop(at)))


def _with_span(schedule: DisruptionSchedule, span: DisruptionSpan) -> DisruptionSchedule:
    """``schedule`` with ``span`` added, the events in order of start as drawn ones are."""
    kind = np.append(schedule.kind, np.array([span.kind], dtype=object))
    columns = [np.append(getattr(schedule, f), getattr(span, f)) for f in
               ("start", "end", "warehouse_capacity", "transit_multiplier",
                "transit_delay_days")]
    order = np.argsort(columns[0], kind="stable")
    return DisruptionSchedule(kind[order], *(c[order] for c in columns))
