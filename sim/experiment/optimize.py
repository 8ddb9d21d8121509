"""``optimize``: search a strategy's parameters for the best objective, with common random numbers.

The candidates (:mod:`sim.experiment.candidates`) are points run together by
:func:`~sim.experiment.runner.run_points` from one root seed, so replication ``r`` of every
candidate meets the same orders and luck and candidates are compared by paired differences.
A selection procedure of :mod:`sim.experiment.selection` decides how many replications each
candidate gets (Kim & Nelson's sequential KN, or the same for all); the result names the best
candidate, its interval, and the candidates that cannot be ruled out as the best.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from sim.errors import ExperimentError
from sim.experiment.candidates import Candidate, build_candidates
from sim.experiment.executors import Executor, LocalExecutor, default_workers
from sim.experiment.manifest import build_manifest, json_value, scenario_hash
from sim.experiment.progress import Progress, progress_callback
from sim.experiment.runner import Results, run_points
from sim.experiment.selection import (
    KimNelsonProcedure,
    Selection,
    SelectionProcedure,
    SubsetProcedure,
    compare_with_best,
)
from sim.experiment.statistics import mean_interval
from sim.experiment.store import MemoryStore, ResultStore, open_store
from sim.scenario.optimize import KimNelson, Objective, Subset
from sim.scenario.spec import Scenario

__all__ = [
    "Estimate",
    "OptimizationResults",
    "optimize",
    "procedure_from_spec",
]


def procedure_from_spec(
    method: KimNelson | Subset,
    *,
    default_replications: int,
    replications: int | None = None,
    max_replications: int | None = None,
) -> SelectionProcedure:
    """The procedure a scenario's ``optimize.method`` describes, with the caller's overrides.

    ``replications`` replaces the first replications of KN or the replications of a subset.
    """
    if isinstance(method, KimNelson):
        first = method.first_replications if replications is None else replications
        maximum = method.max_replications if max_replications is None else max_replications
        if maximum < first:
            raise ExperimentError(
                f"'max_replications' must be >= the first replications ({first}), got {maximum}"
            )
        return KimNelsonProcedure(method.indifference, first, maximum)
    if max_replications is not None:
        raise ExperimentError("'max_replications' is for the method 'kn'; this search's method "
                              "is 'subset' (set its replications instead)")
    if replications is None:
        replications = method.replications or default_replications
    return SubsetProcedure(replications)


def objective_values(table: pd.DataFrame, objective: Objective) -> np.ndarray:
    """The objective of each replication of a one-strategy results table, in replication order."""
    table = table.sort_values("replication")
    value = np.zeros(len(table))
    for metric, weight in objective.terms.items():
        value = value + weight * table[metric].to_numpy(dtype=float)
    return value


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean objective with its confidence interval, over ``replications`` replications.

    ``fresh``: the replications are numbers no candidate was compared on (a confirmation
    after the selection), so the interval is free of the selection's optimism.
    """

    mean: float
    ci_low: float
    ci_high: float
    replications: int
    fresh: bool


@dataclass(frozen=True, eq=False)
class OptimizationResults:
    """The outcome of a search: every candidate's objective, the best and its rivals.

    ``candidates`` has one row per candidate: its parameter values, replications, objective
    mean and interval, its paired difference to the best with simultaneous bounds, when the
    procedure dropped it, and its status (``best``, ``not ruled out``, ``ruled out``).
    ``observations`` has one row per candidate and replication: the objective and every
    metric, and the ``stage`` (``selection`` or ``confirmation``). ``estimate`` is the best
    candidate's objective from its confirmation replications (or, without, from the
    selection's).
    """

    scenario: Scenario
    candidates: pd.DataFrame
    observations: pd.DataFrame
    best: int
    estimate: Estimate
    parameters: tuple[str, ...]
    manifest: dict[str, Any]

    @property
    def objective(self) -> Objective:
        """What was optimised."""
        return self.scenario.optimize.objective  # type: ignore[union-attr]

    @property
    def best_row(self) -> pd.Series:
        """The best candidate's row of :attr:`candidates`."""
        return self.candidates.loc[self.best]

    @property
    def best_values(self) -> dict[str, Any]:
        """The best candidate's parameter values, by path as written in the scenario."""
        return {p: json_value(self.best_row[p]) for p in self.parameters}

    @property
    def best_mean(self) -> float:
        """The best candidate's mean objective (from its confirmation, if any)."""
        return self.estimate.mean

    @property
    def best_interval(self) -> tuple[float, float]:
        """The confidence interval of :attr:`best_mean`."""
        return self.estimate.ci_low, self.estimate.ci_high

    @property
    def runner_ups(self) -> pd.DataFrame:
        """The candidates other than the best that cannot be ruled out, closest first."""
        rows = self.candidates[self.candidates["status"] == "not ruled out"]
        return rows.sort_values("difference", ascending=not self.objective.maximize)



def _candidate_table(
    candidates: list[Candidate],
    scores: dict[int, np.ndarray],
    selection: Selection,
    *,
    sign: float,
    confidence: float,
) -> tuple[pd.DataFrame, int]:
    """One row per candidate, with the status of each against the best; and the best."""
    best, comparisons = compare_with_best([scores[c.index] for c in candidates],
                                          selection.survivors, confidence=confidence)
    rows = []
    for c, versus in zip(candidates, comparisons):
        i = c.index
        mean, low, high = mean_interval(sign * scores[i], confidence)
        diff, diff_low, diff_high = versus.difference, versus.low, versus.high
        if i == best:
            status = "best"
        elif versus.in_contention:
            status = "not ruled out"
        else:
            status = "ruled out"
        bounds = sorted((sign * diff_low, sign * diff_high))
        rows.append({
            "candidate": i, "label": c.label, **c.values, "replications": scores[i].size,
            "mean": mean, "ci_low": low, "ci_high": high,
            "difference": sign * diff, "difference_low": bounds[0],
            "difference_high": bounds[1],
            "eliminated_after": selection.eliminated_after.get(i, np.nan),
            "status": status,
        })
    table = pd.DataFrame(rows).set_index("candidate", drop=False)
    table.index.name = None
    return table, best


def optimize(
    scenario: Scenario,
    *,
    replications: int | None = None,
    max_replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress = None,
    store: ResultStore | str | Path | None = None,
    confirmation: int | None = None,
    source: str = "<scenario>",
) -> OptimizationResults:
    """Search the parameters ``scenario.optimize`` names for the best value of its objective.

    ``replications`` replaces the method's first replications (KN) or its replications
    (subset), ``max_replications`` the cap of KN; ``seed`` the root seed. ``workers`` or
    ``executor`` say where replications run; ``progress=True`` draws a bar, a function is
    called as ``progress(done, total)`` as they finish (``total`` grows when KN adds
    replications). ``store`` (a folder or a
    :class:`~sim.experiment.store.MemoryStore`, default a fresh one) keeps every replication:
    a search run again with the same store computes only what is missing. ``source`` names
    the scenario in errors. ``confirmation`` replaces the scenario's number of fresh
    replications of the best (0: none).
    """
    _, candidates = build_candidates(scenario, source=source)
    spec = scenario.optimize
    assert spec is not None
    procedure = procedure_from_spec(
        spec.method, default_replications=scenario.experiment.replications,
        replications=replications, max_replications=max_replications,
    )
    confirm = spec.confirmation if confirmation is None else confirmation
    if confirm < 0 or confirm == 1:
        raise ExperimentError(f"'confirmation' must be 0 (none) or >= 2 replications, "
                              f"got {confirm}")
    root = scenario.experiment.seed if seed is None else seed
    if root < 0:
        raise ExperimentError(f"'seed' must be >= 0, got {root}")
    if workers is not None and workers < 1:
        raise ExperimentError(f"'workers' must be >= 1, got {workers}")
    if executor is None:
        executor = LocalExecutor(default_workers() if workers is None else workers)
    store = MemoryStore() if store is None else open_store(store)
    with progress_callback(progress, f"{scenario.name} optimize") as report:
        return _search(scenario, candidates, procedure, confirm=confirm, root=root,
                       executor=executor, progress=report, store=store, source=source)


def _search(
    scenario: Scenario,
    candidates: list[Candidate],
    procedure: SelectionProcedure,
    *,
    confirm: int,
    root: int,
    executor: Executor,
    progress: Callable[[int, int], None] | None,
    store: ResultStore,
    source: str,
) -> OptimizationResults:
    """Select among ``candidates`` with ``procedure``, confirm the best, tabulate."""
    spec = scenario.optimize
    assert spec is not None
    sign = 1.0 if spec.objective.maximize else -1.0
    scores: dict[int, np.ndarray] = {}
    tables: dict[int, pd.DataFrame] = {}

    def observe(chosen: Sequence[int], n: int) -> np.ndarray:
        chosen = list(chosen)
        elsewhere = sum(scores[i].size for i in scores if i not in chosen)
        report = None if progress is None else (
            lambda done, total: progress(elsewhere + done, elsewhere + total))
        results = run_points([candidates[i].scenario for i in chosen], replications=n,
                             seed=root, executor=executor, progress=report, store=store)
        for i, result in zip(chosen, results):
            tables[i] = _one_strategy(result, spec.strategy)
            values = objective_values(tables[i], spec.objective)
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size:
                raise ExperimentError(
                    f"{source}: optimize: candidate {candidates[i].label}: the objective is "
                    f"undefined in replication {int(bad[0])} (a metric without orders?)"
                )
            scores[i] = sign * values
        return np.array([scores[i][:n] for i in chosen])

    selection = procedure.select(observe, len(candidates),
                                 confidence=scenario.experiment.confidence)
    table, best = _candidate_table(candidates, scores, selection, sign=sign,
                                   confidence=scenario.experiment.confidence)
    selected = int(table["replications"].max())
    if confirm:
        observe([best], selected + confirm)
        fresh = sign * scores[best][selected:]
        estimate = Estimate(*mean_interval(fresh, scenario.experiment.confidence),
                            replications=fresh.size, fresh=True)
    else:
        row = table.loc[best]
        estimate = Estimate(float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]),
                            replications=int(row["replications"]), fresh=False)
    observations = pd.concat(
        [tables[c.index].assign(candidate=c.index, objective=sign * scores[c.index])
         for c in candidates], ignore_index=True,
    )
    observations.insert(0, "stage", np.where(
        (observations["candidate"] == best) & (observations["replication"] >= selected),
        "confirmation", "selection"))
    front = ["candidate", "replication", "stage", "objective"]
    observations = observations[front + [c for c in observations if c not in front]]
    parameters = tuple(p for parameter in spec.parameters for p in parameter.keys)
    total = int(table["replications"].sum()) + confirm
    manifest = {
        **build_manifest(scenario, replications=int(cast(int, table.loc[best, "replications"])),
                         seed=root),
        "optimize": {
            "strategy": spec.strategy,
            "objective": spec.objective.label,
            "method": spec.method.model_dump(mode="json"),
            "procedure": {"kind": type(procedure).__name__, **asdict(procedure)},
            "candidates": len(candidates),
            "total_replications": total,
            "best": {"candidate": best, "values": {p: json_value(table.loc[best, p])
                                                  for p in parameters}},
            "not_ruled_out": [int(i) for i in table.index[table["status"] == "not ruled out"]],
            "estimate": asdict(estimate),
            "candidate_hashes": [scenario_hash(c.scenario) for c in candidates],
        },
    }
    return OptimizationResults(scenario=scenario, candidates=table, observations=observations,
                              best=best, estimate=estimate, parameters=parameters,
                              manifest=manifest)


def _one_strategy(results: Results, strategy: str) -> pd.DataFrame:
    """The replications table of ``strategy`` alone, in replication order."""
    table = results.replications
    table = table[table["strategy"] == strategy].sort_values("replication")
    return table.drop(columns="strategy").reset_index(drop=True)
