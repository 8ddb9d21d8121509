"""``promise-sim fit``: fit a scenario to an order history and write it as a commented file."""

from __future__ import annotations

import re
from pathlib import Path

import click

from sim.cli.history_options import HistorySource, history_options
from sim.errors import SimError
from sim.history.fitting import fit_history

__all__ = ["fit"]


def _name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem) or "my_shop"


@click.command()
@history_options
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Scenario file to write [default: scenarios/<name>.yaml].")
@click.option("--name", help="The scenario's name [default: the scenario file's name, else the "
              "history's].")
@click.option("--force", is_flag=True, help="Replace the scenario file if it exists.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the scenario file written.")
def fit(history: HistorySource, out: Path | None, name: str | None, force: bool,
        quiet: bool) -> None:
    """Fit a world to the order history HISTORY and write it as a scenario file.

    Each fitted value is written with its standard error or interval, the period and the
    number of orders it rests on; values a history does not hold (price, costs) are marked as
    assumptions. The file is checked as `validate` checks it before it is written, and is
    written whole or not at all.

    \b
    Examples:
      promise-sim fit orders.csv -o scenarios/my_shop.yaml
      promise-sim fit data/olist --map olist -o scenarios/olist.yaml
      promise-sim fit orders.parquet --map columns.yaml --timezone Europe/Berlin --country DE
    \b
    Then check it against the history, and ask what-if:
      promise-sim backtest orders.csv scenarios/my_shop.yaml
      promise-sim run scenarios/my_shop.yaml
    """
    name = name or _name(out or history.path)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise SimError(f"--name: {name!r} must be letters, digits, '_', '.' or '-'")
    out = out or Path("scenarios") / f"{name}.yaml"
    if out.exists() and not force:
        raise SimError(f"{out}: exists (use --force to replace it)")
    result = fit_history(history.read(), name=name, source=str(history.path))
    result.write(out)
    if not quiet:
        for line in result.lines():
            click.echo(line)
    click.echo(str(out))
