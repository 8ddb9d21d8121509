"""Sweeps: a scenario run at every point of its ``sweep:`` design, as one batch of replications.

:func:`sweep_points` turns the design into a table of points (one column per swept key);
:func:`run_sweep` runs every point with :func:`~sim.experiment.runner.run_points`, so all
points share the root seed (replication ``r`` of every point meets the same luck, and
differences between points are paired) and, given a store, an interrupted sweep computes only
what is missing. Its :class:`SweepResults` hold one tidy table: a row per point, strategy and
metric, with the swept values as columns.

Space-filling designs come from :mod:`scipy.stats.qmc` (scrambled, seeded by the sweep's own
``seed``): a range is scaled linearly or in log scale; a whole-number range ``low..high`` is
cut into ``high - low + 1`` equal strata, so each integer is drawn equally often; a list of
values is cut the same way.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.experiment.executors import Executor
from sim.experiment.manifest import build_manifest, json_value, scenario_hash
from sim.experiment.runner import Results, run_points
from sim.experiment.statistics import mean_interval
from sim.experiment.store import ResultStore
from sim.scenario.checks import check_sweep
from sim.scenario.metrics import LOWER_IS_BETTER
from sim.scenario.overrides import with_values
from sim.scenario.spec import Scenario
from sim.scenario.sweep import Sweep, SweepParameter

__all__ = [
    "LOWER_IS_BETTER",
    "SweepResults",
    "point_scenarios",
    "run_sweep",
    "sweep_points",
]

@dataclass(frozen=True, eq=False)
class SweepResults:
    """The tables of a sweep, as pandas DataFrames, and how it was made.

    ``table`` has one row per point, strategy and metric (mean, ci_low, ci_high, n);
    ``differences`` each strategy minus the baseline at each point, paired by replication;
    ``replications`` one row per point, strategy and replication, every metric. Each starts
    with ``point`` and the swept keys' values, as in ``design``.
    """

    scenario: Scenario
    sweep: Sweep
    design: pd.DataFrame
    table: pd.DataFrame
    differences: pd.DataFrame
    replications: pd.DataFrame
    manifest: dict[str, Any]
    points: tuple[Results, ...] = field(repr=False)

    @property
    def metric(self) -> str:
        """The sweep's metric: what its plot shows and its best points are ranked by."""
        return self.sweep.metric

    @property
    def keys(self) -> list[str]:
        """The swept keys' paths: the columns after ``point`` in every table."""
        return [c for c in self.design.columns if c != "point"]

    def best(self, metric: str | None = None) -> pd.DataFrame:
        """Each strategy's best point on ``metric`` (default the sweep's): its row of ``table``.

        Best is the highest mean, or the lowest for the metrics of :data:`LOWER_IS_BETTER`.
        """
        metric = self.metric if metric is None else metric
        rows = self._metric_rows(self.table, metric).dropna(subset=["mean"])
        pick = "idxmin" if metric in LOWER_IS_BETTER else "idxmax"
        best = getattr(rows.groupby("strategy", sort=False)["mean"], pick)()
        return rows.loc[best.dropna().to_numpy()].reset_index(drop=True)

    def point_differences(self, *, reference: int = 0, metric: str | None = None) -> pd.DataFrame:
        """Each point minus point ``reference``, per strategy, paired by replication.

        With common random numbers the paired interval is much narrower than the two points'
        own intervals suggest: it is the way to tell whether a step along a sweep matters.
        """
        metric = self.metric if metric is None else metric
        if reference not in set(self.design["point"]):
            raise KeyError(f"no point {reference}; points are 0..{len(self.design) - 1}")
        if metric not in self.replications.columns:
            raise KeyError(f"metric {metric!r} is not measured in this sweep")
        wide = self.replications.pivot_table(
            index="replication", columns=["point", "strategy"], values=metric, dropna=False
        )
        confidence = self.scenario.experiment.confidence
        rows = []
        for point in self.design["point"]:
            if point == reference:
                continue
            for strategy in (s.name for s in self.scenario.strategies):
                difference = (wide[(point, strategy)] - wide[(reference, strategy)]).to_numpy()
                mean, low, high = mean_interval(difference, confidence)
                rows.append({"point": point, "strategy": strategy, "reference": reference,
                             "metric": metric, "mean_difference": mean, "ci_low": low,
                             "ci_high": high, "n": int(np.isfinite(difference).sum())})
        frame = pd.DataFrame(rows)
        return self.design.merge(frame, on="point") if rows else frame

    def _metric_rows(self, table: pd.DataFrame, metric: str) -> pd.DataFrame:
        rows = table[table["metric"] == metric]
        if rows.empty:
            raise KeyError(f"metric {metric!r} is not measured in this sweep")
        return rows


def sweep_points(scenario: Scenario, *, source: str = "<scenario>") -> pd.DataFrame:
    """The points of ``scenario``'s sweep: a column ``point`` and one per swept key.

    Raises :class:`~sim.errors.ScenarioError` naming ``source`` and the sweep's key path when
    the sweep does not fit the scenario.
    """
    return _design(check_sweep(scenario, source))


def point_scenarios(
    scenario: Scenario, *, source: str = "<scenario>"
) -> tuple[Sweep, pd.DataFrame, list[Scenario]]:
    """The checked sweep, its design, and the scenario of every point (in design order).

    Each point is ``scenario`` without its sweep, optimize and sensitivity sections, with the
    point's values set: its hash depends on the point, not on the study that made it. A
    value the scenario refuses is an error naming the point and the key.
    """
    sweep = check_sweep(scenario, source)
    design = _design(sweep)
    base = scenario.model_copy(update={"sweep": None, "optimize": None, "sensitivity": None})
    keys = [c for c in design.columns if c != "point"]
    scenarios = []
    for row in design.itertuples(index=False):
        values = dict(zip(keys, row[1:]))
        shown = ", ".join(f"{k}={json_value(v)!r}" for k, v in values.items())
        scenarios.append(
            with_values(base, values, source=f"{source}: sweep point {row[0]} ({shown})")
        )
    return sweep, design, scenarios


def run_sweep(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    store: ResultStore | str | Path | None = None,
    source: str = "<scenario>",
) -> SweepResults:
    """Run every point of ``scenario``'s sweep, with common random numbers across points.

    ``replications`` and ``seed`` override the scenario's, for every point; ``workers`` or
    ``executor`` say where replications run; ``progress(done, total)`` counts replications
    over all points. ``store`` (a folder or a
    :class:`~sim.experiment.store.MemoryStore`) keeps each replication as it finishes: run
    again, only the missing ones are computed, and a larger ``replications`` adds to every
    point. Points that coincide (integers rounded alike) are run once.
    """
    sweep, design, scenarios = point_scenarios(scenario, source=source)
    hashes = [scenario_hash(s) for s in scenarios]
    distinct = list(dict.fromkeys(hashes))
    first = {h: hashes.index(h) for h in distinct}
    ran = run_points([scenarios[first[h]] for h in distinct], replications=replications,
                     seed=seed, workers=workers, executor=executor, progress=progress,
                     store=store)
    by_hash = dict(zip(distinct, ran))
    points = tuple(by_hash[h] for h in hashes)
    counts = sorted({int(r.manifest["replications"]) for r in points})
    root = scenario.experiment.seed if seed is None else seed
    manifest = build_manifest(scenario, replications=counts[0] if len(counts) == 1 else counts,
                              seed=root)
    manifest["sweep"] = {
        "design": sweep.design,
        "design_seed": sweep.seed,
        "metric": sweep.metric,
        "points": len(design),
        "distinct_points": len(distinct),
        "parameters": sweep.labels,
        "keys": [c for c in design.columns if c != "point"],
        "point_hashes": hashes,
    }
    return SweepResults(
        scenario=scenario,
        sweep=sweep,
        design=design,
        table=_stack(design, [r.summary for r in points]),
        differences=_stack(design, [r.differences for r in points]),
        replications=_stack(design, [r.replications for r in points]),
        manifest=manifest,
        points=points,
    )


def _stack(design: pd.DataFrame, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``frames`` (one per point) as one table, each row led by its point's design row."""
    parts = []
    for point, frame in zip(design.to_dict("records"), frames):
        lead = pd.DataFrame({c: [point[c]] * len(frame) for c in design.columns})
        lead = lead.astype(design.dtypes.to_dict())
        parts.append(pd.concat([lead, frame.reset_index(drop=True)], axis=1))
    if not parts:
        return pd.DataFrame(columns=list(design.columns))
    return pd.concat(parts, ignore_index=True)


def _design(sweep: Sweep) -> pd.DataFrame:
    """The design of a checked sweep: one row per point, one column per swept key."""
    if sweep.design == "grid":
        levels = [_grid_levels(p) for p in sweep.parameters]
        rows = [_assign(sweep.parameters, combination)
                for combination in itertools.product(*levels)]
    else:
        units = _unit_sample(sweep.design, len(sweep.parameters), sweep.points or 0, sweep.seed)
        rows = [
            _assign(sweep.parameters, [_scale(p, u) for p, u in zip(sweep.parameters, row)])
            for row in units
        ]
    design = pd.DataFrame(rows)
    design.insert(0, "point", np.arange(len(design), dtype=np.int64))
    return design


def _unit_sample(design: str, dimensions: int, n: int, seed: int) -> np.ndarray:
    """``n`` points in the unit cube of ``dimensions`` from the named qmc design."""
    rng = np.random.default_rng(seed)
    if design == "sobol":
        return qmc.Sobol(dimensions, scramble=True, seed=rng).random_base2(int(math.log2(n)))
    return qmc.LatinHypercube(dimensions, seed=rng).random(n)


def _grid_levels(parameter: SweepParameter) -> list[Any]:
    """The values a parameter takes in a grid, in order, without repeats."""
    if parameter.values is not None:
        return list(parameter.values)
    low, high, steps = parameter.low, parameter.high, parameter.steps
    assert low is not None and high is not None and steps is not None
    spaced = np.geomspace(low, high, steps) if parameter.log else np.linspace(low, high, steps)
    if parameter.integer:
        return list(dict.fromkeys(round(float(x)) for x in spaced))
    return list(dict.fromkeys(_tidy(x) for x in spaced))


def _scale(parameter: SweepParameter, u: float) -> Any:
    """The value at ``u`` in [0, 1) of a parameter's range or list, for space-filling designs."""
    if parameter.values is not None:
        k = len(parameter.values)
        return parameter.values[min(int(u * k), k - 1)]
    low, high = parameter.low, parameter.high
    assert low is not None and high is not None
    top = high + 1 if parameter.integer else high
    if parameter.log:
        x = math.exp(math.log(low) + u * (math.log(top) - math.log(low)))
    else:
        x = low + u * (top - low)
    if parameter.integer:
        return int(min(math.floor(x), high))
    return _tidy(min(max(x, low), high))


def _assign(parameters: list[SweepParameter], levels: Sequence[Any]) -> dict[str, Any]:
    """The value of every swept key at one point, from each parameter's level."""
    values: dict[str, Any] = {}
    for parameter, level in zip(parameters, levels):
        if parameter.path is not None:
            values[parameter.path] = level
        elif parameter.vectors:
            values.update(zip(parameter.keys, level))
        else:
            offsets = parameter.offsets or [0.0] * len(parameter.keys)
            for path, offset in zip(parameter.keys, offsets):
                shifted = level + offset
                values[path] = round(float(shifted)) if parameter.integer or (
                    isinstance(level, int) and float(offset).is_integer()) else _tidy(shifted)
    return values


def _tidy(x: float) -> float:
    """``x`` to 12 significant digits, so spaced values read as written (0.3, not 0.30000000004)."""
    return float(f"{float(x):.12g}")

