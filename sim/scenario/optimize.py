"""The 'optimize:' block of a scenario file: which strategy parameters to search, for what.

A search tries every combination of its parameters' values (the candidates) on one strategy
of the scenario, with common random numbers, and selects the candidate with the best value of
the objective by a ranking-and-selection procedure (``method``). The paths are checked, and
the candidates built, when the search starts (:mod:`sim.experiment.optimize`).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Spec
from sim.scenario.metrics import OutcomeMetric

__all__ = [
    "MAX_CANDIDATES",
    "OBJECTIVE_METRICS",
    "KimNelson",
    "Objective",
    "Optimize",
    "Parameter",
    "SelectionMethod",
    "Subset",
]

#: Most candidates one search may have (the product of its parameters' values).
MAX_CANDIDATES = 1_000

#: Per-replication metrics an objective may use (names of the results' metrics).
OBJECTIVE_METRICS = OutcomeMetric

Scalar = bool | int | float | str


def _range_values(low: float, high: float, step: float) -> list[float | int]:
    """``low, low + step, ...`` up to ``high`` (included when it falls on the grid)."""
    count = math.floor((high - low) / step + 1e-9) + 1
    values = [round(low + i * step, 12) for i in range(count)]
    if all(float(x).is_integer() for x in (low, high, step)):
        return [int(v) for v in values]
    return values


class Parameter(Spec):
    """A parameter to search (or several keys set together) and the values to try."""

    path: str | None = Field(
        default=None,
        min_length=1,
        description="A key of the optimised strategy ('p', 'min_days', 'params.days') or a "
        "full dotted path of the scenario ('carrier.service_levels.ground.cost').",
    )
    paths: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None,
        min_length=2,
        description="Instead of 'path': several keys set together, each value then a list "
        "with one entry per key (e.g. paths [min_days, max_days], values [[3, 4], [4, 5]]).",
    )
    values: list[Scalar | list[Scalar]] | None = Field(
        default=None,
        min_length=1,
        description="The values to try, in order; or give 'low', 'high' and 'step'.",
    )
    low: float | None = Field(default=None, description="First value of an evenly spaced range.")
    high: float | None = Field(
        default=None, description="Last value of the range (included when on the grid)."
    )
    step: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Spacing of the range."
    )

    @model_validator(mode="after")
    def _values_or_range(self) -> Parameter:
        if (self.path is None) == (self.paths is None):
            raise ValueError("give either 'path' or 'paths'")
        ranged = [x is not None for x in (self.low, self.high, self.step)]
        if self.values is None and not all(ranged):
            raise ValueError("give 'values', or 'low', 'high' and 'step'")
        if self.values is not None and any(ranged):
            raise ValueError("give 'values' or a range ('low', 'high', 'step'), not both")
        if self.values is None and self.high < self.low:  # type: ignore[operator]
            raise ValueError(f"'high' must be >= 'low', got low={self.low}, high={self.high}")
        if self.paths is not None:
            if self.values is None:
                raise ValueError("keys set together need 'values' (one list per candidate)")
            for i, value in enumerate(self.values):
                if not isinstance(value, list) or len(value) != len(self.paths):
                    raise ValueError(
                        f"values[{i}] must be a list of {len(self.paths)} values (one per key "
                        f"of 'paths'), got {value!r}"
                    )
        elif self.values is not None:
            for i, value in enumerate(self.values):
                if isinstance(value, list):
                    raise ValueError(f"values[{i}] must be a single value (a list needs "
                                     f"'paths'), got {value!r}")
        grid = self.grid()
        seen: list[Any] = []
        for value in grid:
            if value in seen:
                raise ValueError(f"values must be unique, {value!r} appears twice")
            seen.append(value)
        if len(grid) > MAX_CANDIDATES:
            raise ValueError(f"at most {MAX_CANDIDATES} values, got {len(grid)}")
        return self

    @property
    def keys(self) -> list[str]:
        """The keys this parameter sets, as written."""
        return list(self.paths) if self.paths is not None else [self.path]  # type: ignore[list-item]

    def grid(self) -> list[Any]:
        """The values to try, a range spelt out."""
        if self.values is not None:
            return list(self.values)
        return _range_values(self.low, self.high, self.step)  # type: ignore[arg-type]


class Objective(Spec):
    """What the search is after: one metric, or a weighted sum of several, per replication."""

    metric: OBJECTIVE_METRICS | None = Field(
        default=None, description="The metric to optimise, e.g. 'profit_per_order'."
    )
    weights: dict[OBJECTIVE_METRICS, float] | None = Field(
        default=None,
        min_length=1,
        description="Instead of 'metric': a weighted sum of metrics, e.g. "
        "{profit_per_order: 1.0, satisfaction_mean: 5.0}; weights in the objective's units "
        "per unit of each metric.",
    )
    maximize: bool = Field(
        default=True, description="Look for the highest objective (false: the lowest)."
    )

    @model_validator(mode="after")
    def _one_objective(self) -> Objective:
        if (self.metric is None) == (self.weights is None):
            raise ValueError("give either 'metric' or 'weights'")
        if self.weights is not None:
            for name, weight in self.weights.items():
                if not math.isfinite(weight) or weight == 0:
                    raise ValueError(f"weights.{name}: must be a finite non-zero number, "
                                     f"got {weight}")
        return self

    @property
    def terms(self) -> dict[str, float]:
        """Each metric of the objective with its weight."""
        if self.weights is not None:
            return dict(self.weights)
        return {self.metric: 1.0}  # type: ignore[dict-item]

    @property
    def label(self) -> str:
        """The objective in words, e.g. 'max profit_per_order'."""
        if self.metric is not None:
            body = self.metric
        else:
            body = " + ".join(f"{w:g}*{m}" for m, w in self.terms.items())
        return f"{'max' if self.maximize else 'min'} {body}"


class KimNelson(Spec):
    """Fully sequential selection (Kim & Nelson 2001, procedure KN): valid with common random
    numbers; candidates are dropped as soon as they are clearly worse, survivors get more
    replications. The best is chosen with probability >= the confidence level whenever it
    beats the others by at least 'indifference'.
    """

    kind: Literal["kn"] = Field(description="Which procedure: 'kn'.")
    indifference: float = Field(
        gt=0, allow_inf_nan=False,
        description="The smallest difference in the objective worth telling apart, in its "
        "units (the indifference zone): a candidate closer than this to the best may be "
        "chosen in its place. Smaller costs more replications.",
    )
    first_replications: int = Field(
        default=10, ge=2, le=100_000,
        description="Replications of every candidate before the first screening (n0).",
    )
    max_replications: int = Field(
        default=200, ge=2, le=100_000,
        description="At most this many replications of a candidate; if several survive to "
        "it, the best mean among them is chosen and the others reported as not ruled out.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> KimNelson:
        if self.max_replications < self.first_replications:
            raise ValueError(
                f"'max_replications' must be >= 'first_replications' "
                f"({self.first_replications}), got {self.max_replications}"
            )
        return self


class Subset(Spec):
    """Every candidate the same replications, then the subset that cannot be ruled out as the
    best (paired t intervals, Bonferroni over the comparisons).
    """

    kind: Literal["subset"] = Field(description="Which procedure: 'subset'.")
    replications: int | None = Field(
        default=None, ge=2, le=100_000,
        description="Replications of every candidate (the experiment's if omitted).",
    )


SelectionMethod = Annotated[KimNelson | Subset, Field(discriminator="kind")]


class Optimize(Spec):
    """A strategy's parameters to search for the best value of an objective.

    Candidates are all combinations of the parameters' values, run with common random numbers
    (the same orders and luck in replication r of every candidate), so they are compared by
    paired differences.
    """

    strategy: str = Field(
        min_length=1, description="Name of the strategy (of 'strategies') whose parameters "
        "are searched; the other strategies are not run."
    )
    parameters: list[Parameter] = Field(
        min_length=1, description="Parameters to search; every combination is a candidate."
    )
    objective: Objective = Field(description="What is optimised.")
    confirmation: int = Field(
        default=10, ge=0, le=100_000,
        description="Fresh replications of the best candidate once it is selected (numbers "
        "no candidate was compared on): its reported mean and interval come from these, free "
        "of the optimism of picking the highest of several noisy means and of stopping when "
        "it looked good (Boesel, Nelson & Kim 2003). 0: report the selection's own "
        "replications instead.",
    )
    method: SelectionMethod = Field(
        default_factory=lambda: Subset(kind="subset"),
        description="How the best candidate is selected: 'kn' (sequential, adds replications "
        "to candidates still in contention) or 'subset' (the same replications for all).",
    )

    @model_validator(mode="after")
    def _not_too_many(self) -> Optimize:
        count = math.prod(len(p.grid()) for p in self.parameters)
        if count > MAX_CANDIDATES:
            raise ValueError(f"at most {MAX_CANDIDATES} candidates, got {count} combinations")
        if self.confirmation == 1:
            raise ValueError("'confirmation' must be 0 (none) or >= 2 replications, got 1")
        paths = [path for p in self.parameters for path in p.keys]
        for path in paths:
            if paths.count(path) > 1:
                raise ValueError(f"parameters: {path!r} appears twice")
        return self

    @property
    def candidate_count(self) -> int:
        """Number of candidates: the product of the parameters' numbers of values."""
        return math.prod(len(p.grid()) for p in self.parameters)

    def check_strategy(self, names: list[str]) -> None:
        """Raise ``ValueError`` unless the optimised strategy is one of ``names``."""
        if self.strategy not in names:
            raise ValueError(
                f"optimize.strategy: {self.strategy!r} is not a strategy "
                f"(one of {', '.join(names)})"
            )
