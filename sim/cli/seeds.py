"""``promise-sim seeds``: judge the seeds' claims, each from its own claim scenario.

Runs every claim scenario, writes the verdict table and each scenario's results folder, and
prints one line per claim: the difference it rests on, its interval and the verdict.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from sim.cli.options import REPLICATIONS, SCENARIO, Output, json_option, where_options
from sim.cli.progress import replication_progress
from sim.cli.study import report
from sim.errors import ScenarioError
from sim.experiment import run_points
from sim.experiment.executors import Executor, LocalExecutor
from sim.experiment.verdict import Verdict, judge_claim
from sim.report import check_writable, write_verdicts
from sim.scenario import load_scenario

__all__ = ["SEED_SCENARIOS", "seeds", "verdict_line"]

#: Where ``promise-sim seeds`` finds the claim scenarios when none are named.
SEED_SCENARIOS = Path("scenarios") / "seeds"


@click.command()
@click.argument("scenarios", nargs=-1, type=SCENARIO)
@click.option("--replications", "-r", type=REPLICATIONS,
              help="Override every scenario's.")
@where_options
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("results") / "seeds", show_default=True, help="Verdicts folder.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdicts folder.")
@json_option
def seeds(
    scenarios: tuple[Path, ...],
    replications: int | None,
    where: Executor,
    out: Path,
    quiet: bool,
    as_json: bool,
) -> None:
    """Judge the seeds' claims: run each claim scenario and write the verdict table.

    SCENARIOS default to every file in scenarios/seeds/. Each must have a 'claim' section.
    Writes verdict.csv, verdict.md, over_time.png and one results folder per scenario, all
    at once when every run has finished. Every scenario's replications go to the workers as
    one batch; each scenario keeps its own seed and replications, so the numbers are those of
    running it alone.
    \b
    Example:
      promise-sim seeds
      promise-sim seeds scenarios/seeds/01_wow_of_over_delivery.yaml -r 10
    """
    paths = list(scenarios) or sorted(SEED_SCENARIOS.glob("*.yaml"))
    if not paths:
        raise click.UsageError(f"no scenarios given and none in {SEED_SCENARIOS}/")
    specs = [load_scenario(path) for path in paths]
    for path, spec in zip(paths, specs):
        if spec.claim is None:
            raise ScenarioError(f"{path}: claim: missing (a scenario judged by 'seeds' needs one)")
    output = Output(out, quiet=quiet, as_json=as_json)
    check_writable(out, keep=paths)
    if isinstance(where, LocalExecutor):
        # one command, so no code can change under a kept worker: the figures are drawn by
        # the processes that ran the replications, without starting new ones
        where = replace(where, keep=True)
    # one batch of every scenario's replications: no worker waits at the end of a scenario
    with replication_progress(f"{len(specs)} claims", enabled=not output.silent) as progress:
        results = run_points(specs, replications=replications, executor=where,
                             progress=progress)
    folder = write_verdicts(results, out, executor=where)
    verdicts = [judge_claim(r) for r in results]
    report(output, folder, written="verdicts",
           text=lambda: "\n".join(verdict_line(v) for v in verdicts),
           payload=lambda: {"folder": folder, "verdicts": [v.as_row() for v in verdicts]})


def verdict_line(verdict: Verdict) -> str:
    """One line: scenario, the difference with its interval, and the verdict."""
    level = round(100 * verdict.confidence)
    return (
        f"{verdict.scenario}: {verdict.metric} {verdict.higher} - {verdict.lower} = "
        f"{verdict.difference:+.4g} [{verdict.ci_low:+.4g}, {verdict.ci_high:+.4g}] ({level}%)"
        f" -> claim {verdict.verdict}"
    )
