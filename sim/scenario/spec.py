"""The scenario whole: its parts, the economics, the experiment, and the rules that span them.

The parts live in modules that mirror :mod:`sim.model` (:mod:`~sim.scenario.operations`,
:mod:`~sim.scenario.strategies`, :mod:`~sim.scenario.customers`,
:mod:`~sim.scenario.market`). The JSON Schema printed by ``promise-sim schema`` is generated
from these classes, so each field's description is the documentation of the scenario file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.errors import ScenarioError
from sim.scenario.base import WEEKDAYS, Fraction, NonNegative, Spec, check_unique
from sim.scenario.claim import Claim
from sim.scenario.customers import Customers, Satisfaction
from sim.scenario.limits import (
    DAY_REASON,
    MAX_ORDERS_PER_DAY,
    MAX_ORDERS_PER_REPLICATION,
    MAX_REPLICATIONS,
    MAX_TRANSIT_DAYS,
    ORDERS_REASON,
    REPLICATIONS_REASON,
    TRANSIT_REASON,
    check_replications,
)
from sim.scenario.market import Market
from sim.scenario.messages import describe_error
from sim.scenario.operations import Calendar, Carrier, Demand, Disruptions, Horizon, Warehouse
from sim.scenario.optimize import Optimize
from sim.scenario.paths import set_values
from sim.scenario.sensitivity import Sensitivity
from sim.scenario.strategies import StrategySpec
from sim.scenario.sweep import Sweep

__all__ = ["Economics", "Experiment", "Scenario"]


class Economics(Spec):
    """Money per order: what it earns, what shipping costs, what lateness and long quotes cost.

    Profit per order is ``price * gross_margin - shipping - late_credit * late -
    late_cost_per_day * days_late - promise_cost_per_day * days_quoted``, days in business days.
    """

    price: NonNegative = Field(
        default=80.0, le=1e7, description="Revenue per order (an assumption: a pair of shoes)."
    )
    gross_margin: Fraction = Field(
        default=0.4, description="Share of revenue left after the goods' cost (an assumption)."
    )
    late_credit: NonNegative = Field(
        default=0.0,
        le=1e7,
        description="Credit or refund given for each late order (an assumption; 0: none).",
    )
    late_cost_per_day: NonNegative = Field(
        default=0.0,
        le=1e7,
        description="Cost per business day an order arrives after the end of its promise: "
        "service contacts, goodwill, lost repurchase (an assumption; 0: none); lateness "
        "costs ~3x per minute what earliness pleases (Xie et al. 2024). The linear lateness "
        "cost b of due-date quoting.",
    )
    promise_cost_per_day: NonNegative = Field(
        default=0.0,
        le=1e7,
        description="Cost per business day quoted, from the order to the end of the promised "
        "window: the price of a longer promise in lost demand or discount (an assumption; "
        "0: none); a promise one day slower cost ~2.7% of profit (Cui et al. 2024). With "
        "'late_cost_per_day' b and this h, the best quote of a known lead time is its "
        "1 - h/b quantile (a newsvendor; ln(b/h)/(mu-lambda) in an M/M/1 queue). A cost h "
        "per day early instead is this h with b raised by h.",
    )


class Experiment(Spec):
    """How many times to run the world, from which root seed, and where orders are recorded.

    ``order_records`` says where output goes, not what is simulated: it is left out of the
    scenario's dump, so it changes neither the scenario hash nor any number of a run.
    """

    replications: int = Field(
        default=20,
        ge=2,
        json_schema_extra={"maximum": MAX_REPLICATIONS},
        description=f"Independent replications, from 2 to {MAX_REPLICATIONS:,} "
        f"({REPLICATIONS_REASON}).",
    )
    seed: int = Field(default=0, ge=0, lt=2**63, description="Root seed of all random streams.")
    confidence: float = Field(
        default=0.95, gt=0.5, lt=1, description="Level of the confidence intervals."
    )
    order_records: str | None = Field(
        default=None,
        min_length=1,
        exclude=True,
        description="Folder for every order's record, as Parquet files "
        "(<folder>/strategy=<name>/replication=<r>.parquet); off if omitted. A relative path "
        "is relative to the current directory.",
    )

    @field_validator("replications")
    @classmethod
    def _sensible_replications(cls, n: int) -> int:
        return check_replications(n)


class Scenario(Spec):
    """A complete scenario: the world, the strategies to compare, and the experiment."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Short name, used in paths.")
    description: str = Field(default="", description="What this scenario is about.")
    horizon: Horizon = Field(description="The simulated period and its warm-up.")
    calendar: Calendar = Field(
        default_factory=Calendar, description="Business days, holidays, truck and carrier days."
    )
    demand: Demand = Field(description="Orders placed, by weekday, month and hour.")
    warehouse: Warehouse = Field(description="Shifts, pickers and pick times.")
    carrier: Carrier = Field(description="Service levels with transit times and costs.")
    disruptions: Disruptions = Field(
        default_factory=Disruptions, description="Random disruptions and seasonal peaks."
    )
    strategies: list[StrategySpec] = Field(min_length=1, description="Strategies to compare.")
    baseline: str | None = Field(
        default=None, description="Strategy the others are compared with (the first if omitted)."
    )
    satisfaction: Satisfaction = Field(
        default_factory=Satisfaction, description="How a delivery is judged against expectation."
    )
    customers: Customers | None = Field(
        default=None,
        description="Customers with memory; absent: every order is judged against its promise.",
    )
    market: Market | None = Field(
        default=None,
        description="Competitors and the choice between firms; absent: every prospect buys "
        "from the firm.",
    )
    economics: Economics = Field(
        default_factory=Economics, description="Revenue, margin and late credits per order."
    )
    claim: Claim | None = Field(
        default=None, description="The claim this scenario tests, and how its verdict is read."
    )
    experiment: Experiment = Field(
        default_factory=Experiment, description="Replications, root seed, confidence level."
    )
    sweep: Sweep | None = Field(
        default=None, description="Keys to vary over a grid or a space-filling design "
        "('promise-sim sweep')."
    )
    optimize: Optimize | None = Field(
        default=None, description="Strategy parameters to search for the best objective "
        "('promise-sim optimize')."
    )
    sensitivity: Sensitivity | None = Field(
        default=None, description="Uncertain parameters whose influence on an outcome is "
        "measured ('promise-sim sensitivity')."
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        try:
            check_unique([s.name for s in self.strategies], "strategy names")
        except ValueError as exc:
            raise ValueError(f"strategies: {exc}") from None
        services = [s.name for s in self.carrier.service_levels]
        for i, strategy in enumerate(self.strategies):
            service = getattr(strategy, "service", None)
            if service is not None and service not in services:
                raise ValueError(
                    f"strategies[{i}].service: unknown service level {service!r} "
                    f"(one of {', '.join(services)})"
                )
        names = [s.name for s in self.strategies]
        if self.market is not None:
            for i, competitor in enumerate(self.market.competitors):
                service = getattr(competitor.strategy, "service", None)
                if service is not None and service not in services:
                    raise ValueError(
                        f"market.competitors[{i}].strategy.service: unknown service level "
                        f"{service!r} (one of {', '.join(services)})"
                    )
        if self.claim is not None:
            self.claim.check_strategies(names)
        if self.optimize is not None:
            self.optimize.check_strategy(names)
        if self.sensitivity is not None:
            self.sensitivity.outcome.check_strategies(names)
        if self.baseline is not None and self.baseline not in names:
            raise ValueError(
                f"baseline: {self.baseline!r} is not a strategy (one of {', '.join(names)})"
            )
        return self

    @model_validator(mode="after")
    def _sizes_within_limits(self) -> Scenario:
        daily = self.expected_daily_orders()
        total = float(daily.sum())
        if not total <= MAX_ORDERS_PER_REPLICATION:
            raise ValueError(
                f"demand: expected orders in one replication must be <= "
                f"{MAX_ORDERS_PER_REPLICATION:,} ({ORDERS_REASON}), got {total:.3g} over "
                f"{self.horizon.days} days"
            )
        busiest = int(np.argmax(daily))
        if not daily[busiest] <= MAX_ORDERS_PER_DAY:
            day = self.horizon.start + dt.timedelta(days=busiest)
            raise ValueError(
                f"demand: expected orders on the busiest day must be <= {MAX_ORDERS_PER_DAY:,} "
                f"({DAY_REASON}), got {daily[busiest]:.3g} on {day}"
            )
        events = self.disruptions.events
        slowest = math.prod(e.transit_multiplier for e in events)
        slowest *= math.prod(p.transit_multiplier for p in self.disruptions.peaks)
        delay = sum(e.transit_delay_days for e in events)
        for i, level in enumerate(self.carrier.service_levels):
            tail = level.transit_tail()
            if not tail <= MAX_TRANSIT_DAYS:
                raise ValueError(
                    f"carrier.service_levels[{i}].transit_days: one parcel in a million may "
                    f"take {tail:.3g} business days; must be <= {MAX_TRANSIT_DAYS} "
                    f"({TRANSIT_REASON})"
                )
            if not tail * slowest + delay <= MAX_TRANSIT_DAYS:
                raise ValueError(
                    f"disruptions: with every event and peak at once, one parcel of "
                    f"{level.name!r} in a million may take {tail * slowest + delay:.3g} "
                    f"business days; must be <= {MAX_TRANSIT_DAYS} ({TRANSIT_REASON})"
                )
        return self

    def expected_daily_orders(self) -> np.ndarray:
        """Expected orders (or prospects) of each day of the horizon, before returning customers.

        ``orders_per_day`` times the weekday, monthly and seasonal-peak multipliers, as the
        demand model draws them.
        """
        demand = self.demand
        rates = np.empty(self.horizon.days)
        for d in range(self.horizon.days):
            date = self.horizon.start + dt.timedelta(days=d)
            factors = [
                demand.orders_per_day,
                demand.weekday_profile.get(WEEKDAYS[date.weekday()], 1.0),
                demand.monthly_profile[date.month - 1],
                *(p.demand_multiplier for p in self.disruptions.peaks if p.in_season(date)),
            ]
            rates[d] = 0.0 if 0.0 in factors else math.prod(factors)
        return rates

    def with_values(self, values: Mapping[str, Any], /, *, source: str | None = None) -> Scenario:
        """A copy with each ``"dotted.key": value`` set and the whole validated again.

        ``scenario.with_values({"strategies.zappos_buffer.max_days": 6})``: a path is read as
        :mod:`sim.scenario.paths` reads it, and must already exist (a default counts); a section
        that is absent (``customers`` without memory) is set whole. A value that breaks a rule
        elsewhere is an error naming ``source`` (the scenario's name if omitted) and the paths.
        (``model_copy(update=...)`` does not validate; this does.)
        """
        source = self.name if source is None else source
        data = self.model_dump(mode="python", by_alias=True)
        try:
            set_values(data, values)
        except ScenarioError as exc:
            raise ScenarioError(f"{source}: {exc}") from None
        try:
            changed = Scenario.model_validate(data)
        except ValidationError as exc:
            paths = ", ".join(values)
            raise ScenarioError(
                f"{source}: setting {paths}: {describe_error(exc, data, Scenario)}"
            ) from None
        records = self.experiment.order_records
        return changed.model_copy(
            update={"experiment": changed.experiment.model_copy(update={"order_records": records})}
        )

    @property
    def baseline_name(self) -> str:
        """The strategy that differences are taken against."""
        return self.baseline if self.baseline is not None else self.strategies[0].name
