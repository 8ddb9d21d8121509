"""``promise-sim sensitivity``: which assumption decides the outcome of a scenario.

Parses options, checks the block against the scenario before anything runs, makes one library
call (:func:`sim.experiment.sensitivity.sensitivity`), writes the folder and prints the
parameters ranked.
"""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import Output, output_options, study_options
from sim.cli.study import report, write_study
from sim.experiment.executors import Executor
from sim.experiment.sensitivity import INDEX_COLUMNS, SensitivityResults, study_base
from sim.experiment.sensitivity import sensitivity as run_sensitivity
from sim.report.sensitivity import write_sensitivity
from sim.scenario import load_scenario

__all__ = ["ranked_text", "sensitivity"]


@click.command()
@study_options("Replications at every point [default: the sensitivity block's, else the "
               "experiment's].")
@output_options("results/<scenario name>-sensitivity")
def sensitivity(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    where: Executor,
    output: Output,
) -> None:
    """Rank the uncertain parameters of SCENARIO's 'sensitivity:' block by influence.

    \b
    Runs the scenario at every point of a Sobol or Morris design over the parameters'
    ranges (common random numbers: every point meets the same luck) and writes
    indices.csv (ranked), samples.parquet (every point and its outcome), manifest.json
    and sensitivity.png, all at once when the study has finished. Each replication is kept
    in .<folder>.parts beside the folder as it finishes: a study that is interrupted and
    started again with the same command computes only what is missing.
    \b
    Examples:
      promise-sim sensitivity scenarios/seeds_sensitivity.yaml
      promise-sim sensitivity scenarios/seeds_sensitivity.yaml -r 6 -w 2 --fresh
    \b
    A sensitivity block, in the scenario file:
      sensitivity:
        method: morris                 # or sobol (samples a power of 2)
        samples: 10                    # Morris trajectories, or Sobol's base sample N
        replications: 4                # at every point
        outcome: {metric: profit_total, difference: [control_and_window, zappos_buffer]}
        parameters:
          - {path: customers.learning_rate, low: 0.05, high: 0.8, label: learning rate}
          - {path: satisfaction.loss_aversion, low: 1.0, high: 3.5}
    """
    spec = load_scenario(scenario)
    study_base(spec, source=str(scenario))
    result, folder = write_study(
        output, default=Path("results") / f"{spec.name}-sensitivity", label=spec.name,
        scenario=scenario, write=write_sensitivity,
        compute=lambda store, progress: run_sensitivity(
            spec, replications=replications, seed=seed, executor=where, progress=progress,
            store=store, source=str(scenario)),
    )
    report(output, folder, written="sensitivity", text=lambda: ranked_text(result),
           payload=lambda: {"scenario": spec.name, "folder": folder, "method": result.method,
                            "indices": result.indices})


def ranked_text(result: SensitivityResults) -> str:
    """The study in a few lines: the outcome, the noise, and the parameters ranked."""
    info = result.manifest["sensitivity"]
    level = round(100 * result.manifest["confidence"])
    lines = [
        f"{result.scenario.name}: {result.method}, {info['design_points']} points x "
        f"{info['replications_per_point']} replications, common random numbers",
        f"outcome: {info['outcome']}: mean {info['outcome_mean']:+.4g}, from "
        f"{info['outcome_min']:+.4g} to {info['outcome_max']:+.4g}, above zero at "
        f"{info['share_above_zero']:.0%} of points",
    ]
    if info["noise_share"] is None:
        lines.append("the outcome was the same at every point: no parameter moves it")
    else:
        lines.append(f"simulation noise: {info['noise_share']:.2%} of the outcome's variance "
                     f"({info['noise_share_independent']:.1%} without common random numbers)")
    columns = INDEX_COLUMNS[result.method]
    width = max(len("parameter"), *(len(p) for p in result.indices["parameter"])) + 2
    header = "".join(f"{c if not c.endswith('_conf') else f'+-{level}%':>12}" for c in columns)
    lines.append(f"{'rank':>4}  {'parameter':<{width}}{header}")
    for row in result.indices.to_dict("records"):
        numbers = "".join(f"{row[c]:>12.4g}" for c in columns)
        lines.append(f"{row['rank']:>4}  {row['parameter']:<{width}}{numbers}")
    return "\n".join(lines)
