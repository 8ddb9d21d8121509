"""``run``: a scenario's strategies through many replications, summarised with paired intervals."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from sim.errors import ExperimentError
from sim.experiment.batching import batches, executor_workers
from sim.experiment.executors import Executor, LocalExecutor, default_workers
from sim.experiment.manifest import build_manifest, replications_digest
from sim.experiment.precision import Precision
from sim.experiment.progress import Progress, progress_callback
from sim.experiment.statistics import paired_differences, summarize
from sim.experiment.store import MemoryStore, ResultStore, open_store
from sim.experiment.strategy_objects import (
    StrategyObject,
    cannot_travel,
    manifest_entries,
    with_strategy_objects,
)
from sim.experiment.tasks import (
    ReplicationOutcome,
    ReplicationTask,
    prepare_world,
    replication_strategies,
    run_replications,
)
from sim.experiment.user_processes import UserProcess, describe_processes
from sim.experiment.user_processes import cannot_travel as processes_cannot_travel
from sim.experiment.user_processes import manifest_entries as process_entries
from sim.model.promise import PromiseStrategy
from sim.scenario import metrics
from sim.scenario.limits import check_replications
from sim.scenario.spec import Scenario
from sim.world.ledger import METRICS, SATISFACTION_BINS
from sim.world.processes import Process

__all__ = ["Results", "run", "run_points"]

#: Metrics summarised across replications (``orders`` is a count, not an outcome).
OUTCOMES = list(metrics.OUTCOMES)
#: Metrics that exist only when customers have memory.
CUSTOMER_METRICS = metrics.CUSTOMER_METRICS
#: Metrics that exist only with a market.
MARKET_METRICS = metrics.MARKET_METRICS


@dataclass(frozen=True, eq=False)
class Results:
    """The tables of a run, as pandas DataFrames, and how it was made."""

    scenario: Scenario
    replications: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    timeseries: pd.DataFrame
    manifest: dict[str, Any]
    satisfaction_hist: dict[str, np.ndarray] = field(repr=False)

    @property
    def satisfaction_bins(self) -> np.ndarray:
        """Edges of the bins of :attr:`satisfaction_hist`."""
        return SATISFACTION_BINS

    def metric(self, name: str) -> pd.DataFrame:
        """The summary rows of one metric, one per strategy."""
        if name not in METRICS:
            raise KeyError(f"unknown metric {name!r}; one of {', '.join(METRICS)}")
        return self.summary[self.summary["metric"] == name].reset_index(drop=True)


def _weekly_table(scenario: Scenario, outcomes: list) -> pd.DataFrame:
    """One row per strategy, replication and week, with the week's first date."""
    series = [w for o in outcomes for w in o.weekly]
    lengths = [len(w["week"]) for w in series]
    columns = {
        "strategy": np.repeat([w["strategy"] for w in series], lengths),
        "replication": np.repeat(np.array([w["replication"] for w in series], np.int64), lengths),
    }
    for key in series[0]:
        if key not in columns:
            columns[key] = np.concatenate([w[key] for w in series])
    table = pd.DataFrame(columns)
    start = pd.Timestamp(scenario.horizon.start)
    table.insert(3, "week_start", start + pd.to_timedelta(table["week"] * 7, unit="D"))
    return table


def _records_folder(path: str | Path) -> str:
    """The order records folder ``path``, created, as an absolute path every worker can use."""
    folder = Path(path).absolute()
    if folder.exists() and not folder.is_dir():
        raise ExperimentError(f"{path}: order records: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExperimentError(
            f"{path}: cannot create the order records folder: {exc.strerror or exc}"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExperimentError(f"{path}: cannot write order records: permission denied")
    return str(folder)


def _check_options(n: int, root: int, workers: int | None) -> None:
    if n < 2:
        raise ExperimentError(f"'replications' must be >= 2 for confidence intervals, got {n}")
    try:
        check_replications(n)
    except ValueError as exc:
        raise ExperimentError(f"'replications' {exc}") from None
    if root < 0:
        raise ExperimentError(f"'seed' must be >= 0, got {root}")
    if workers is not None and workers < 1:
        raise ExperimentError(f"'workers' must be >= 1, got {workers}")


def run(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress = None,
    order_records: str | Path | None = None,
    store: ResultStore | str | Path | None = None,
    precision: Precision | None = None,
    strategies: Sequence[PromiseStrategy] | Mapping[str, PromiseStrategy] | None = None,
    scenario_strategies: bool = True,
    processes: Sequence[Process] = (),
) -> Results:
    """Run ``scenario``: every strategy in every replication, with common random numbers.

    ``strategies`` are strategy objects (any class with ``quote(view)``) run next to the
    scenario's, or instead of them with ``scenario_strategies=False``; a list names each by
    its ``name`` attribute or class, a dict by its keys. Each replication gets a fresh copy.
    The manifest records each one's class (``module:qualname``, and its fields if it is a
    dataclass) and says when the result cannot be rerun from it (a class defined in a
    notebook cell or script). Such a class cannot reach worker processes either: run it
    with ``workers=1``.

    ``processes`` are the user's own SimPy processes, ``process(env, replication)``, run
    beside the model's in every replication (:mod:`sim.world.processes`); the manifest records
    each one's import path, and one defined in a notebook cell runs with ``workers=1`` only.
    Their results are not kept in a ``store``: the store cannot tell two versions of a
    function apart.

    ``replications`` and ``seed`` override the scenario's; ``workers`` (local processes,
    default all cores) or ``executor`` (for example a :class:`DaskExecutor`) say where the
    replications run, and never change the numbers. ``progress=True`` draws a progress bar
    (in a terminal or Jupyter); a function is called as ``progress(done, total)`` as
    replications finish (on other workers, many short ones are handed off, and counted, a
    batch at a time: :mod:`sim.experiment.batching`).

    ``store`` (a folder or a :class:`~sim.experiment.store.MemoryStore`) keeps every
    replication as it finishes: run again with the same store, only the missing ones are
    computed, and the numbers are those of an uninterrupted run.

    ``precision`` (a :class:`~sim.experiment.precision.Precision`) keeps adding
    replications, from ``replications`` up to its maximum, until the intervals of its metric
    are narrow enough; the manifest's ``precision`` entry says how many it took.

    ``order_records`` (default: the scenario's, off if it has none) is a folder where every
    order's record is written as Parquet, one file per strategy and replication
    (:mod:`sim.world.records`), in chunks as the run goes; files of an earlier run with the
    same names are replaced, others are left. On a Dask cluster it must be on a filesystem
    every worker shares.
    """
    given: tuple[StrategyObject, ...] = ()
    own = describe_processes(processes)
    if own and store is not None:
        raise ExperimentError("store: results of a run with processes are not stored (the "
                              "store cannot tell two versions of a process apart)")
    if strategies is not None:
        scenario, given = with_strategy_objects(scenario, strategies, keep=scenario_strategies)
    if order_records is None:
        order_records = scenario.experiment.order_records
    records = None if order_records is None else _records_folder(order_records)
    with progress_callback(progress, scenario.name) as report:
        results = _run(scenario, replications=replications, seed=seed, workers=workers,
                       executor=executor, progress=report, records=records, store=store,
                       precision=precision, given=given, processes=own)
    extra: dict[str, Any] = {}
    if given:
        extra["strategy_objects"] = manifest_entries(given)
    if own:
        extra["processes"] = process_entries(own)
    if not extra:
        return results
    return replace(results, manifest={**results.manifest, **extra})


def _run(
    scenario: Scenario,
    *,
    replications: int | None,
    seed: int | None,
    workers: int | None,
    executor: Executor | None,
    progress: Callable[[int, int], None] | None,
    records: str | None,
    store: ResultStore | str | Path | None,
    precision: Precision | None,
    given: tuple[StrategyObject, ...],
    processes: tuple[UserProcess, ...],
) -> Results:
    options: dict[str, Any] = {"seed": seed, "workers": workers, "executor": executor,
                               "progress": progress, "records": records, "given": given,
                               "processes": processes}
    if precision is None:
        return _run_points([scenario], replications=replications, store=store, **options)[0]
    n = scenario.experiment.replications if replications is None else replications
    n = min(n, precision.max_replications)
    store = MemoryStore() if store is None else open_store(store)
    while True:
        results = _run_points([scenario], replications=n, store=store, **options)[0]
        widest = precision.widest(results.summary, results.differences)
        reached = widest <= precision.half_width
        if reached or n >= precision.max_replications:
            break
        n = precision.next_replications(n, widest, scenario.experiment.confidence)
    report = {"metric": precision.metric, "paired": precision.paired,
              "target_half_width": precision.half_width, "half_width": widest,
              "replications": n, "max_replications": precision.max_replications,
              "reached": reached}
    return replace(results, manifest={**results.manifest, "precision": report})


def run_points(
    scenarios: Sequence[Scenario],
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress = None,
    store: ResultStore | str | Path | None = None,
) -> list[Results]:
    """Run several scenarios (points of a sweep, candidates of a search) as one batch of tasks.

    Every point runs ``replications`` replications (default: each scenario's own) from the
    same root seed, so replication ``r`` of every point meets the same luck and differences
    between points can be paired. All tasks go to the executor at once; ``store`` works as
    in :func:`run`, so calling again with a larger ``replications`` adds only the new ones.
    """
    with progress_callback(progress, f"{len(scenarios)} points") as report:
        return _run_points(scenarios, replications=replications, seed=seed, workers=workers,
                           executor=executor, progress=report, store=store)


def _run_points(
    scenarios: Sequence[Scenario],
    *,
    replications: int | None,
    seed: int | None,
    workers: int | None,
    executor: Executor | None,
    progress: Callable[[int, int], None] | None,
    store: ResultStore | str | Path | None,
    records: str | None = None,
    given: tuple[StrategyObject, ...] = (),
    processes: tuple[UserProcess, ...] = (),
) -> list[Results]:
    counts = [s.experiment.replications if replications is None else replications
              for s in scenarios]
    roots = [s.experiment.seed if seed is None else seed for s in scenarios]
    for n, root in zip(counts, roots):
        _check_options(n, root, workers)
    store = open_store(store)
    objects = {g.name: g.strategy for g in given}
    for scenario in scenarios:  # bad strategies fail here, once
        replication_strategies(scenario, prepare_world(scenario), objects)
    outcomes: list[dict[int, ReplicationOutcome]] = [{} for _ in scenarios]
    tasks = []
    # one object each, shared by every task, so a batch of tasks pickles each once
    shared_given = tuple(objects.items())
    shared_processes = tuple(p.process for p in processes)
    for point, (scenario, n, root) in enumerate(zip(scenarios, counts, roots)):
        stored = set() if store is None else store.finished(scenario, root)
        for r in range(n):
            if r in stored:  # so there is a store
                outcomes[point][r] = cast(ResultStore, store).load(scenario, root, r)
            else:
                tasks.append(ReplicationTask(scenario, r, root, order_records=records,
                                             point=point, given=shared_given,
                                             processes=shared_processes))
    total = sum(counts)
    done = total - len(tasks)
    if progress is not None and done:
        progress(done, total)
    if tasks:
        if executor is None:
            executor = LocalExecutor(default_workers() if workers is None else workers,
                                     keep=not any(_uses_own_code(s) for s in scenarios))
        if (given or processes) and _elsewhere(executor, len(tasks)):
            reason = cannot_travel(given) or processes_cannot_travel(processes)
            if reason is not None:
                raise ExperimentError(reason)
        cut = batches(tasks, executor_workers(executor) if _elsewhere(executor, len(tasks))
                      else 1)
        for batch in executor.map_unordered(run_replications, cut):
            for outcome in batch:
                point = outcome.point
                if store is not None:
                    store.save(scenarios[point], roots[point], outcome)
                outcomes[point][outcome.replication] = outcome
            done += len(batch)
            if progress is not None:
                progress(done, total)
    return [
        _assemble(scenario, [found[r] for r in range(n)], root, records)
        for scenario, found, n, root in zip(scenarios, outcomes, counts, roots)
    ]


def _elsewhere(executor: Executor, tasks: int) -> bool:
    """Whether ``executor`` runs ``tasks`` tasks in other processes (so they are pickled)."""
    if isinstance(executor, LocalExecutor):
        return executor.workers > 1 and tasks > 1
    return True


def _uses_own_code(scenario: Scenario) -> bool:
    """Whether a strategy of ``scenario`` (or of a competitor) is the user's own class."""
    specs = [*scenario.strategies,
             *(c.strategy for c in (scenario.market.competitors if scenario.market else ()))]
    return any(spec.kind == "custom" for spec in specs)


def _assemble(
    scenario: Scenario, outcomes: list[ReplicationOutcome], root: int, records: str | None
) -> Results:
    """The tables of one point from its replications, in replication order."""
    table = pd.DataFrame([row for o in outcomes for row in o.rows])
    table["orders"] = table["orders"].astype("int64")
    absent = list(metrics.unmeasured(scenario))
    table = table.drop(columns=absent)
    outcomes_measured = [m for m in OUTCOMES if m not in absent]
    confidence = scenario.experiment.confidence
    histograms = {
        s.name: np.sum([o.satisfaction_hist[s.name] for o in outcomes], axis=0)
        for s in scenario.strategies
    }
    return Results(
        scenario=scenario,
        replications=table,
        summary=summarize(table, outcomes_measured, confidence),
        differences=paired_differences(
            table, outcomes_measured, scenario.baseline_name, confidence
        ),
        timeseries=_weekly_table(scenario, outcomes),
        manifest={**build_manifest(scenario, replications=len(outcomes), seed=root),
                  "order_records": records,
                  "replications_sha256": replications_digest(table)},
        satisfaction_hist=histograms,
    )
