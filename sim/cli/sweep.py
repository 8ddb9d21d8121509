"""``promise-sim sweep``: run a scenario at every point of its ``sweep:`` design.

Parses options, checks the sweep against the scenario before anything runs, makes one
library call (:func:`sim.experiment.sweep.run_sweep`), writes the folder and prints each
strategy's best point.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import click
import numpy as np

from sim.cli.options import Output, output_options, study_options
from sim.cli.study import report, write_study
from sim.errors import ExperimentError
from sim.experiment.executors import Executor
from sim.experiment.precision import resolve_metric
from sim.experiment.sweep import LOWER_IS_BETTER, SweepResults, point_scenarios, run_sweep
from sim.report.sweep import write_sweep
from sim.scenario import load_scenario
from sim.scenario.checks import check_sweep
from sim.scenario.spec import Scenario
from sim.scenario.sweep import SWEEP_METRICS

__all__ = ["sweep"]


@click.command()
@study_options("Override the scenario's, at every point.")
@click.option("--metric",
              help="Metric to plot and rank points by, instead of the sweep's (a unique prefix "
              "will do: 'profit_per').")
@output_options("results/<scenario name>-sweep")
def sweep(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    where: Executor,
    metric: str | None,
    output: Output,
) -> None:
    """Run SCENARIO at every point of its 'sweep:' design and write the sweep folder.

    \b
    Writes sweep.csv and sweep.parquet (one row per point, strategy and metric, with the
    swept values as columns), differences.csv (each strategy minus the baseline at each
    point, paired), replications.parquet, design.csv, manifest.json and sweep.png (the
    metric against each swept parameter), all at once when the sweep has finished. Every
    point runs from the same root seed, so points are compared with common random numbers.
    Each replication is kept in .<folder>.parts beside the folder as it finishes: a sweep
    that is interrupted and started again with the same command computes only what is
    missing.
    \b
    Examples:
      promise-sim sweep scenarios/headline_buffer_sweep.yaml
      promise-sim sweep scenarios/headline_buffer_sweep.yaml -r 20 -w 2 --metric promise_kept
      promise-sim sweep scenarios/headline_buffer_sweep.yaml -o results/buffer --fresh
    \b
    A sweep block, in the scenario file:
      sweep:
        design: grid                   # or latin_hypercube / sobol, with points: N
        metric: satisfaction_mean
        parameters:
          - {path: economics.price, values: [70, 80, 90]}
          - {path: customers.learning_rate, low: 0.05, high: 0.5, steps: 4}
          - {paths: [strategies.zappos_buffer.min_days, strategies.zappos_buffer.max_days],
             low: 1, high: 6, steps: 6, offsets: [0, 1]}   # a window moving as one
    """
    spec = load_scenario(scenario)
    check_sweep(spec, str(scenario))
    if metric is not None:
        spec = _with_metric(spec, metric)
    point_scenarios(spec, source=str(scenario))  # every point checked before anything is kept
    results, folder = write_study(
        output, default=Path("results") / f"{spec.name}-sweep", label=spec.name,
        scenario=scenario, write=write_sweep,
        compute=lambda store, progress: run_sweep(
            spec, replications=replications, seed=seed, executor=where, progress=progress,
            store=store, source=str(scenario)),
    )
    report(output, folder, written="sweep", text=lambda: best_points_text(results),
           payload=lambda: {"scenario": spec.name, "folder": folder, "metric": results.metric,
                            "best": results.best(), "table": results.table})


def _with_metric(spec: Scenario, name: str) -> Scenario:
    """``spec`` with its sweep's metric replaced by the one ``name`` names."""
    metric = resolve_metric(name)
    allowed = get_args(SWEEP_METRICS)
    if metric not in allowed:
        raise ExperimentError(f"--metric: {metric!r} is not an outcome a sweep can rank "
                              f"points by (one of {', '.join(allowed)})")
    assert spec.sweep is not None
    return spec.model_copy(update={"sweep": spec.sweep.model_copy(update={"metric": metric})})


def best_points_text(results: SweepResults) -> str:
    """Each strategy's best point on the sweep's metric, with its interval and settings."""
    metric = results.metric
    table = results.table[results.table["metric"] == metric]
    level = round(100 * results.scenario.experiment.confidence)
    direction = "lowest" if metric in LOWER_IS_BETTER else "highest"
    lines = [
        f"{results.scenario.name}: {results.sweep.design} of {len(results.design)} points, "
        f"{results.manifest['replications']} replications each, {level}% intervals",
        f"best point of each strategy by {metric} ({direction} mean):",
    ]
    width = max(len(s.name) for s in results.scenario.strategies) + 2
    for row in results.best().to_dict("records"):
        strategy = row["strategy"]
        means = table.loc[table["strategy"] == strategy, "mean"].to_numpy(dtype=float)
        interval = f"{row['mean']:.4g} [{row['ci_low']:.4g}, {row['ci_high']:.4g}]"
        if np.nanmax(means) - np.nanmin(means) <= 1e-12 * max(1.0, abs(row["mean"])):
            lines.append(f"{strategy:<{width}}{interval}  the same at every point")
            continue
        settings = ", ".join(f"{key}={row[key]!r}" for key in results.keys)
        lines.append(f"{strategy:<{width}}{interval}  point {row['point']}: {settings}")
    return "\n".join(lines)
