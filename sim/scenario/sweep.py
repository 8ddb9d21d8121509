"""The 'sweep:' block of a scenario file: which keys vary, over which values, in which design.

A sweep runs the scenario once per point of a design: the full grid of each parameter's
values (listed, or evenly spaced steps between bounds), or a space-filling sample of ranges
(a Latin hypercube or scrambled Sobol' points). A parameter names one key by its dotted path
(``strategies.zappos_buffer.max_days``, as :mod:`sim.scenario.paths` reads it) or several
keys that move as one (a buffer's ``min_days`` and ``max_days`` as a window of fixed width).

The spec cannot see the scenario it sits in, so :func:`sim.scenario.checks.check_sweep` checks
the paths against the scenario itself and settles whether each range takes whole numbers.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.errors import ScenarioError
from sim.scenario.base import Spec
from sim.scenario.metrics import OutcomeMetric
from sim.scenario.paths import same_key

__all__ = ["MAX_POINTS", "SWEEP_METRICS", "Sweep", "SweepParameter"]

#: At most this many points in one sweep (a grid is the product of its parameters' values).
MAX_POINTS = 10_000

#: Metrics a sweep may plot and rank its points by (the outcomes of a run).
SWEEP_METRICS = OutcomeMetric


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_whole(value: float) -> bool:
    return math.isfinite(value) and float(value).is_integer()


class SweepParameter(Spec):
    """One swept dimension: a key (or keys moving as one) and the values it takes.

    Give ``values`` (any values the key accepts, tried in a grid as listed) or a range
    ``low``..``high`` (``steps`` evenly spaced values in a grid; sampled in a space-filling
    design). With ``paths``, each value is either a list of one value per path, or a number
    set to every path plus its offset (``offsets: [0, 1]`` moves a window of width 1).
    """

    name: str | None = Field(
        default=None, min_length=1,
        description="Label in tables and plots (default: the path, or the paths joined).",
    )
    path: str | None = Field(
        default=None, min_length=1,
        description="Dotted key path of the key to vary, e.g. 'customers.learning_rate' or "
        "'strategies.zappos_buffer.max_days' (list items by index or by name).",
    )
    paths: list[str] | None = Field(
        default=None, min_length=2,
        description="Several key paths that move together (instead of 'path').",
    )
    values: list[Any] | None = Field(
        default=None, min_length=1,
        description="The values to try, as the scenario file would write them; with 'paths', "
        "each a list of one value per path, or a number (plus 'offsets').",
    )
    low: float | None = Field(
        default=None, allow_inf_nan=False, description="Lower end of a numeric range."
    )
    high: float | None = Field(
        default=None, allow_inf_nan=False, description="Upper end of a numeric range."
    )
    steps: int | None = Field(
        default=None, ge=2, le=MAX_POINTS,
        description="Values from 'low' to 'high' in a grid, evenly spaced (geometrically "
        "with 'log'); space-filling designs sample the range instead.",
    )
    integer: bool | None = Field(
        default=None,
        description="Whether the range takes whole numbers only (each equally often); "
        "default: as the key's current value (an integer key gives integers).",
    )
    log: bool = Field(
        default=False, description="Spread the range evenly in log scale (needs 'low' > 0)."
    )
    offsets: list[float] | None = Field(
        default=None,
        description="With 'paths': added to the value for each path (default: all 0), so "
        "[0, 1] sets the second key one above the first.",
    )

    @model_validator(mode="after")
    def _one_way_to_say_it(self) -> SweepParameter:
        if (self.path is None) == (self.paths is None):
            raise ValueError("give 'path' (one key) or 'paths' (keys moving together), "
                             "exactly one of them")
        if self.paths is not None:
            seen = [same_key(p) for p in self.paths]
            for path in self.paths:
                if seen.count(same_key(path)) > 1:
                    raise ValueError(f"'paths' must be different keys, {path!r} appears twice")
        ranged = self.low is not None or self.high is not None
        if (self.values is None) == (not ranged):
            raise ValueError("give 'values' or a range 'low' and 'high', exactly one of them")
        if ranged:
            self._check_range()
        else:
            for key in ("steps", "integer"):
                if getattr(self, key) is not None:
                    raise ValueError(f"'{key}' is for a range (low, high), not for 'values'")
            if self.log:
                raise ValueError("'log' is for a range (low, high), not for 'values'")
            self._check_values()
        if self.offsets is not None:
            if self.paths is None:
                raise ValueError("'offsets' go with 'paths' (keys moving together)")
            if len(self.offsets) != len(self.paths):
                raise ValueError(f"'offsets' must have one number per path ({len(self.paths)}), "
                                 f"got {len(self.offsets)}")
        return self

    def _check_range(self) -> None:
        if self.low is None or self.high is None:
            raise ValueError("a range needs both 'low' and 'high'")
        if not self.high > self.low:
            raise ValueError(f"'high' must be > 'low', got {self.low:g}..{self.high:g}")
        if self.log and self.low <= 0:
            raise ValueError(f"'log' needs 'low' > 0, got {self.low:g}")
        if self.integer and not (_is_whole(self.low) and _is_whole(self.high)):
            raise ValueError(f"with 'integer', 'low' and 'high' must be whole numbers, got "
                             f"{self.low:g}..{self.high:g}")

    def _check_values(self) -> None:
        assert self.values is not None
        if self.paths is None:
            return
        if self.offsets is None and all(isinstance(v, list) for v in self.values):
            for i, value in enumerate(self.values):
                if len(value) != len(self.paths):
                    raise ValueError(f"values[{i}] must hold one value per path "
                                     f"({len(self.paths)}), got {len(value)}")
            return
        for i, value in enumerate(self.values):
            if not _is_number(value):
                raise ValueError(
                    f"values[{i}]: with 'paths', every value is a list of one value per path "
                    f"or every value is a number (set to each path plus its offset), got "
                    f"{value!r}"
                )

    @property
    def keys(self) -> list[str]:
        """The key paths this parameter sets."""
        return [self.path] if self.path is not None else list(self.paths or [])

    @property
    def is_range(self) -> bool:
        """Whether this parameter is a range ``low``..``high`` rather than listed values."""
        return self.values is None

    @property
    def vectors(self) -> bool:
        """Whether each value is a list of one value per path (rather than one number)."""
        return (self.paths is not None and self.values is not None and self.offsets is None
                and all(isinstance(v, list) for v in self.values))

    @property
    def label(self) -> str:
        """The name shown in tables and plots: ``name``, or the keys with their common part once.

        Keys moving together read ``strategies.zappos_buffer: min_days / max_days``.
        """
        if self.name is not None:
            return self.name
        if self.path is not None:
            return self.path
        assert self.paths is not None
        split = [p.split(".") for p in self.paths]
        common = 0
        while all(len(parts) > common + 1 and parts[common] == split[0][common]
                  for parts in split):
            common += 1
        rest = " / ".join(".".join(parts[common:]) for parts in split)
        return f"{'.'.join(split[0][:common])}: {rest}" if common else rest

    def grid_size(self) -> int:
        """How many values this parameter has in a grid (before whole-number rounding)."""
        if self.values is not None:
            return len(self.values)
        return self.steps or 0

    def settled(self, current: list[Any], where: str) -> SweepParameter:
        """This parameter with ``integer`` decided by its keys' ``current`` values, if a range.

        Raises :class:`ScenarioError` starting with ``where`` when the range cannot fit them.
        """
        if not self.is_range:
            return self
        for path, value in zip(self.keys, current):
            if not _is_number(value):
                raise ScenarioError(f"{where}: a range needs a numeric key, but {path} holds "
                                    f"{value!r} (list the values to try with 'values')")
        whole = all(isinstance(value, int) for value in current)
        if whole and self.integer is False:
            raise ScenarioError(f"{where}.integer: {self.keys[0]} takes whole numbers: set "
                                "'integer: true' or leave 'integer' out")
        integer = whole if self.integer is None else self.integer
        if integer:
            assert self.low is not None and self.high is not None
            if not (_is_whole(self.low) and _is_whole(self.high)):
                raise ScenarioError(f"{where}: {self.keys[0]} takes whole numbers: 'low' and "
                                    f"'high' must be whole, got {self.low:g}..{self.high:g}")
            offsets = self.offsets or []
            if not all(_is_whole(o) for o in offsets):
                raise ScenarioError(f"{where}.offsets: whole numbers are swept, so offsets must "
                                    f"be whole, got {offsets}")
        return self.model_copy(update={"integer": integer})


class Sweep(Spec):
    """Scenario keys to vary, the design of the points, and the metric the plot shows.

    Every point runs all strategies from the same root seed (common random numbers), so
    differences between points, like differences between strategies, can be paired.
    """

    design: Literal["grid", "latin_hypercube", "sobol"] = Field(
        default="grid",
        description="'grid': every combination of the parameters' values; 'latin_hypercube' "
        "or 'sobol' (scrambled): 'points' points filling the parameters' ranges.",
    )
    points: int | None = Field(
        default=None, ge=2, le=MAX_POINTS,
        description="Number of points of a space-filling design (a power of 2 for 'sobol').",
    )
    seed: int = Field(
        default=0, ge=0, lt=2**63,
        description="Seed of the space-filling design (not of the simulation).",
    )
    metric: SWEEP_METRICS = Field(
        default="satisfaction_mean",
        description="Metric plotted against each parameter, and by which the best point of "
        "each strategy is picked.",
    )
    parameters: list[SweepParameter] = Field(
        min_length=1, description="The swept keys and their values or ranges."
    )

    @model_validator(mode="after")
    def _design_fits(self) -> Sweep:
        keys: dict[str, int] = {}
        for i, parameter in enumerate(self.parameters):
            for path in parameter.keys:
                if same_key(path) in keys:
                    raise ValueError(f"parameters[{i}]: {path!r} is already swept by "
                                     f"parameters[{keys[same_key(path)]}]")
                keys[same_key(path)] = i
        if self.design == "grid":
            self._check_grid()
            return self
        if self.points is None:
            raise ValueError(f"points: a {self.design} design needs 'points' (how many)")
        if self.design == "sobol" and self.points & (self.points - 1):
            lower = 1 << (self.points.bit_length() - 1)
            raise ValueError(f"points: a sobol design needs a power of 2 for its balance, got "
                             f"{self.points} (try {lower} or {2 * lower})")
        for i, parameter in enumerate(self.parameters):
            if parameter.steps is not None:
                raise ValueError(f"parameters[{i}].steps: only a grid takes 'steps'; a "
                                 f"{self.design} design samples the range")
        return self

    def _check_grid(self) -> None:
        if self.points is not None:
            raise ValueError("points: a grid has one point per combination of values; "
                             "'points' is for latin_hypercube and sobol")
        size = 1
        for i, parameter in enumerate(self.parameters):
            if parameter.is_range and parameter.steps is None:
                raise ValueError(f"parameters[{i}]: a range in a grid needs 'steps' (how many "
                                 "values from low to high)")
            size *= parameter.grid_size()
        if size > MAX_POINTS:
            raise ValueError(f"the grid has {size} points, more than {MAX_POINTS}: use fewer "
                             "values or a space-filling design")

    @property
    def labels(self) -> list[str]:
        """The parameters' labels, in order."""
        return [p.label for p in self.parameters]
