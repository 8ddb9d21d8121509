"""``promise-sim run``: every strategy of a scenario through the same world, into a results folder.

Parses options, makes one library call (:func:`sim.experiment.run`) in the shared study
skeleton, writes the folder and prints the key metrics, the paired differences to the
baseline, the precision reached and the claim's verdict.
"""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import REPLICATIONS, Output, output_options, study_options
from sim.cli.seeds import verdict_line
from sim.cli.study import report, write_study
from sim.errors import ExperimentError
from sim.experiment import Precision, Results
from sim.experiment import run as run_experiment
from sim.experiment.executors import Executor
from sim.experiment.verdict import judge_claim
from sim.report import write_results
from sim.scenario import load_scenario

__all__ = ["headline", "run"]


@click.command()
@study_options("Override the scenario's.")
@click.option("--order-records", type=click.Path(path_type=Path), metavar="PATH",
              help="Write every order's record to PATH/strategy=<name>/replication=<r>.parquet "
              "[default: the scenario's; off].")
@click.option("--precision", type=click.FloatRange(min=0, min_open=True), metavar="HALF_WIDTH",
              help="Add replications until the interval of --metric is this narrow (in the "
              "metric's units).")
@click.option("--metric", default="satisfaction_mean", show_default=True,
              help="Metric --precision is about (a unique prefix will do: 'satisfaction').")
@click.option("--paired", is_flag=True,
              help="--precision is about the paired differences to the baseline.")
@click.option("--max-replications", type=REPLICATIONS, default=1000,
              show_default=True, help="At most this many replications with --precision.")
@output_options("results/<scenario name>")
def run(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    where: Executor,
    order_records: Path | None,
    precision: float | None,
    metric: str,
    paired: bool,
    max_replications: int,
    output: Output,
) -> None:
    """Run every strategy of SCENARIO and write its results folder.

    \b
    Writes replications.parquet, summary.csv, differences.csv, manifest.json and
    comparison.png, all at once when the run has finished. Each replication is kept in
    .<folder>.parts beside the results folder as it finishes: a run that is interrupted and
    started again with the same command computes only the missing ones. With
    --order-records, every order's record is written to its own folder as the run goes (one
    Parquet file per strategy and replication, replacing those of an earlier run with the
    same names).
    \b
    Examples:
      promise-sim run scenarios/zappos_vs_competitor.yaml -r 40 -w 2 -o results/zappos
      promise-sim run scenarios/zappos_vs_competitor.yaml --precision 0.01 --metric satisfaction
      promise-sim run scenarios/zappos_vs_competitor.yaml --executor dask \\
          --scheduler tcp://10.0.0.5:8786
      promise-sim run scenarios/zappos_vs_competitor.yaml -r 4 --order-records orders/zappos
    """
    spec = load_scenario(scenario)
    default = Path("results") / spec.name
    records = order_records if order_records is not None else spec.experiment.order_records
    if records is not None:
        _check_separate(Path(records), output.folder(default))
    goal = None
    if precision is not None:
        goal = Precision(precision, metric=metric, paired=paired,
                         max_replications=max_replications)
    results, folder = write_study(
        output, default=default, label=spec.name, scenario=scenario, write=write_results,
        compute=lambda store, progress: run_experiment(
            spec, replications=replications, seed=seed, executor=where, progress=progress,
            order_records=records, store=store, precision=goal),
    )
    report(output, folder, written="results", text=lambda: _text(results),
           payload=lambda: _payload(results, folder))


def _payload(results: Results, folder: Path) -> dict:
    """The run's outcome for ``--json``."""
    verdict = judge_claim(results) if results.scenario.claim is not None else None
    return {"scenario": results.scenario.name, "folder": folder,
            "replications": results.manifest["replications"],
            "seed": results.manifest["seed"], "summary": results.summary,
            "differences": results.differences,
            "verdict": None if verdict is None else verdict.as_row(),
            "precision": results.manifest.get("precision")}


def _text(results: Results) -> str:
    """The headline, then the precision reached and the claim's verdict, when asked for."""
    lines = [headline(results)]
    if "precision" in results.manifest:
        lines.append(_precision_line(results.manifest["precision"]))
    if results.scenario.claim is not None:
        lines.append(verdict_line(judge_claim(results)))
    return "\n".join(lines)


def _precision_line(report: dict) -> str:
    """How many replications the precision took, and whether it was reached."""
    what = f"paired {report['metric']}" if report["paired"] else report["metric"]
    if report["reached"]:
        return (f"precision: {what} half-width {report['half_width']:.4g} <= "
                f"{report['target_half_width']:.4g} after {report['replications']} replications")
    return (f"precision: NOT reached: {what} half-width {report['half_width']:.4g} > "
            f"{report['target_half_width']:.4g} at the maximum of {report['replications']} "
            "replications (raise --max-replications)")


def _check_separate(records: Path, results: Path) -> None:
    """Refuse an order records folder that is, holds or lies in the results folder.

    The results folder is replaced whole when a run finishes, records and all.
    """
    a, b = records.absolute(), results.absolute()
    if a == b or a in b.parents or b in a.parents:
        raise ExperimentError(
            f"{records}: the order records folder and the results folder {results} must be "
            "separate (the results folder is replaced whole)"
        )


def headline(results: Results) -> str:
    """The key metrics of each strategy, and each one's paired difference to the baseline."""
    summary = results.summary.set_index(["strategy", "metric"])
    level = round(100 * results.manifest["confidence"])
    lines = [
        f"{results.scenario.name}: {results.manifest['replications']} replications, "
        f"means with {level}% confidence intervals",
        f"{'strategy':<26}{'kept':>8}{'satisfaction':>22}{'delighted':>11}"
        f"{'disappointed':>14}{'profit/order':>14}",
    ]
    for strategy in dict.fromkeys(results.summary["strategy"]):
        def value(metric: str, strategy: str = strategy) -> float:
            return float(summary.loc[(strategy, metric), "mean"])

        low = summary.loc[(strategy, "satisfaction_mean"), "ci_low"]
        high = summary.loc[(strategy, "satisfaction_mean"), "ci_high"]
        sat = f"{value('satisfaction_mean'):.3f} [{low:.3f}, {high:.3f}]"
        lines.append(
            f"{strategy:<26}{value('promise_kept'):>8.1%}{sat:>22}"
            f"{value('delighted_share'):>11.1%}{value('disappointed_share'):>14.1%}"
            f"{value('profit_per_order'):>14.2f}"
        )
    sat = results.differences[results.differences["metric"] == "satisfaction_mean"]
    for row in sat.itertuples():
        lines.append(
            f"satisfaction {row.strategy} - {row.baseline}: {row.mean_difference:+.3f} "
            f"[{row.ci_low:+.3f}, {row.ci_high:+.3f}] (paired)"
        )
    return "\n".join(lines)
