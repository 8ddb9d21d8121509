"""Which assumption decides: global sensitivity indices of an outcome over uncertain parameters.

The scenario's ``sensitivity:`` block names parameters (key paths with ranges) and an outcome
(a strategy's metric, or the paired difference between two strategies). SALib draws a design
over the ranges (Sobol' sequence for Sobol indices, trajectories for Morris screening); every
point is the scenario with those values set, run through :func:`run_points` with common
random numbers, and SALib turns the outcomes into indices, ranked.

How simulation noise enters: the outcome at a point is the mean over ``n`` replications, the
expected outcome there plus an error. SALib treats it as exact, so errors that differ between
points add to the outcome's variance (lowering every S1), to every parameter's total effect
(each ST rises by about their share of that variance) and to every Morris elementary effect.
With common random numbers replication ``r`` of every point meets the same luck, and the part
of the error all points share shifts every outcome alike and changes no index. The manifest's
``noise_share`` is the rest: the point-by-replication residual variance of a two-way analysis
of variance, divided by ``n``, as a share of the outcome's variance across the design; beside
it, ``noise_share_independent`` is what it would be without common random numbers
(``mean(se**2) / Var(Y)``). Keep ``noise_share`` to a few percent: a paired difference as
the outcome, and enough replications.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ExperimentError, ScenarioError
from sim.experiment.executors import Executor
from sim.experiment.manifest import build_manifest
from sim.experiment.progress import Progress
from sim.experiment.runner import Results, run_points
from sim.experiment.store import ResultStore
from sim.scenario.checks import check_measured
from sim.scenario.overrides import get_value, with_values
from sim.scenario.paths import split_path
from sim.scenario.sensitivity import Sensitivity, SensitivityOutcome
from sim.scenario.spec import Scenario

__all__ = ["INDEX_COLUMNS", "SensitivityResults", "outcome_values", "sensitivity", "study_base"]

#: The index columns of each method, the first being the one parameters are ranked by.
INDEX_COLUMNS = {
    "sobol": ("ST", "ST_conf", "S1", "S1_conf"),
    "morris": ("mu_star", "mu_star_conf", "mu", "sigma"),
}
#: Bootstrap resamples behind the indices' confidence intervals.
RESAMPLES = 1000
#: Sections whose keys do not change the simulated world.
_NOT_THE_WORLD = ("experiment", "sensitivity", "sweep", "optimize", "claim", "name",
                  "description", "baseline")


@dataclass(frozen=True, eq=False)
class SensitivityResults:
    """The ranked indices of a sensitivity study, the points it ran, and how it was made.

    ``indices``: one row per parameter, most influential first (``rank`` 1): ``parameter``
    (label), ``path``, ``low``, ``high``, then S1, S1_conf, ST, ST_conf (Sobol; ranked by
    ST) or mu_star, mu_star_conf, mu, sigma (Morris, in outcome units per move across the
    range; ranked by mu_star). ``samples``: one row per design point, the values run (one
    column per path), ``outcome`` and its standard error ``outcome_se``. ``interactions``:
    S2 per pair with Sobol's ``second_order``, else None.
    """

    scenario: Scenario
    indices: pd.DataFrame
    samples: pd.DataFrame
    manifest: dict[str, Any]
    interactions: pd.DataFrame | None = None

    @property
    def method(self) -> str:
        """'sobol' or 'morris'."""
        return str(self.manifest["sensitivity"]["method"])

    @property
    def outcome(self) -> str:
        """The outcome in words."""
        return str(self.manifest["sensitivity"]["outcome"])


def sensitivity(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress = None,
    store: ResultStore | str | Path | None = None,
    source: str = "<scenario>",
) -> SensitivityResults:
    """Run the sensitivity study of ``scenario``'s ``sensitivity:`` block and rank its parameters.

    ``replications`` (default: the block's, else the experiment's) run at every point from
    root seed ``seed`` (default: the experiment's), so every point meets the same luck.
    ``workers``, ``executor``, ``progress`` and ``store`` work as in :func:`run`: with a
    store, a study run again computes only the replications still missing. ``source`` names
    the scenario file in errors.
    """
    spec = _block(scenario, source)
    base, paths = study_base(scenario, source=source)
    whole = [isinstance(get_value(base, path), int) for path in paths]
    design = _design(spec)
    drawn = np.where(whole, np.round(design), design)
    rows, inverse = np.unique(drawn, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    points = [with_values(base, _values(paths, row, whole),
                          source=f"{source}: sensitivity point") for row in rows]
    n = replications if replications is not None else (
        spec.replications if spec.replications is not None else scenario.experiment.replications)
    root = scenario.experiment.seed if seed is None else seed
    results = run_points(points, replications=n, seed=root, workers=workers,
                         executor=executor, progress=progress, store=store)
    by_replication = np.array([outcome_values(r, spec.outcome) for r in results])
    outcome = by_replication.mean(axis=1)[inverse]
    se = (by_replication.std(axis=1, ddof=1) / math.sqrt(n))[inverse]
    _check_defined(outcome, drawn, [p.path for p in spec.parameters])

    columns = [p.path for p in spec.parameters]
    samples = pd.DataFrame(drawn, columns=columns)
    for column, is_whole in zip(columns, whole):
        if is_whole:
            samples[column] = samples[column].astype("int64")
    samples.insert(0, "point", np.arange(len(samples)))
    samples["outcome"] = outcome
    samples["outcome_se"] = se
    indices, interactions = _analyze(spec, design, outcome,
                                     confidence=scenario.experiment.confidence)
    variance = float(np.var(outcome, ddof=1))
    noise = _noise_variance(by_replication) / n
    independent = float(np.mean(se**2))
    manifest = {
        **build_manifest(scenario, replications=n, seed=root),
        "strategies": [s.name for s in base.strategies],
        "sensitivity": {
            "method": spec.method,
            "outcome": spec.outcome.describe(),
            "metric": spec.outcome.metric,
            "strategies": spec.outcome.strategies,
            "samples": spec.samples,
            "design_points": len(design),
            "points_run": len(points),
            "replications_per_point": n,
            "design_seed": spec.seed,
            "levels": spec.levels if spec.method == "morris" else None,
            "second_order": spec.second_order if spec.method == "sobol" else None,
            "noise_share": _share(noise, variance),
            "noise_share_independent": _share(independent, variance),
            "outcome_mean": float(np.mean(outcome)),
            "outcome_sd": math.sqrt(variance),
            "outcome_min": float(np.min(outcome)),
            "outcome_max": float(np.max(outcome)),
            "share_above_zero": float(np.mean(outcome > 0)),
        },
    }
    return SensitivityResults(scenario=scenario, indices=indices, samples=samples,
                             manifest=manifest, interactions=interactions)


def study_base(scenario: Scenario, *, source: str = "<scenario>") -> tuple[Scenario, list[str]]:
    """The scenario every point is made from, and each parameter's path in it.

    The study blocks, the claim and the strategies the outcome does not read are dropped (a
    point's numbers, and its hash in a result store, depend on none of them); a parameter
    path through ``strategies`` is rewritten by strategy name. Raises :class:`ScenarioError`
    naming ``sensitivity.<key>`` if the outcome or a parameter does not fit the scenario.
    """
    spec = _block(scenario, source)
    names = [s.name for s in scenario.strategies]
    try:
        spec.outcome.check_strategies(names)
    except ValueError as exc:
        raise ScenarioError(f"{source}: {exc}") from None
    check_measured(scenario, spec.outcome.metric, "sensitivity.outcome.metric", source)
    kept = [s for s in scenario.strategies if s.name in spec.outcome.strategies]
    base = scenario.model_copy(update={
        "strategies": kept, "baseline": None, "claim": None,
        "sweep": None, "optimize": None, "sensitivity": None,
    })
    data = base.model_dump(mode="python", by_alias=True)
    paths: list[str] = []
    keys: dict[str, int] = {}
    for i, parameter in enumerate(spec.parameters):
        where = f"{source}: sensitivity.parameters[{i}]"
        path = _path_in_base(scenario, parameter.path, spec.outcome, f"{where}.path")
        section = split_path(path)[0]
        if section in data and data[section] is None:
            raise ScenarioError(f"{where}.path: {parameter.path}: the scenario has no "
                                f"'{section}' section (add one to vary its keys)")
        try:
            current = get_value(base, path)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}.path: {exc}") from None
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            raise ScenarioError(f"{where}.path: {parameter.path} holds {_kind(current)}, "
                                "not a number")
        key = _canonical(data, path)
        if key in keys:
            raise ScenarioError(f"{where}.path: {parameter.path} is the key "
                                f"parameters[{keys[key]}] varies already")
        keys[key] = i
        whole = isinstance(current, int)
        for end in ("low", "high"):
            value = getattr(parameter, end)
            with_values(base, {path: round(value) if whole else value}, source=f"{where}.{end}")
        paths.append(path)
    return base, paths


def _block(scenario: Scenario, source: str) -> Sensitivity:
    if scenario.sensitivity is None:
        raise ScenarioError(f"{source}: sensitivity: missing (a scenario run by 'sensitivity' "
                            "needs one)")
    return scenario.sensitivity


def outcome_values(results: Results, outcome: SensitivityOutcome) -> np.ndarray:
    """The outcome at one point in each replication, in replication order."""
    table = results.replications.set_index(["strategy", "replication"])[outcome.metric]
    first = table.loc[outcome.strategies[0]].sort_index()
    if outcome.difference is None:
        return first.to_numpy(dtype=float)
    return (first - table.loc[outcome.strategies[1]]).sort_index().to_numpy(dtype=float)


def _noise_variance(y: np.ndarray) -> float:
    """Residual variance of points x replications once each point's and each replication's
    mean are taken out: the error common random numbers do not cancel between points.
    """
    points, n = y.shape
    if points < 2:
        return float(np.var(y, ddof=1))
    residual = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
    return float(np.sum(residual**2) / ((points - 1) * (n - 1)))


def _share(part: float, whole: float) -> float | None:
    """``part / whole``, or None when the outcome did not vary at all."""
    return part / whole if whole > 0 else None


def _path_in_base(scenario: Scenario, path: str, outcome: SensitivityOutcome, where: str) -> str:
    """``path`` with a strategy named, not numbered (the base keeps only some strategies)."""
    try:
        parts = split_path(path)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    if parts[0] in _NOT_THE_WORLD:
        raise ScenarioError(f"{where}: {path!r} does not change the simulated world (vary a "
                            f"key outside {', '.join(_NOT_THE_WORLD)})")
    if parts[0] != "strategies" or len(parts) < 2:
        return path
    names = [s.name for s in scenario.strategies]
    key = parts[1]
    if key.lstrip("-").isdigit() and 0 <= int(key) < len(names):
        key = names[int(key)]
    if key in names and key not in outcome.strategies:
        raise ScenarioError(f"{where}: {path!r} sets strategy {key!r}, which the outcome "
                            f"({outcome.describe()}) does not read")
    return ".".join(["strategies", key, *parts[2:]])


def _canonical(data: Any, path: str) -> str:
    """``path`` (which exists in ``data``) with every list item by index, not by name."""
    node, parts = data, []
    for part in split_path(path):
        if isinstance(node, list):
            index = int(part) if part.lstrip("-").isdigit() else [
                item.get("name") if isinstance(item, dict) else None for item in node].index(part)
            node, part = node[index], str(index)
        else:
            node = node[part]
        parts.append(part)
    return ".".join(parts)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null; give it a value in the scenario first)"
    if isinstance(value, dict):
        return "a section"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


def _values(paths: list[str], row: np.ndarray, whole: list[bool]) -> dict[str, float | int]:
    return {path: int(v) if is_whole else float(v) for path, v, is_whole in zip(paths, row, whole)}


def _problem(spec: Sensitivity) -> dict[str, Any]:
    return {
        "num_vars": len(spec.parameters),
        "names": [p.path for p in spec.parameters],
        "bounds": [[p.low, p.high] for p in spec.parameters],
    }


def _design(spec: Sensitivity) -> np.ndarray:
    """The SALib design: one row per point, one column per parameter, in drawn values."""
    if spec.method == "morris":
        from SALib.sample import morris

        return morris.sample(_problem(spec), spec.samples, num_levels=spec.levels,
                             seed=spec.seed)
    from SALib.sample import sobol

    return sobol.sample(_problem(spec), spec.samples, calc_second_order=spec.second_order,
                        seed=spec.seed)


def _check_defined(outcome: np.ndarray, drawn: np.ndarray, paths: list[str]) -> None:
    missing = np.flatnonzero(~np.isfinite(outcome))
    if missing.size:
        at = ", ".join(f"{p}={v:g}" for p, v in zip(paths, drawn[missing[0]]))
        raise ExperimentError(
            f"sensitivity: the outcome is undefined at {missing.size} of {outcome.size} points "
            f"(first at {at}); choose an outcome measured everywhere in the ranges"
        )


def _analyze(
    spec: Sensitivity, design: np.ndarray, outcome: np.ndarray, *, confidence: float
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The indices table, ranked, and Sobol's pairwise interactions when asked for."""
    problem = _problem(spec)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if spec.method == "morris":
            from SALib.analyze import morris

            found = morris.analyze(problem, design, outcome, num_resamples=RESAMPLES,
                                   conf_level=confidence, num_levels=spec.levels,
                                   seed=spec.seed)
        else:
            from SALib.analyze import sobol

            found = sobol.analyze(problem, outcome, calc_second_order=spec.second_order,
                                  num_resamples=RESAMPLES, conf_level=confidence,
                                  seed=spec.seed)
    columns = INDEX_COLUMNS[spec.method]
    table = pd.DataFrame({
        "parameter": [p.name for p in spec.parameters],
        "path": [p.path for p in spec.parameters],
        "low": [p.low for p in spec.parameters],
        "high": [p.high for p in spec.parameters],
        **{c: np.ma.filled(np.ma.asarray(found[c], dtype=float), np.nan) for c in columns},
    })
    table = table.sort_values(columns[0], ascending=False, na_position="last", kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    interactions = None
    if spec.method == "sobol" and spec.second_order:
        names = [p.name for p in spec.parameters]
        pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
        interactions = pd.DataFrame({
            "parameter_a": [names[i] for i, _ in pairs],
            "parameter_b": [names[j] for _, j in pairs],
            "S2": [float(found["S2"][i, j]) for i, j in pairs],
            "S2_conf": [float(found["S2_conf"][i, j]) for i, j in pairs],
        })
    return table.reset_index(drop=True), interactions
