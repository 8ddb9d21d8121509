"""The skeleton of a command that writes a results folder, and of how it reports.

Every such command (run, sweep, optimize, sensitivity) loads its scenario, checks it, then
runs in a resumable session that keeps finished replications beside the folder, writes the
folder all at once, and prints the outcome as JSON, as the folder alone (``--quiet``) or as
text. Only the computation, the writer and the words differ.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sim.cli.options import Output, echo_json
from sim.cli.resume import resumable_run
from sim.experiment import DiskStore

__all__ = ["report", "write_study"]

T = TypeVar("T")

#: ``compute(store, progress)``: the study's result, replications kept in ``store``.
Compute = Callable[[DiskStore, Callable[[int, int], None]], T]


def write_study(
    output: Output,
    *,
    default: Path,
    label: str,
    scenario: Path,
    compute: Compute[T],
    write: Callable[[T, Path], Path],
) -> tuple[T, Path]:
    """Compute the study resumably and write its folder; the result and the folder written.

    The folder (``--out``, else ``default``) is checked before anything runs: writable, and
    replaceable without taking the ``scenario`` file or anything that is not a result.
    """
    target = output.folder(default)
    session = resumable_run(target, label=label, fresh=output.fresh, quiet=output.silent,
                            keep=[scenario])
    with session as (store, progress):
        result = compute(store, progress)
        folder = write(result, target)
    return result, folder


def report(
    output: Output,
    folder: Path,
    *,
    payload: Callable[[], dict[str, Any]],
    text: Callable[[], str],
    written: str,
) -> None:
    """Print the outcome: ``payload()`` as JSON, the folder alone, or ``text()`` and where
    the ``written`` things went.
    """
    if output.as_json:
        echo_json(payload())
        return
    if output.quiet:
        click.echo(str(folder))
        return
    click.echo(text())
    click.echo(f"\n{written} written to {folder}/")
