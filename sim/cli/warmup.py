"""``promise-sim warmup``: suggest how many days to discard before a scenario's steady state.

Runs the scenario with no warm-up (:func:`sim.experiment.warmup.suggest_warmup`, MSER-5 on
each strategy's weekly series), prints the suggested days and writes nothing.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from sim.cli.options import (
    REPLICATIONS,
    SCENARIO,
    echo_json,
    json_option,
    seed_option,
    where_options,
)
from sim.cli.progress import replication_progress
from sim.experiment.executors import Executor
from sim.experiment.warmup import WarmupSuggestion, suggest_warmup
from sim.scenario import load_scenario

__all__ = ["warmup"]


@click.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--metric", default="satisfaction_mean", show_default=True,
              help="Weekly series MSER-5 looks at.")
@click.option("--replications", "-r", type=REPLICATIONS, help="Override the scenario's.")
@seed_option
@where_options
@click.option("--quiet", "-q", is_flag=True, help="Print only the suggested days.")
@json_option
def warmup(
    scenario: Path,
    metric: str,
    replications: int | None,
    seed: int | None,
    where: Executor,
    quiet: bool,
    as_json: bool,
) -> None:
    """Suggest a warm-up for SCENARIO: MSER-5 on each strategy's weekly series.

    Runs the scenario with no warm-up and cuts, for each strategy, the leading weeks whose
    removal most narrows the interval of the rest; suggests the longest. Writes nothing.
    \b
    Examples:
      promise-sim warmup scenarios/repeat_customers.yaml
      promise-sim warmup scenarios/repeat_customers.yaml --metric trust_mean -r 10
    """
    spec = load_scenario(scenario)
    with replication_progress(spec.name, enabled=not (quiet or as_json)) as progress:
        found = suggest_warmup(spec, metric=metric, replications=replications, seed=seed,
                               executor=where, progress=progress)
    if as_json:
        echo_json({"scenario": spec.name, **asdict(found)})
    elif quiet:
        click.echo(str(found.days))
    else:
        click.echo(_text(spec.name, found))


def _text(name: str, found: WarmupSuggestion) -> str:
    """The cut of each strategy, the suggested days, and a warning when nothing settles."""
    weeks = ", ".join(f"{strategy} {w}" for strategy, w in found.weeks_by_strategy.items())
    lines = [f"{name}: MSER-5 on weekly {found.metric} over {found.replications} "
             f"replications: cut weeks {weeks}",
             f"suggested horizon.warmup_days: {found.days} (the scenario has "
             f"{found.current_days})"]
    if found.unsettled:
        lines.append(f"warning: {', '.join(found.unsettled)}: the cut reached half the series: "
                     "no steady state within the horizon (customers still learning?); compare "
                     "over time rather than after a warm-up")
    return "\n".join(lines)
