"""The analyst's door: the ``promise-sim`` command group, its entry point and its errors.

Each command lives in its own module (``sim/cli/<command>.py``): it parses its options, makes
one library call and prints. A command's module is imported only when that command runs (or
when ``--help`` lists them all), so a command starts without the layers of the others. Here
every :class:`SimError` (and every usage error) becomes one
line on stderr and exit status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from sim.errors import SimError

__all__ = ["cli", "main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

#: The module defining each command (a function of the command's name).
COMMAND_MODULES = {
    "run": "sim.cli.run",
    "seeds": "sim.cli.seeds",
    "warmup": "sim.cli.warmup",
    "validate": "sim.cli.validate",
    "rerun": "sim.cli.rerun",
    "schema": "sim.cli.schema",
    "sweep": "sim.cli.sweep",
    "optimize": "sim.cli.optimize",
    "sensitivity": "sim.cli.sensitivity",
    "report": "sim.cli.report",
    "compare": "sim.cli.report",
    "fit": "sim.cli.fit",
    "backtest": "sim.cli.backtest",
}


class _CommandsOnDemand(click.Group):
    """A command group importing each command's module (the command of its name) when the
    command is first asked for.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            self.add_command(getattr(importlib.import_module(COMMAND_MODULES[cmd_name]),
                                     cmd_name))
        return self.commands.get(cmd_name)


@click.group(cls=_CommandsOnDemand, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="promise-sim")
def cli() -> None:
    """What delivery time should we promise? Run promise strategies through the same world.

    \b
    Examples:
      promise-sim run scenarios/zappos_vs_competitor.yaml
      promise-sim validate scenarios/zappos_vs_competitor.yaml
      promise-sim report results/zappos_vs_competitor
      promise-sim sweep scenarios/headline_buffer_sweep.yaml
      promise-sim optimize scenarios/optimize_promise.yaml
      promise-sim sensitivity scenarios/seeds_sensitivity.yaml
      promise-sim warmup scenarios/repeat_customers.yaml
      promise-sim seeds
      promise-sim fit orders.csv -o scenarios/my_shop.yaml
      promise-sim backtest orders.csv scenarios/my_shop.yaml
      promise-sim schema > scenario.schema.json

    \b
    Exit status:
      0    done
      1    rerun: the numbers differ from the manifest's; backtest --check: a figure misses
      2    bad input: one line on stderr names the file, the key and what is wrong
      130  interrupted (Ctrl-C, SIGTERM): finished replications are kept; the same
           command computes only the missing ones
    """


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a run as Ctrl-C does: workers stop, kept replications stay kept."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning user errors into one line and exit status 2."""
    with _terminate_as_interrupt(), _current_folder_importable():
        return _main(argv)


@contextmanager
def _current_folder_importable() -> Iterator[None]:
    """Custom strategies in the current folder import, as under ``python -m sim``.

    The folder goes last on the import path, so a file there never hides an installed module.
    """
    here = os.getcwd()
    if here in sys.path or "" in sys.path:
        yield
        return
    sys.path.append(here)
    try:
        yield
    finally:
        if here in sys.path:
            sys.path.remove(here)


def _main(argv: list[str] | None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        return _bad_input(f"no command given (one of {', '.join(sorted(COMMAND_MODULES))}; "
                          "promise-sim --help says more)")
    try:
        code = cli.main(args=argv, prog_name="promise-sim", standalone_mode=False)
    except SimError as exc:
        return _bad_input(str(exc))
    except click.exceptions.Abort:
        click.echo("promise-sim: interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        return _bad_input(exc.format_message())
    return code if isinstance(code, int) else EXIT_OK


def _bad_input(message: str) -> int:
    """Print ``message`` as the one line of a user error (any line breaks in it joined)."""
    line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    click.echo(f"promise-sim: error: {line}", err=True)
    return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
