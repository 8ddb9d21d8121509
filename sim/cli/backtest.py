"""``promise-sim backtest``: simulate a history's period and set the model beside the history."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.history_options import HistorySource, history_options
from sim.cli.options import REPLICATIONS, SCENARIO, echo_json, json_option, seed_option
from sim.history.backtesting import backtest as run_backtest
from sim.report.backtest import write_backtest
from sim.report.folder import check_writable
from sim.scenario import load_scenario

__all__ = ["backtest"]

EXIT_MISSES = 1


@click.command()
@history_options
@click.argument("scenario", type=SCENARIO)
@click.option("--strategy", help="Strategy to simulate [default: the scenario's baseline].")
@click.option("--replications", "-r", type=REPLICATIONS, default=20, show_default=True,
              help="Replications of the history's period.")
@seed_option
@click.option("--workers", "-w", type=click.IntRange(min=1),
              help="Processes [default: all cores].")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Results folder [default: results/<scenario name>-backtest].")
@click.option("--check", is_flag=True, help="Exit with status 1 when any figure misses.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the results folder.")
@json_option
def backtest(history: HistorySource, scenario: Path, strategy: str | None, replications: int,
             seed: int | None, workers: int | None, out: Path | None, check: bool,
             quiet: bool, as_json: bool) -> None:
    """Simulate the period of HISTORY under SCENARIO and set each figure beside the history's.

    Rows: delivered minus promised (quantiles, share late, shares 1, 3, 7+ days early), lead
    time quantiles, orders a day, the weekly late share and, with ratings and a stars mapping,
    mean stars by lateness. Each says "matches" or "misses" against the model's interval for
    one more replication. Writes backtest.csv, weekly.csv, gaps.csv, backtest.png and
    backtest.html.

    \b
    Examples:
      promise-sim backtest orders.csv scenarios/my_shop.yaml
      promise-sim backtest data/olist scenarios/olist.yaml --map olist -r 40 --check
    """
    spec = load_scenario(scenario)
    folder = out or Path("results") / f"{spec.name}-backtest"
    check_writable(folder, keep=[scenario])
    result = run_backtest(history.read(), spec, strategy=strategy, replications=replications,
                          seed=seed, workers=workers)
    write_backtest(result, folder, history=str(history.path), scenario_file=str(scenario))
    if as_json:
        echo_json({"folder": folder, "matches": result.matches, "rows": result.rows})
    else:
        if not quiet:
            for line in result.lines():
                click.echo(line)
        click.echo(str(folder))
    if check and not result.matches:
        click.get_current_context().exit(EXIT_MISSES)
