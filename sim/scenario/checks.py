"""Checks of a whole scenario that its specs cannot make alone, run when a scenario is read.

A spec validates its own keys; these need the scenario around it or the world outside it:
a custom strategy's class must import, a swept key must exist in the scenario, and a metric
must be one the scenario measures.
"""

from __future__ import annotations

from sim.errors import ScenarioError, StrategyError
from sim.scenario.metrics import missing_section
from sim.scenario.paths import value_at, where_indexed
from sim.scenario.spec import Scenario
from sim.scenario.strategies import import_strategy
from sim.scenario.sweep import Sweep

__all__ = ["check_imports", "check_measured", "check_scenario", "check_sweep"]


def check_scenario(scenario: Scenario, source: str = "<scenario>") -> None:
    """Every check of this module that ``scenario`` calls for, naming ``source`` in errors."""
    check_imports(scenario, source)
    if scenario.sweep is not None:
        check_sweep(scenario, source)


def check_imports(scenario: Scenario, source: str = "<scenario>") -> None:
    """Every custom strategy's 'package.module:Name' must import, the competitors' too."""
    located = [(f"strategies[{i}]", s) for i, s in enumerate(scenario.strategies)]
    if scenario.market is not None:
        located += [(f"market.competitors[{i}].strategy", c.strategy)
                    for i, c in enumerate(scenario.market.competitors)]
    for key, strategy in located:
        path = getattr(strategy, "path", None)
        if path is None:
            continue
        try:
            import_strategy(path)
        except StrategyError as exc:
            raise ScenarioError(f"{source}: {key}.path: {exc}") from None


def check_measured(scenario: Scenario, metric: str, key: str, source: str = "<scenario>") -> None:
    """Raise :class:`ScenarioError` at ``key`` if ``scenario`` does not measure ``metric``."""
    section = missing_section(metric, scenario)
    if section is not None:
        raise ScenarioError(f"{source}: {key}: {metric!r} is measured only with a "
                            f"'{section}:' section")


def check_sweep(scenario: Scenario, source: str = "<scenario>") -> Sweep:
    """The sweep of ``scenario``, its paths checked against it and every range's ``integer`` set.

    Raises :class:`ScenarioError` naming ``source`` and ``sweep.parameters[i].path`` when a
    path leads nowhere, and ``sweep.metric`` when the metric is not measured in ``scenario``.
    """
    sweep = scenario.sweep
    if sweep is None:
        raise ScenarioError(f"{source}: sweep: missing (a scenario to sweep needs a 'sweep:' "
                            "section)")
    check_measured(scenario, sweep.metric, "sweep.metric", source)
    if len({p.label for p in sweep.parameters}) < len(sweep.parameters):
        raise ScenarioError(f"{source}: sweep.parameters: two parameters have the same name")
    data = scenario.model_dump(mode="python", by_alias=True)
    swept: dict[str, int] = {}
    settled = []
    for i, parameter in enumerate(sweep.parameters):
        current = []
        for j, path in enumerate(parameter.keys):
            key = "path" if parameter.path is not None else f"paths[{j}]"
            try:
                current.append(value_at(data, path))
            except ScenarioError as exc:
                raise ScenarioError(f"{source}: sweep.parameters[{i}].{key}: {exc}") from None
            where = where_indexed(data, path)
            if where in swept:
                raise ScenarioError(f"{source}: sweep.parameters[{i}].{key}: {path} is the key "
                                    f"parameters[{swept[where]}] sweeps already")
            swept[where] = i
        settled.append(parameter.settled(current, f"{source}: sweep.parameters[{i}]"))
    return sweep.model_copy(update={"parameters": settled})
