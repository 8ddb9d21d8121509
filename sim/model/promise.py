"""Promise strategies: given an order and what the firm can see, quote a date and pick a service.

A strategy is any object with ``quote(view) -> Quote`` working on a whole batch of orders at
once; if it also has ``observe(deliveries)``, the world tells it each evening what it delivered
that day (:class:`Deliveries`), so a rule can learn. The built-ins cover the seeds' cases;
users write their own in Python and name them in a scenario as ``package.module:Name``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

import numba
import numpy as np

from sim.errors import StrategyError
from sim.model.calendar import BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.disruptions import DisruptionSchedule
from sim.model.warehouse import Roster
from sim.scenario.strategies import (
    AdaptiveStrategy,
    BufferStrategy,
    ControlledStrategy,
    CustomStrategy,
    QuantileStrategy,
    StrategySpec,
    TightStrategy,
    import_strategy,
)

__all__ = [
    "Adaptive",
    "Buffer",
    "Controlled",
    "Deliveries",
    "FirmView",
    "PromiseStrategy",
    "Quantile",
    "Quote",
    "Tight",
    "strategy_from_spec",
    "uses_backlog",
]


@dataclass(frozen=True, slots=True, eq=False)
class Quote:
    """Per order: the promised window ``[earliest, latest]`` (hours) and the service index."""

    earliest: np.ndarray
    latest: np.ndarray
    service: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class FirmView:
    """What the firm knows when a batch of orders is placed: nothing of the future's luck."""

    arrival: np.ndarray
    backlog: np.ndarray
    calendar: BusinessCalendar
    carrier: Carrier
    roster: Roster
    mean_pick_hours: float
    known_disruptions: DisruptionSchedule
    #: Whole trucks a parcel is expected to wait after picking (the median of the warehouse's
    #: handling stage; 0 without one).
    handling_trucks: int = 0

    @property
    def order_day(self) -> np.ndarray:
        """Simulated day of each order."""
        return np.floor(self.arrival / 24.0).astype(np.int64)

    def next_truck(self) -> np.ndarray:
        """The first truck after each order's arrival (if it could be picked at once)."""
        return self.calendar.next_truck(self.arrival)

    def predicted_dispatch(self) -> np.ndarray:
        """Truck each order is expected on: its backlog worked off at rostered capacity, then
        the handling the firm expects (:attr:`handling_trucks` trucks later).

        Warehouse disruptions under way at the order time slow the prediction; the firm does
        not know how long they will last, so it assumes they last.
        """
        work = (self.backlog + 1.0) * self.mean_pick_hours
        work = work / np.maximum(self.known_disruptions.capacity_at(self.arrival), 1e-9)
        done = self.roster.time_of_picker_hours(self.roster.picker_hours(self.arrival) + work)
        if self.handling_trucks:
            return self.calendar.truck_after(np.maximum(done, self.arrival), self.handling_trucks)
        return self.calendar.next_truck(np.maximum(done, self.arrival))

    def transit_quantile(self, service: int, p: float, dispatch: np.ndarray) -> np.ndarray:
        """The ``p``-quantile of transit days for parcels leaving at ``dispatch``, as known now."""
        days = self.carrier.quantile_days(service, p)
        multiplier, delay = self.known_disruptions.transit_effect(self.arrival)
        return days * multiplier * self.carrier.peaks.transit_at(dispatch) + delay

    def promise_day_end(self, day: np.ndarray) -> np.ndarray:
        """The time a promise for ``day`` expires."""
        return self.calendar.end_of_delivery_day(day)


@dataclass(frozen=True, slots=True, eq=False)
class Deliveries:
    """Orders delivered on one day, as the firm learns of them: when ordered and delivered."""

    day: int
    ordered: np.ndarray
    delivered: np.ndarray
    lead_business_days: np.ndarray


@runtime_checkable
class PromiseStrategy(Protocol):
    """Anything that quotes a batch of orders.

    A strategy whose quote never reads ``view.backlog`` may say so with a class attribute
    ``uses_backlog = False``: in a market its quotes are then made once a day, not at every
    refresh, with the same result and far faster. One whose quote of each order depends on
    that order's row of the view alone (not on the batch: its size, its mean) may say
    ``elementwise = True``: batches of several days are then quoted at once.
    """

    def quote(self, view: FirmView) -> Quote:
        """The quote for every order of the batch the view describes."""
        ...


@dataclass(frozen=True, slots=True)
class Buffer:
    """Quote a window of ``min_days``..``max_days`` business days; ship by ``service``."""

    uses_backlog: ClassVar[bool] = False
    elementwise: ClassVar[bool] = True

    min_days: int
    max_days: int
    service: int

    def quote(self, view: FirmView) -> Quote:
        """The window from ``min_days`` to ``max_days`` business days after the order arrives."""
        earliest = view.calendar.delivery_day_end(view.arrival, self.min_days)
        latest = view.calendar.delivery_day_end(view.arrival, self.max_days)
        return Quote(earliest, latest, np.full(earliest.size, self.service))


@dataclass(frozen=True, slots=True)
class Tight:
    """Quote the service's nominal business days from the next truck (the competitor's rule)."""

    uses_backlog: ClassVar[bool] = False
    elementwise: ClassVar[bool] = True

    nominal_days: int
    service: int

    def quote(self, view: FirmView) -> Quote:
        """The nominal business days counted from the next truck, as both ends of the window."""
        due = view.calendar.delivery_day_end(view.next_truck(), self.nominal_days)
        return Quote(due, due, np.full(due.size, self.service))


@dataclass(frozen=True, slots=True)
class Quantile:
    """Quote the day by which the order arrives with probability ``p``, as the firm predicts it."""

    uses_backlog: ClassVar[bool] = True
    elementwise: ClassVar[bool] = True

    p: float
    service: int

    def quote(self, view: FirmView) -> Quote:
        """The day the predicted dispatch plus the ``p``-quantile of transit reaches."""
        dispatch = view.predicted_dispatch()
        transit = view.transit_quantile(self.service, self.p, dispatch)
        arrival = view.calendar.deliver(dispatch, transit)
        due = view.promise_day_end(np.floor(arrival / 24.0).astype(np.int64))
        return Quote(due, due, np.full(due.size, self.service))


@dataclass(frozen=True, slots=True)
class Controlled:
    """Commit to a truck the firm controls, then an honest carrier window between two quantiles.

    ``dispatch_days`` trucks after the first one the order could catch (after the handling
    the firm expects, :attr:`FirmView.handling_trucks`) is the dispatch the firm commits to;
    the window runs from the ``low`` to the ``high`` quantile of transit from that truck, with
    the disruptions and peaks the firm knows of.
    """

    uses_backlog: ClassVar[bool] = False
    elementwise: ClassVar[bool] = True

    dispatch_days: int
    low: float
    high: float
    service: int

    def quote(self, view: FirmView) -> Quote:
        """The ``low``-to-``high`` transit window from the committed truck."""
        trucks = view.calendar.truck_times
        first = np.searchsorted(trucks, view.arrival, side="left")
        later = self.dispatch_days + view.handling_trucks
        committed = trucks[np.minimum(first + later, trucks.size - 1)]
        ends = []
        for p in (self.low, self.high):
            arrival = view.calendar.deliver(committed, view.transit_quantile(self.service, p,
                                                                             committed))
            ends.append(view.promise_day_end(np.floor(arrival / 24.0).astype(np.int64)))
        return Quote(ends[0], ends[1], np.full(committed.size, self.service))


@dataclass
class Adaptive:
    """Quote the ``p``-quantile of the lead times delivered over the last ``memory_days``."""

    uses_backlog: ClassVar[bool] = False
    elementwise: ClassVar[bool] = True

    p: float
    memory_days: int
    initial_days: float
    service: int
    _seen: deque = field(default_factory=deque, repr=False)

    def observe(self, deliveries: Deliveries) -> None:
        """Remember the day's realised lead times, forgetting those past the memory."""
        self._seen.append((deliveries.day, deliveries.lead_business_days))
        while self._seen and self._seen[0][0] <= deliveries.day - self.memory_days:
            self._seen.popleft()

    @property
    def quoted_days(self) -> float:
        """Business days quoted now: the quantile of what was recently delivered."""
        if not self._seen:
            return self.initial_days
        return float(np.quantile(np.concatenate([lead for _, lead in self._seen]), self.p))

    def quote(self, view: FirmView) -> Quote:
        """The recently delivered quantile of business days, counted from the order's arrival."""
        clock = view.calendar
        arrival = clock.from_business(clock.to_business(view.arrival) + self.quoted_days)
        due = view.promise_day_end(np.floor(arrival / 24.0).astype(np.int64))
        due = np.where(due < arrival, view.promise_day_end(
            clock.nth_delivery_day(np.floor(arrival / 24.0).astype(np.int64), 1)), due)
        return Quote(due, due, np.full(due.size, self.service))


def uses_backlog(strategy: PromiseStrategy) -> bool:
    """Whether ``strategy``'s quote may depend on the backlog (assumed, unless it says not)."""
    return bool(getattr(strategy, "uses_backlog", True))


def strategy_from_spec(spec: StrategySpec, carrier: Carrier) -> PromiseStrategy:
    """Build the strategy a scenario entry describes."""
    if isinstance(spec, BufferStrategy):
        return Buffer(spec.min_days, spec.max_days, carrier.index(spec.service))
    if isinstance(spec, TightStrategy):
        service = carrier.index(spec.service)
        return Tight(carrier.services[service].nominal_days, service)
    if isinstance(spec, QuantileStrategy):
        return Quantile(spec.p, carrier.index(spec.service))
    if isinstance(spec, ControlledStrategy):
        return Controlled(
            spec.dispatch_days, spec.transit_low, spec.transit_high, carrier.index(spec.service)
        )
    if isinstance(spec, AdaptiveStrategy):
        return Adaptive(spec.p, spec.memory_days, spec.initial_days, carrier.index(spec.service))
    if isinstance(spec, CustomStrategy):
        return load_custom(spec.path, spec.params)
    raise StrategyError(f"unknown strategy kind {type(spec).__name__}")  # pragma: no cover


def load_custom(path: str, params: dict[str, Any]) -> PromiseStrategy:
    """Import ``package.module:Name`` and build it with ``params``."""
    factory = import_strategy(path)
    try:
        strategy = factory(**params)
    except TypeError as exc:
        raise StrategyError(f"cannot build strategy {path!r}: {exc}") from None
    if not isinstance(strategy, PromiseStrategy):
        raise StrategyError(f"strategy {path!r} has no quote(view) method")
    return strategy


def check_quote(quote: Any, view: FirmView, n_services: int, name: str) -> Quote:
    """The quote, if it is well formed for the batch; a :class:`StrategyError` otherwise."""
    if not isinstance(quote, Quote):
        raise StrategyError(f"strategy {name!r} returned {type(quote).__name__}, not a Quote")
    arrival = view.arrival
    n = arrival.size
    earliest, latest, service = (np.asarray(quote.earliest), np.asarray(quote.latest),
                                 np.asarray(quote.service))
    for field_name, value in zip(("earliest", "latest", "service"), (earliest, latest, service)):
        if value.shape != (n,):
            raise StrategyError(
                f"strategy {name!r}: quote.{field_name} has shape {value.shape}, expected ({n},)"
            )
    if (earliest.dtype == latest.dtype == arrival.dtype == np.float64
            and service.dtype == np.int64):
        fault = _quote_fault(earliest, latest, service, arrival, n_services)
    else:
        fault = (1 if n and (service.min() < 0 or service.max() >= n_services)
                 else 2 if np.any(latest < earliest) else 3 if np.any(latest < arrival) else 0)
    if fault:
        raise quote_error(fault, name, n_services)
    return quote


def quote_error(fault: int, name: str, n_services: int) -> StrategyError:
    """The error of a quote that breaks rule ``fault`` of :func:`_quote_fault`."""
    return StrategyError(f"strategy {name!r}: " + (
        f"quote.service outside 0..{n_services - 1}" if fault == 1
        else "quote.latest before quote.earliest" if fault == 2
        else "a promise expires before its order is placed"))


@numba.njit(cache=True)
def _quote_fault(earliest, latest, service, arrival, n_services):
    """The first rule of :func:`check_quote` a quote breaks (0: none; 1: a service outside
    ``0..n_services - 1``; 2: a window that closes before it opens; 3: a promise that expires
    before its order), in one pass instead of four.
    """
    bad_service = before = expired = False
    for i in range(arrival.size):  # no branch in the loop: it runs in vector registers
        bad_service |= (service[i] < 0) | (service[i] >= n_services)
        before |= latest[i] < earliest[i]
        expired |= latest[i] < arrival[i]
    return 1 if bad_service else 2 if before else 3 if expired else 0
