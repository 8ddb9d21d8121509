"""The 'sensitivity:' block of a scenario file: uncertain parameters and the outcome they move.

Each parameter is a key path of the scenario (as :mod:`sim.scenario.overrides` reads it)
drawn uniformly between ``low`` and ``high``; the outcome is one metric of one strategy, or
the paired difference of a metric between two strategies. ``promise-sim sensitivity`` ranks
the parameters by how much of the outcome's variation each one decides (Sobol) or by the
size of its elementary effects (Morris).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import Spec
from sim.scenario.metrics import OutcomeMetric

__all__ = ["SENSITIVITY_METRICS", "Sensitivity", "SensitivityOutcome", "UncertainParameter"]

#: Per-replication metrics whose sensitivity can be measured (the results' metric names).
SENSITIVITY_METRICS = OutcomeMetric


class SensitivityOutcome(Spec):
    """What is measured at each point: a strategy's metric, or a paired difference of two."""

    metric: SENSITIVITY_METRICS = Field(description="The metric, as named in the results.")
    strategy: str | None = Field(
        default=None, description="The strategy whose metric is the outcome."
    )
    difference: tuple[str, str] | None = Field(
        default=None,
        description="[higher, lower]: the outcome is higher's metric minus lower's, paired "
        "by replication (common random numbers make it far less noisy than either alone).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> SensitivityOutcome:
        if (self.strategy is None) == (self.difference is None):
            raise ValueError("give either 'strategy' or 'difference' (two strategies), not "
                             f"{'both' if self.strategy is not None else 'neither'}")
        if self.difference is not None and self.difference[0] == self.difference[1]:
            raise ValueError(f"'difference' needs two different strategies, got "
                             f"{list(self.difference)}")
        return self

    @property
    def strategies(self) -> list[str]:
        """The strategies the outcome reads, higher first for a difference."""
        return [self.strategy] if self.strategy is not None else list(self.difference or ())

    def describe(self) -> str:
        """The outcome in words, e.g. ``profit_total: controlled - buffer (paired)``."""
        if self.difference is not None:
            higher, lower = self.difference
            return f"{self.metric}: {higher} - {lower} (paired)"
        return f"{self.metric} of {self.strategy}"

    def check_strategies(self, names: list[str]) -> None:
        """Raise ``ValueError`` naming the key if the outcome names no strategy of the scenario."""
        keys = (["strategy"] if self.strategy is not None
                else ["difference[0]", "difference[1]"])
        for key, name in zip(keys, self.strategies):
            if name not in names:
                raise ValueError(f"sensitivity.outcome.{key}: {name!r} is not a strategy "
                                 f"(one of {', '.join(names)})")


class UncertainParameter(Spec):
    """An uncertain scenario value: its key path and the range it is drawn from (uniformly)."""

    path: str = Field(
        min_length=1,
        description="Key path of the value, as in a scenario file: 'customers.learning_rate', "
        "'carrier.service_levels.overnight.transit_days.sigma', "
        "'disruptions.events.0.rate_per_year'. A whole-number key takes the drawn value "
        "rounded.",
    )
    low: float = Field(allow_inf_nan=False, description="Lowest value drawn.")
    high: float = Field(allow_inf_nan=False, description="Highest value drawn.")
    label: str | None = Field(
        default=None, min_length=1, description="Name shown in tables and plots (the path if "
        "omitted)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> UncertainParameter:
        if not self.high > self.low:
            raise ValueError(f"'high' must be > 'low', got {self.low}..{self.high}")
        return self

    @property
    def name(self) -> str:
        """The label, or the path when there is none."""
        return self.label if self.label is not None else self.path


class Sensitivity(Spec):
    """Uncertain parameters as ranges, and the outcome whose sensitivity to them is wanted.

    Sobol indices need ``samples x (D + 2)`` points for D parameters (``samples x (2D + 2)``
    with ``second_order``); Morris screening needs ``samples x (D + 1)``. Each point runs
    ``replications`` replications with common random numbers.
    """

    method: Literal["sobol", "morris"] = Field(
        default="sobol",
        description="'sobol': variance-based indices, the share of the outcome's variance "
        "each parameter decides alone (S1) and with its interactions (ST); 'morris': "
        "elementary effects, a cheaper screening (mu* ranks, sigma shows interaction or "
        "curvature).",
    )
    samples: int = Field(
        ge=2,
        le=100_000,
        description="Base sample size: Sobol's N (a power of 2) or Morris's number of "
        "trajectories.",
    )
    levels: int = Field(
        default=4, ge=2, le=20, description="Morris: grid levels of each range (even)."
    )
    second_order: bool = Field(
        default=False,
        description="Sobol: also estimate the interaction of each pair (S2); almost doubles "
        "the points and is rarely resolved under simulation noise.",
    )
    seed: int = Field(
        default=0, ge=0, lt=2**32,
        description="Seed of the sampling design (the simulation's is 'experiment.seed').",
    )
    replications: int | None = Field(
        default=None,
        ge=2,
        le=100_000,
        description="Replications run at each point; the outcome there is their mean "
        "('experiment.replications' if omitted).",
    )
    outcome: SensitivityOutcome = Field(description="The outcome whose sensitivity is measured.")
    parameters: list[UncertainParameter] = Field(
        min_length=1, max_length=100, description="The uncertain parameters and their ranges."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Sensitivity:
        if self.method == "sobol" and self.samples & (self.samples - 1):
            below = 2 ** int(math.log2(self.samples))
            raise ValueError(f"'samples' must be a power of 2 for method 'sobol' (the Sobol' "
                             f"sequence is balanced only then), got {self.samples}; try {below}"
                             f" or {2 * below}")
        if self.method == "morris" and self.levels % 2:
            raise ValueError(f"'levels' must be even for method 'morris', got {self.levels}")
        seen: set[str] = set()
        for i, parameter in enumerate(self.parameters):
            if parameter.path in seen:
                raise ValueError(f"parameters[{i}].path: {parameter.path!r} appears twice")
            seen.add(parameter.path)
        labels: set[str] = set()
        for i, parameter in enumerate(self.parameters):
            if parameter.name in labels:
                raise ValueError(f"parameters[{i}].label: {parameter.name!r} names two "
                                 "parameters")
            labels.add(parameter.name)
        return self

    @property
    def points(self) -> int:
        """How many points the design has (before identical points are merged)."""
        d = len(self.parameters)
        if self.method == "morris":
            return self.samples * (d + 1)
        return self.samples * (2 * d + 2 if self.second_order else d + 2)
