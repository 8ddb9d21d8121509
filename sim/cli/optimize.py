"""``promise-sim optimize``: search a strategy's parameters for the best objective.

Parses options, checks the search against the scenario and the results folder before anything
runs, makes one library call (:func:`sim.experiment.optimize.optimize`), writes the folder and
prints the best candidate, its interval and the runner-ups that cannot be ruled out.
"""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import REPLICATIONS, Output, output_options, study_options
from sim.cli.study import report, write_study
from sim.experiment.candidates import build_candidates
from sim.experiment.executors import Executor
from sim.experiment.optimize import OptimizationResults
from sim.experiment.optimize import optimize as run_optimization
from sim.report.optimize import best_summary, write_optimization
from sim.scenario import load_scenario

__all__ = ["optimize"]


@click.command()
@study_options("Replications of every candidate before the first screening (kn), or of "
               "every candidate (subset) [default: the scenario's].")
@click.option("--max-replications", type=REPLICATIONS,
              help="At most this many replications of a candidate (kn) [default: the "
              "scenario's].")
@output_options("results/<scenario name>-optimize")
def optimize(
    scenario: Path,
    replications: int | None,
    max_replications: int | None,
    seed: int | None,
    where: Executor,
    output: Output,
) -> None:
    """Search the strategy parameters of SCENARIO's 'optimize' section for the best objective.

    \b
    Candidates meet the same orders and luck (common random numbers) and are compared by
    paired differences; with method 'kn' candidates clearly worse are dropped early and the
    others get more replications. Prints the best candidate with its interval and the
    runner-ups that cannot be ruled out; writes candidates.csv, replications.parquet,
    best.json, manifest.json and optimize.png, all at once when the search has finished.
    Finished replications are kept in .<folder>.parts beside the results folder: a search
    interrupted and started again computes only what is missing.
    \b
    Example:
      promise-sim optimize scenarios/optimize_promise.yaml
      promise-sim optimize scenarios/optimize_promise.yaml -r 6 -w 2 -o results/quick
    """
    spec = load_scenario(scenario)
    build_candidates(spec, source=str(scenario))
    result, folder = write_study(
        output, default=Path("results") / f"{spec.name}-optimize", label=spec.name,
        scenario=scenario, write=write_optimization,
        compute=lambda store, progress: run_optimization(
            spec, replications=replications, max_replications=max_replications, seed=seed,
            executor=where, progress=progress, store=store, source=str(scenario)),
    )
    report(output, folder, written="results", text=lambda: summary_lines(result),
           payload=lambda: {"scenario": spec.name, "folder": folder, **best_summary(result)})


def summary_lines(result: OptimizationResults) -> str:
    """The best candidate with its interval, and each runner-up that cannot be ruled out."""
    level = round(100 * result.scenario.experiment.confidence)
    table = result.candidates
    best = result.best_row
    estimate = result.estimate
    chosen = int(best["replications"])
    basis = (f"{estimate.replications} fresh replications; chosen on {chosen}"
             if estimate.fresh else f"{chosen} replications")
    lines = [
        f"{result.scenario.name}: {result.objective.label} over {len(table)} candidates of "
        f"strategy {result.manifest['optimize']['strategy']!r}, "
        f"{result.manifest['optimize']['total_replications']} replications (common random "
        "numbers)",
        f"best: {best['label']}: {estimate.mean:.4g} [{estimate.ci_low:.4g}, "
        f"{estimate.ci_high:.4g}] ({level}%, {basis})",
    ]
    runner_ups = result.runner_ups
    if runner_ups.empty:
        lines.append("not ruled out: none (every other candidate is worse, paired bounds)")
    for _, row in runner_ups.iterrows():
        lines.append(
            f"not ruled out: {row['label']}: {row['mean']:.4g}; difference to the best "
            f"{row['difference']:+.4g} [{row['difference_low']:+.4g}, "
            f"{row['difference_high']:+.4g}] (paired, simultaneous)"
        )
    ruled_out = int((table["status"] == "ruled out").sum())
    if ruled_out:
        lines.append(f"ruled out: {ruled_out} candidate{'s' if ruled_out > 1 else ''}")
    return "\n".join(lines)
