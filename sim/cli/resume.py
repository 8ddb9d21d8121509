"""Resuming a command: where its finished replications are kept until its output is whole."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.experiment import DiskStore

__all__ = ["parts_folder", "resumable"]


def parts_folder(out: Path) -> Path:
    """The hidden folder beside ``out`` that keeps the replications of its unfinished run."""
    return out.parent / f".{out.name}.parts"


@contextmanager
def resumable(out: Path, *, fresh: bool = False) -> Iterator[DiskStore]:
    """A store for the run that writes ``out``, removed once the block (and ``out``) is done.

    Interrupted, the store stays (unless nothing was kept), and the same command started
    again computes only what is missing. Parts made by other code are cleared; with
    ``fresh`` all parts are.
    """
    folder = parts_folder(out)
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    store = DiskStore(folder, stale="clear")
    try:
        yield store
    except BaseException:
        if not store.holds_any():
            store.clear()
        raise
    store.clear()
