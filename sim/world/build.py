"""``build_world``: the one place that walks a whole scenario and builds the model parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.calendar import BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.customers import Behaviour, Reputation
from sim.model.demand import DemandModel
from sim.model.disruptions import DisruptionSchedule, SeasonalPeaks
from sim.model.handling import Handling
from sim.model.market import LogitChoice
from sim.model.promise import FirmView, PromiseStrategy, strategy_from_spec
from sim.model.satisfaction import Disconfirmation
from sim.model.warehouse import Roster
from sim.scenario.base import clock_hours
from sim.scenario.customers import WordOfMouth
from sim.scenario.distributions import Distribution
from sim.scenario.operations import Disruption, Shift
from sim.scenario.spec import Economics, Scenario
from sim.scenario.strategies import StrategySpec

__all__ = ["COMPONENTS", "DayDraws", "MarketSetup", "Rival", "World", "build_world"]

#: Named random streams, one per model component (common random numbers across strategies).
COMPONENTS = ("demand", "warehouse", "carrier", "disruptions")

Streams = Callable[[str], np.random.Generator]


@dataclass(frozen=True, slots=True, eq=False)
class DayDraws:
    """The orders of one day and their luck: arrival (hours), pick hours, carrier luck in [0, 1)
    and, in a world with a handling stage, each one's handling luck in [0, 1) (its whole trucks
    waited come from it and its order time: :meth:`World.trucks_waited`).
    """

    arrival: np.ndarray
    pick_hours: np.ndarray
    luck: np.ndarray
    handling: np.ndarray | None = None

    def take(self, index: np.ndarray) -> DayDraws:
        """The draws of the orders at positions ``index``."""
        handling = None if self.handling is None else self.handling[index]
        return DayDraws(self.arrival[index], self.pick_hours[index], self.luck[index], handling)


@dataclass(frozen=True, slots=True)
class Rival:
    """A competitor: its name, how it promises, its price and its warehouse shifts."""

    name: str
    strategy: StrategySpec
    price: float
    shifts: tuple[tuple[float, float, int], ...]


@dataclass(frozen=True, slots=True)
class MarketSetup:
    """The competitors and how prospects choose between the firms (see ``Market``)."""

    choice: LogitChoice
    rivals: tuple[Rival, ...]
    refresh_hours: float


@dataclass(frozen=True, slots=True, eq=False)
class World:
    """Every model part of a scenario, ready to be run under any strategy."""

    days: int
    warmup_days: int
    calendar: BusinessCalendar
    demand: DemandModel
    shifts: tuple[tuple[float, float, int], ...]
    planned_roster: Roster
    pick_minutes: Distribution
    carrier: Carrier
    satisfaction: Disconfirmation
    disruptions: tuple[Disruption, ...]
    economics: Economics
    behaviour: Behaviour | None = None
    word_of_mouth: WordOfMouth | None = None
    market: MarketSetup | None = None
    handling: Handling | None = None

    def handling_stream(self, streams: Streams) -> np.random.Generator | None:
        """The stream of the handling stage's draws (None without one: nothing is drawn)."""
        return None if self.handling is None else streams("handling")

    def draw_day(
        self,
        day: int,
        demand_rng,
        warehouse_rng,
        carrier_rng,
        handling_rng=None,
        *,
        scale: float = 1.0,
    ) -> DayDraws:
        """The new orders of ``day`` (rate times ``scale``), from the streams in a fixed order."""
        arrival = self.demand.arrivals(day, demand_rng, scale=scale)
        work = self.draw_work(arrival.size, warehouse_rng, carrier_rng, handling_rng)
        return DayDraws(arrival, work.pick_hours, work.luck, work.handling)

    def draw_work(self, n: int, warehouse_rng, carrier_rng, handling_rng=None) -> DayDraws:
        """Pick hours, carrier luck and whole trucks of handling of ``n`` orders (their arrival
        left empty); handling is drawn from ``handling_rng``, its own stream, when the world
        has the stage (:meth:`handling_stream`), so that no other draw moves.
        """
        pick_hours = self.pick_minutes.sample(warehouse_rng, n)
        pick_hours /= 60.0
        luck = carrier_rng.random(n)
        if self.handling is None:
            return DayDraws(np.empty(0), pick_hours, luck)
        if handling_rng is None:
            raise ValueError("a world with a handling stage draws it from the 'handling' stream")
        return DayDraws(np.empty(0), pick_hours, luck, handling_rng.random(n))

    def trucks_waited(self, arrival: np.ndarray, handling: np.ndarray) -> np.ndarray:
        """Whole trucks of handling of orders placed at ``arrival`` with handling luck
        ``handling`` (their :attr:`DayDraws.handling`).
        """
        assert self.handling is not None
        return self.handling.trucks(arrival, handling, self.calendar.start.weekday())

    def expected_handling_trucks(self) -> int:
        """Whole trucks of handling the firm expects: the median (0 without a handling stage)."""
        return 0 if self.handling is None else self.handling.expected

    def reputation(self) -> Reputation:
        """A fresh reputation score (inert when customers have no memory)."""
        if self.word_of_mouth is None:
            return Reputation(effect=0.0)
        return Reputation.from_spec(self.word_of_mouth)

    def draw_disruptions(self, rng: np.random.Generator) -> DisruptionSchedule:
        """The disruptions of one replication."""
        return DisruptionSchedule.draw(self.disruptions, self.calendar, self.days, rng)

    def roster_under(self, schedule: DisruptionSchedule) -> Roster:
        """The pickers actually on duty when ``schedule``'s outages strike."""
        return self.planned_roster.under(schedule.outages)

    def firm_view(
        self,
        arrival: np.ndarray,
        backlog: np.ndarray,
        schedule: DisruptionSchedule,
        *,
        roster: Roster | None = None,
    ) -> FirmView:
        """What the firm sees when orders arrive at ``arrival`` with ``backlog`` ahead of each.

        ``roster`` is the firm's planned roster (the scenario's warehouse if omitted).

        Only disruptions that have started by the last arrival are in view; the view's methods
        look at those under way at each order's own arrival.
        """
        return FirmView(
            arrival=arrival,
            backlog=backlog,
            calendar=self.calendar,
            carrier=self.carrier,
            roster=self.planned_roster if roster is None else roster,
            mean_pick_hours=self.pick_minutes.mean / 60.0,
            known_disruptions=schedule.started_by(float(arrival.max(initial=0.0))),
            handling_trucks=self.expected_handling_trucks(),
        )


def _shifts(shifts: list[Shift]) -> tuple[tuple[float, float, int], ...]:
    return tuple((clock_hours(s.start), clock_hours(s.end), s.pickers) for s in shifts)


def _market(scenario: Scenario) -> MarketSetup | None:
    market = scenario.market
    if market is None:
        return None
    rivals = tuple(
        Rival(
            name=c.name,
            strategy=c.strategy,
            price=scenario.economics.price if c.price is None else c.price,
            shifts=_shifts(scenario.warehouse.shifts if c.shifts is None else c.shifts),
        )
        for c in market.competitors
    )
    return MarketSetup(LogitChoice.from_spec(market.choice), rivals, market.quote_refresh_hours)


def build_world(scenario: Scenario) -> World:
    """The model parts of ``scenario``, independent of strategy and replication."""
    calendar = BusinessCalendar.from_spec(scenario.horizon, scenario.calendar)
    customers = scenario.customers
    peaks = SeasonalPeaks.build(scenario.disruptions.peaks, calendar)
    shifts = _shifts(scenario.warehouse.shifts)
    return World(
        days=scenario.horizon.days,
        warmup_days=scenario.horizon.warmup_days,
        calendar=calendar,
        demand=DemandModel.from_spec(
            scenario.demand, calendar, scenario.horizon.days, peaks.demand
        ),
        shifts=shifts,
        planned_roster=Roster.from_shifts(calendar, shifts),
        pick_minutes=scenario.warehouse.pick_minutes,
        carrier=Carrier.from_spec(scenario.carrier, calendar, peaks),
        satisfaction=Disconfirmation.from_spec(scenario.satisfaction),
        disruptions=tuple(scenario.disruptions.events),
        economics=scenario.economics,
        behaviour=None if customers is None else Behaviour.from_spec(customers),
        word_of_mouth=None if customers is None else customers.word_of_mouth,
        market=_market(scenario),
        handling=Handling.from_spec(scenario.warehouse, scenario.calendar.cutoff),
    )


def build_strategies(scenario: Scenario, world: World) -> dict[str, PromiseStrategy]:
    """The scenario's strategies by name, built (custom ones imported) for ``world``.

    Competitors' strategies are built too, so that one that cannot be built fails here.
    """
    if world.market is not None:
        for rival in world.market.rivals:
            strategy_from_spec(rival.strategy, world.carrier)
    return {s.name: strategy_from_spec(s, world.carrier) for s in scenario.strategies}
