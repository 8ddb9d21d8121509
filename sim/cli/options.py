"""Options every command that runs replications shares: how many, from which seed, where they
run, where the results go and how the outcome is printed.

``where_options`` hands the command one executor (``where``) and ``output_options`` one
:class:`Output`, so a command's signature holds only what is its own.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pandas as pd

from sim.experiment import LocalExecutor, make_executor
from sim.experiment.executors import start_workers
from sim.experiment.manifest import json_value
from sim.scenario.limits import check_replications

__all__ = [
    "REPLICATIONS",
    "SCENARIO",
    "SEED",
    "Output",
    "echo_json",
    "json_option",
    "output_options",
    "resume_option",
    "seed_option",
    "study_options",
    "where_options",
]

#: A scenario file argument (a directory is refused by click, one line).
SCENARIO = click.Path(dir_okay=False, path_type=Path)


class _Seed(click.IntRange):
    """A root seed: what a scenario's 'experiment.seed' accepts, from 0 to 2^63 - 1."""

    def __init__(self) -> None:
        super().__init__(min=0)

    def convert(self, value, param, ctx):
        seed = super().convert(value, param, ctx)
        if seed >= 2**63:
            self.fail(f"must be < 2^63 (a root seed is a 64-bit integer), got {seed}", param, ctx)
        return seed


#: A seed option's type.
SEED = _Seed()

#: --seed: the root seed instead of the scenario's.
seed_option = click.option("--seed", "-s", type=SEED, help="Override the root seed.")


class _Replications(click.IntRange):
    """A number of replications: at least 2, at most what a scenario accepts, saying why."""

    def __init__(self) -> None:
        super().__init__(min=2)

    def convert(self, value, param, ctx):
        n = super().convert(value, param, ctx)
        try:
            return check_replications(n)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


#: A replications option's type (the scenario's limit, with its reason, on the command line).
REPLICATIONS = _Replications()


def resume_option(command):
    """--fresh: ignore replications kept from an interrupted run of the same command."""
    return click.option(
        "--fresh", is_flag=True,
        help="Start afresh, ignoring replications kept from an interrupted run.",
    )(command)


def where_options(command):
    """--workers, --executor, --scheduler: where replications run, passed on as ``where``."""

    @functools.wraps(command)
    def with_executor(*args: Any, workers: int | None, executor: str, scheduler: str | None,
                      **kwargs: Any) -> Any:
        where = make_executor(executor, workers=workers, scheduler=scheduler)
        if isinstance(where, LocalExecutor) and where.workers > 1:
            start_workers()  # the workers' server starts up while the command reads its input
        return command(*args, where=where, **kwargs)

    options = [
        click.option("--workers", "-w", type=click.IntRange(min=1),
                     help="Processes [default: all cores]."),
        click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
                     show_default=True, help="Where replications run."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor "
                     "dask)."),
    ]
    for option in reversed(options):
        with_executor = option(with_executor)
    return with_executor


def study_options(replications_help: str = "Override the scenario's."):
    """SCENARIO, --replications, --seed and where the replications run: how every command that
    runs a scenario's replications starts (``replications_help`` says what -r overrides).
    """

    def decorate(command):
        command = where_options(command)
        for option in (seed_option,
                       click.option("--replications", "-r", type=REPLICATIONS,
                                    help=replications_help),
                       click.argument("scenario", type=SCENARIO)):
            command = option(command)
        return command

    return decorate


def json_option(command):
    """--json: print the outcome as one JSON object on stdout, for scripts (and nothing else)."""
    return click.option(
        "--json", "as_json", is_flag=True,
        help="Print the outcome as one JSON object (for scripts); no progress bar.",
    )(command)


def echo_json(payload: dict[str, Any]) -> None:
    """Print ``payload`` as JSON: tables as lists of rows, NaN as null, paths as text."""
    click.echo(json.dumps(_plain(payload), indent=2, allow_nan=False))


def _plain(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return [_plain(row) for row in value.to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return json_value(value)


@dataclass(frozen=True, slots=True)
class Output:
    """Where a command writes (``--out``, else its default) and how it reports the outcome."""

    out: Path | None = None
    fresh: bool = False
    quiet: bool = False
    as_json: bool = False

    @property
    def silent(self) -> bool:
        """No progress bar: only the folder, or the JSON, is printed."""
        return self.quiet or self.as_json

    def folder(self, default: Path) -> Path:
        """The folder written: ``--out``, else ``default``."""
        return default if self.out is None else self.out


def output_options(default: str):
    """--out, --fresh, --quiet and --json, passed on as one :class:`Output` (``output``)."""

    def decorate(command):
        @functools.wraps(command)
        def with_output(*args: Any, out: Path | None, fresh: bool, quiet: bool, as_json: bool,
                        **kwargs: Any) -> Any:
            output = Output(out, fresh=fresh, quiet=quiet, as_json=as_json)
            return command(*args, output=output, **kwargs)

        options = [
            click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
                         help=f"Results folder [default: {default}]."),
            resume_option,
            click.option("--quiet", "-q", is_flag=True, help="Print only the results folder."),
            json_option,
        ]
        for option in reversed(options):
            with_output = option(with_output)
        return with_output

    return decorate
