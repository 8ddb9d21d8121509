"""Resuming a command: where its finished replications are kept until its output is whole."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sim.cli.progress import replication_progress
from sim.experiment import DiskStore
from sim.report import check_writable

__all__ = ["parts_folder", "resumable", "resumable_run"]


def parts_folder(out: Path) -> Path:
    """The hidden folder beside ``out`` that keeps the replications of its unfinished run."""
    return out.parent / f".{out.name}.parts"


@contextmanager
def resumable(out: Path, *, fresh: bool = False) -> Iterator[DiskStore]:
    """A store for the run that writes ``out``, removed once the block (and ``out``) is done.

    Interrupted, the store stays, and the same command started again computes only what is
    missing; a store that kept nothing goes, with the folders made for it. Parts made by other
    code are cleared; with ``fresh`` all parts are.
    """
    folder = parts_folder(out)
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    made = [p for p in [folder.parent, *folder.parent.parents] if not p.exists()]
    store = DiskStore(folder, stale="clear")
    try:
        yield store
    except BaseException:
        if not store.holds_any():
            store.clear()
            _remove_empty(made)
        raise
    store.clear()


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders made for a store that kept nothing, innermost first, while empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@contextmanager
def resumable_run(
    out: Path, *, label: str, fresh: bool = False, quiet: bool = False,
    keep: Sequence[Path] = (),
) -> Iterator[tuple[DiskStore, Callable[[int, int], None]]]:
    """What a command that writes ``out`` runs in: ``out`` checked writable and replaceable
    first (it must not hold a path of ``keep``), a store that makes the run resumable, and a
    progress bar (none when ``quiet``).
    """
    check_writable(out, keep=keep)
    with resumable(out, fresh=fresh) as store, \
            replication_progress(label, enabled=not quiet) as progress:
        yield store, progress
