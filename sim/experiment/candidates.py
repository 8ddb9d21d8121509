"""The candidates of a search: every combination of the searched parameters' values, each a
validated scenario built on one base that holds only the searched strategy.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.checks import check_measured
from sim.scenario.optimize import Objective
from sim.scenario.overrides import get_value, with_values
from sim.scenario.paths import split_path
from sim.scenario.spec import Scenario

__all__ = ["Candidate", "build_candidates"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One combination of parameter values, and the scenario it makes."""

    index: int
    values: dict[str, Any]
    scenario: Scenario = field(repr=False)

    @property
    def label(self) -> str:
        """The values in words, e.g. ``p=0.9, service=ground``."""
        return ", ".join(f"{path}={_show(value)}" for path, value in self.values.items())


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _resolve(path: str, strategy: dict, scenario: dict, name: str, where: str) -> str:
    """The full dotted path of ``path``: a key of the strategy, or already a scenario path."""
    try:
        first = split_path(path)[0]
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    if first in strategy:
        if first == "name":
            raise ScenarioError(f"{where}: the strategy's name cannot be searched")
        return f"strategies.{name}.{path}"
    if first in scenario:
        return path
    keys = ", ".join(k for k in strategy if k != "name")
    raise ScenarioError(
        f"{where}: {path!r} is neither a key of strategy {name!r} ({keys}) nor a section of "
        "the scenario"
    )


def build_candidates(
    scenario: Scenario, *, source: str = "<scenario>"
) -> tuple[Scenario, list[Candidate]]:
    """The base scenario of the search and every candidate built on it, each validated.

    The base holds only the searched strategy, without baseline, claim or study blocks, so a
    candidate's scenario (and hash) depends on nothing but its values. Errors name
    ``optimize.parameters[i].path``, the candidate whose values break a scenario rule, or an
    objective metric the scenario does not measure.
    """
    spec = scenario.optimize
    if spec is None:
        raise ScenarioError(f"{source}: optimize: missing (a scenario searched by 'optimize' "
                            "needs one)")
    target = next((s for s in scenario.strategies if s.name == spec.strategy), None)
    if target is None:
        names = ", ".join(s.name for s in scenario.strategies)
        raise ScenarioError(f"{source}: optimize.strategy: {spec.strategy!r} is not a strategy "
                            f"(one of {names})")
    data = scenario.model_dump(mode="python", by_alias=True)
    data.update(strategies=[target.model_dump(mode="python", by_alias=True)], baseline=None,
                claim=None, sweep=None, optimize=None, sensitivity=None)
    base = Scenario.model_validate(data)
    _check_objective(base, spec.objective, source)
    strategy_data = data["strategies"][0]
    resolved: list[list[str]] = []
    for i, parameter in enumerate(spec.parameters):
        key = "path" if parameter.paths is None else "paths"
        where = f"{source}: optimize.parameters[{i}].{key}"
        full = [_resolve(p, strategy_data, data, spec.strategy, where) for p in parameter.keys]
        for path in full:
            try:
                get_value(base, path)
            except ScenarioError as exc:
                raise ScenarioError(f"{where}: {exc}") from None
        resolved.append(full)
    candidates = []
    grids = [p.grid() for p in spec.parameters]
    for index, combination in enumerate(itertools.product(*grids)):
        written: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        for parameter, full, value in zip(spec.parameters, resolved, combination):
            values = value if parameter.paths is not None else [value]
            written.update(zip(parameter.keys, values))
            changes.update(zip(full, values))
        label = ", ".join(f"{p}={_show(v)}" for p, v in written.items())
        where = (f"{source}: optimize.parameters[0] candidate {label}"
                 if len(spec.parameters) == 1 else f"{source}: optimize candidate {label}")
        candidates.append(Candidate(index, written, with_values(base, changes, source=where)))
    return base, candidates


def _check_objective(base: Scenario, objective: Objective, source: str) -> None:
    """Every metric of the objective must exist in the base scenario's results."""
    for metric in objective.terms:
        check_measured(base, metric, "optimize.objective", source)
