"""Strategy objects handed to :func:`sim.run` directly, as a notebook does, with no file on disk.

Each object enters the scenario as a ``custom`` strategy named by its class's import path
(``module:qualname``, with its parameters when it is a dataclass), so the scenario, its hash
and the manifest say what ran. The object itself travels with the replication tasks and is
copied afresh for every replication, so a rule that learns starts each one the same. When the
class cannot be imported again by its path (defined in ``__main__``: a notebook cell or a
script; or inside a function) or its parameters are not known, the manifest says that the
result cannot be rerun from it, and why.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import ExperimentError
from sim.model.promise import PromiseStrategy
from sim.scenario.spec import Scenario

__all__ = ["StrategyObject", "cannot_travel", "manifest_entries", "with_strategy_objects"]

_NAME = re.compile(r"^[A-Za-z_]\w*$")


@dataclass(frozen=True, slots=True)
class StrategyObject:
    """A strategy object by its name in the results, with what the manifest records of it.

    ``not_rerunnable`` says why the class and parameters recorded could not rebuild it
    (None when they can).
    """

    name: str
    strategy: Any
    path: str
    params: dict[str, Any]
    not_rerunnable: str | None

    @property
    def importable(self) -> bool:
        """Whether another process can import the class by its path (and so unpickle it)."""
        module, _, qualname = self.path.partition(":")
        kind = type(self.strategy)
        return (module != "__main__" and "<locals>" not in kind.__qualname__
                and kind.__module__ == module and kind.__qualname__ == qualname)


def _describe(name: str, strategy: Any) -> StrategyObject:
    """The record of ``strategy``: its class's path, its parameters, and whether it reruns."""
    if not isinstance(strategy, PromiseStrategy):
        raise ExperimentError(f"strategies: {name!r} ({type(strategy).__name__}) has no "
                              "quote(view) method")
    kind = type(strategy)
    attribute = kind.__qualname__ if _NAME.match(kind.__qualname__) else kind.__name__
    path = f"{kind.__module__}:{attribute}"
    params: dict[str, Any] = {}
    why = None
    if kind.__module__ == "__main__":
        why = (f"its class {kind.__qualname__} is defined in __main__ (a notebook cell or a "
               "script); define it in a module to make the result rerunnable")
    elif attribute != kind.__qualname__:
        why = (f"its class {kind.__qualname__} is defined inside a function or class; define "
               "it at the top of a module to make the result rerunnable")
    if dataclasses.is_dataclass(strategy):
        params = {f.name: getattr(strategy, f.name) for f in dataclasses.fields(strategy)
                  if f.init}
        try:
            json.dumps(params, allow_nan=False)
        except (TypeError, ValueError):
            params = {}
            why = why or f"the parameters of {kind.__qualname__} are not plain data (JSON)"
    elif getattr(strategy, "__dict__", None):
        why = why or (f"the parameters of {kind.__qualname__} are unknown (make it a "
                      "dataclass to record them)")
    return StrategyObject(name, strategy, path, params, why)


def _named(
    strategies: Sequence[Any] | Mapping[str, Any],
) -> list[tuple[str, Any]]:
    """The objects with their names: the mapping's keys, else a ``name`` attribute, else the
    class's name.
    """
    if isinstance(strategies, Mapping):
        return [(str(name), s) for name, s in strategies.items()]
    named = []
    for strategy in strategies:
        name = getattr(strategy, "name", None)
        named.append((name if isinstance(name, str) and name else type(strategy).__name__,
                      strategy))
    return named


def with_strategy_objects(
    scenario: Scenario,
    strategies: Sequence[Any] | Mapping[str, Any],
    *,
    keep: bool = True,
) -> tuple[Scenario, tuple[StrategyObject, ...]]:
    """``scenario`` with the objects as ``custom`` strategies (after its own, or instead of
    them when ``keep`` is false), and the objects' records.
    """
    given = tuple(_describe(name, s) for name, s in _named(strategies))
    if not given:
        raise ExperimentError("strategies: no strategy objects given")
    data = scenario.model_dump(mode="python", by_alias=True)
    own = data["strategies"] if keep else []
    names = [s["name"] for s in own] + [g.name for g in given]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ExperimentError(f"strategies: the name {twice[0]!r} is used twice (pass a dict "
                              "of name: strategy to name them)")
    data["strategies"] = [*own, *({"name": g.name, "kind": "custom", "path": g.path,
                                   "params": g.params} for g in given)]
    if not keep and data.get("baseline") not in names:
        data["baseline"] = None
    return Scenario.model_validate(data), given


def cannot_travel(given: Sequence[StrategyObject]) -> str | None:
    """Why the objects cannot be sent to other processes (None when they can)."""
    for g in given:
        if not g.importable:
            return (f"strategy {g.name!r}: its class {type(g.strategy).__qualname__} is defined "
                    f"in {type(g.strategy).__module__}, which worker processes cannot import: "
                    "run with workers=1, or define the class in a module")
        try:
            pickle.dumps(g.strategy)
        except Exception as exc:  # any pickling failure is the user's object's
            return (f"strategy {g.name!r} cannot be sent to worker processes ({exc}): run "
                    "with workers=1")
    return None


def manifest_entries(given: Sequence[StrategyObject]) -> list[dict[str, Any]]:
    """What the manifest records of each object: class path, parameters, rerunnable or why
    not.
    """
    return [{"name": g.name, "class": g.path, "params": g.params,
             "rerunnable": g.not_rerunnable is None, "why_not": g.not_rerunnable}
            for g in given]
