"""Promise strategies: given an order and what the firm can see, quote a date and pick a service.

A strategy is any object with ``quote(orders, view) -> Quote`` working on a whole batch of
orders at once. The built-ins cover the seeds' cases; users write their own in Python and name
them in a scenario as ``package.module:Name`` (see :func:`strategy_from_spec`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sim.errors import StrategyError
from sim.model.calendar import BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.disruptions import DisruptionSchedule
from sim.model.warehouse import Roster
from sim.scenario.spec import (
    BufferStrategy,
    CustomStrategy,
    QuantileStrategy,
    StrategySpec,
    TightStrategy,
)

__all__ = [
    "Buffer",
    "FirmView",
    "PromiseStrategy",
    "Quantile",
    "Quote",
    "Tight",
    "strategy_from_spec",
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

    @property
    def order_day(self) -> np.ndarray:
        """Simulated day of each order."""
        return np.floor(self.arrival / 24.0).astype(np.int64)

    def next_truck(self) -> np.ndarray:
        """The first truck after each order's arrival (if it could be picked at once)."""
        return self.calendar.next_truck(self.arrival)

    def predicted_dispatch(self) -> np.ndarray:
        """Truck each order is expected on: its backlog worked off at rostered capacity.

        Warehouse disruptions under way at the order time slow the prediction; the firm does
        not know how long they will last, so it assumes they last.
        """
        work = (self.backlog + 1.0) * self.mean_pick_hours
        work = work / np.maximum(self.known_disruptions.capacity_at(self.arrival), 1e-9)
        done = self.roster.time_of_picker_hours(self.roster.picker_hours(self.arrival) + work)
        return self.calendar.next_truck(np.maximum(done, self.arrival))

    def transit_quantile(self, service: int, p: float, dispatch: np.ndarray) -> np.ndarray:
        """The ``p``-quantile of transit days for parcels leaving at ``dispatch``, as known now."""
        days = self.carrier.quantile_days(service, p)
        multiplier, delay = self.known_disruptions.transit_effect(self.arrival)
        return days * multiplier * self.carrier.peaks.transit_at(dispatch) + delay

    def promise_day_end(self, day: np.ndarray) -> np.ndarray:
        """The time a promise for ``day`` expires."""
        return self.calendar.end_of_delivery_day(day)


@runtime_checkable
class PromiseStrategy(Protocol):
    """Anything that quotes a batch of orders."""

    def quote(self, view: FirmView) -> Quote:
        """The quote for every order of the batch the view describes."""
        ...


@dataclass(frozen=True, slots=True)
class Buffer:
    """Quote a window of ``min_days``..``max_days`` business days; ship by ``service``."""

    min_days: int
    max_days: int
    service: int

    def quote(self, view: FirmView) -> Quote:
        day = view.order_day
        earliest = view.promise_day_end(view.calendar.nth_delivery_day(day, self.min_days))
        latest = view.promise_day_end(view.calendar.nth_delivery_day(day, self.max_days))
        return Quote(earliest, latest, np.full(day.size, self.service))


@dataclass(frozen=True, slots=True)
class Tight:
    """Quote the service's nominal business days from the next truck (the competitor's rule)."""

    nominal_days: int
    service: int

    def quote(self, view: FirmView) -> Quote:
        truck_day = np.floor(view.next_truck() / 24.0).astype(np.int64)
        due = view.promise_day_end(view.calendar.nth_delivery_day(truck_day, self.nominal_days))
        return Quote(due, due, np.full(due.size, self.service))


@dataclass(frozen=True, slots=True)
class Quantile:
    """Quote the day by which the order arrives with probability ``p``, as the firm predicts it."""

    p: float
    service: int

    def quote(self, view: FirmView) -> Quote:
        dispatch = view.predicted_dispatch()
        transit = view.transit_quantile(self.service, self.p, dispatch)
        arrival = view.calendar.deliver(dispatch, transit)
        due = view.promise_day_end(np.floor(arrival / 24.0).astype(np.int64))
        return Quote(due, due, np.full(due.size, self.service))


def strategy_from_spec(spec: StrategySpec, carrier: Carrier) -> PromiseStrategy:
    """Build the strategy a scenario entry describes."""
    if isinstance(spec, BufferStrategy):
        return Buffer(spec.min_days, spec.max_days, carrier.index(spec.service))
    if isinstance(spec, TightStrategy):
        service = carrier.index(spec.service)
        return Tight(carrier.services[service].nominal_days, service)
    if isinstance(spec, QuantileStrategy):
        return Quantile(spec.p, carrier.index(spec.service))
    if isinstance(spec, CustomStrategy):
        return load_custom(spec.path, spec.params)
    raise StrategyError(f"unknown strategy kind {type(spec).__name__}")  # pragma: no cover


def load_custom(path: str, params: dict[str, Any]) -> PromiseStrategy:
    """Import ``package.module:Name`` and build it with ``params``."""
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import failure is the user's to fix
        raise StrategyError(f"cannot import strategy {path!r}: {exc}") from None
    factory = getattr(module, attribute, None)
    if factory is None:
        raise StrategyError(f"cannot import strategy {path!r}: {module_name} has no {attribute!r}")
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
    n = view.arrival.size
    for field_name in ("earliest", "latest", "service"):
        value = np.asarray(getattr(quote, field_name))
        if value.shape != (n,):
            raise StrategyError(
                f"strategy {name!r}: quote.{field_name} has shape {value.shape}, expected ({n},)"
            )
    service = np.asarray(quote.service)
    if n and (service.min() < 0 or service.max() >= n_services):
        raise StrategyError(f"strategy {name!r}: quote.service outside 0..{n_services - 1}")
    if np.any(np.asarray(quote.latest) < np.asarray(quote.earliest)):
        raise StrategyError(f"strategy {name!r}: quote.latest before quote.earliest")
    if np.any(np.asarray(quote.latest) < view.arrival):
        raise StrategyError(f"strategy {name!r}: a promise expires before its order is placed")
    return quote
