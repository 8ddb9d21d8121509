"""One replication as a pure, picklable task: every strategy through the same world and luck."""

from __future__ import annotations

import copy
from collections import OrderedDict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.experiment.payload import pack_histograms, pack_rows, pack_series, unpack
from sim.experiment.streams import replication_streams
from sim.model.promise import PromiseStrategy
from sim.model.stars import StarScale
from sim.scenario.spec import Scenario
from sim.world import build_strategies, build_world, simulate
from sim.world.build import World
from sim.world.processes import Process
from sim.world.records import ParquetOrderRecords, order_records_path

__all__ = [
    "ReplicationOutcome",
    "ReplicationTask",
    "replication_strategies",
    "run_replication",
    "run_replications",
]


@dataclass(frozen=True, slots=True)
class ReplicationTask:
    """Replication ``replication`` of ``scenario`` from root seed ``seed``; ``point`` says
    which of several scenarios run together it belongs to.

    With ``order_records`` (an absolute folder, shared by every worker), each strategy's
    orders are written there, one file per strategy and replication. ``given`` holds strategy
    objects by name, run instead of building the scenario's entries of those names;
    ``processes`` the user's SimPy processes, run beside the model's.
    """

    scenario: Scenario
    replication: int
    seed: int
    order_records: str | None = None
    point: int = 0
    given: tuple[tuple[str, Any], ...] = ()
    processes: tuple[Process, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class ReplicationOutcome:
    """Metrics of every strategy in one replication, and their satisfaction histograms."""

    replication: int
    rows: list[dict[str, float | int | str]]
    satisfaction_hist: dict[str, np.ndarray]
    weekly: list[dict[str, np.ndarray | str | int]]
    point: int = 0

    def __getstate__(self) -> tuple:
        """The outcome packed into a few arrays for the trip between processes."""
        return (self.replication, pack_rows(self.rows), pack_histograms(self.satisfaction_hist),
                pack_series(self.weekly), self.point)

    def __setstate__(self, state: tuple) -> None:
        replication, rows, histograms, weekly, point = state
        for name, value in (("replication", replication), ("rows", unpack(rows)),
                            ("satisfaction_hist", unpack(histograms)),
                            ("weekly", unpack(weekly)), ("point", point)):
            object.__setattr__(self, name, value)


#: Worlds kept by their scenario's JSON, the latest used last: the points of a sweep are
#: built once to check their strategies and used again by their replications.
_WORLDS: OrderedDict[str, World] = OrderedDict()
KEPT_WORLDS = 64  # a world of the headline scenario pickles to about 50 kB


def prepare_world(scenario: Scenario) -> World:
    """The world of ``scenario``, built once per process (it holds no state between runs)."""
    key = scenario.model_dump_json()
    if key in _WORLDS:
        _WORLDS.move_to_end(key)
    else:
        _WORLDS[key] = build_world(scenario)
        while len(_WORLDS) > KEPT_WORLDS:
            _WORLDS.popitem(last=False)
    return _WORLDS[key]


def run_replications(tasks: tuple[ReplicationTask, ...]) -> list[ReplicationOutcome]:
    """Run a batch of tasks one after another, in order (see :mod:`sim.experiment.batching`).

    Tasks of a batch share their scenario object (one object, pickled once), whose world is
    then looked up once.
    """
    worlds: dict[int, World] = {}
    outcomes = []
    for task in tasks:
        key = id(task.scenario)  # alive in ``tasks`` throughout
        if key not in worlds:
            worlds[key] = prepare_world(task.scenario)
        outcomes.append(_replicate(task, worlds[key]))
    return outcomes


def run_replication(task: ReplicationTask) -> ReplicationOutcome:
    """Run every strategy of the task's scenario once, with common random numbers.

    Strategies are built afresh for each replication, so one that keeps state (a rule that
    learns from past lead times) starts each replication the same, whatever worker runs it.
    """
    return _replicate(task, prepare_world(task.scenario))


def _replicate(task: ReplicationTask, world: World) -> ReplicationOutcome:
    """:func:`run_replication` in ``world``, the world of the task's scenario."""
    stars = task.scenario.satisfaction.stars
    star_scale = None if stars is None else StarScale.from_spec(stars)
    strategies = replication_strategies(task.scenario, world, dict(task.given))
    streams = replication_streams(task.seed, task.replication)
    rows: list[dict[str, float | int | str]] = []
    histograms = {}
    weekly: list[dict[str, np.ndarray | str | int]] = []
    first_week = -(-world.warmup_days // 7)
    last_week = world.days // 7  # later weeks only drain deliveries: not comparable
    for name, strategy in strategies.items():
        with _records(task, name) as records:
            ledger = simulate(world, strategy, streams, name=name, records=records,
                              processes=task.processes, replication=task.replication)
        rows.append({"strategy": name, "replication": task.replication,
                     **ledger.metrics(stars=star_scale)})
        histograms[name] = ledger.satisfaction_hist
        weekly.append(
            {"strategy": name, "replication": task.replication,
             **ledger.weekly.table(first_week, last_week)}
        )
    return ReplicationOutcome(task.replication, rows, histograms, weekly, task.point)


def replication_strategies(
    scenario: Scenario, world: World, given: dict[str, Any]
) -> dict[str, PromiseStrategy]:
    """The strategies of one replication by name, in the scenario's order: the scenario's
    built afresh, and a fresh copy of each given object.
    """
    if not given:
        return build_strategies(scenario, world)
    rest = scenario.model_copy(
        update={"strategies": [s for s in scenario.strategies if s.name not in given]})
    built = build_strategies(rest, world)
    return {s.name: copy.deepcopy(given[s.name]) if s.name in given else built[s.name]
            for s in scenario.strategies}


def _records(
    task: ReplicationTask, strategy: str
) -> AbstractContextManager[ParquetOrderRecords | None]:
    """The writer of ``strategy``'s order records in this replication (None when off)."""
    if task.order_records is None:
        return nullcontext()
    path = order_records_path(task.order_records, strategy, task.replication)
    return ParquetOrderRecords(path, replication=task.replication)
