"""Replications grouped into batches for workers: fewer, larger hand-offs when they are short.

A task sent to another process costs its pickling, a round trip through the executor and the
parent's bookkeeping (about a millisecond on a local pool, more on Dask): nothing beside a
replication of seconds, a large share of one of milliseconds. Batches are cut in decreasing
sizes (guided self-scheduling): each takes a share of what is left, so the first batches are
large (few hand-offs, at most :data:`MAX_BATCH` replications) and the last are single
replications (no worker idles while another finishes a large one). The tasks of a batch keep
the order they had, and a batch holds each scenario object once (pickle writes an object
shared by several tasks once), so nothing of the numbers depends on the cut.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from sim.experiment.executors import Executor, LocalExecutor

__all__ = [
    "BATCHES_PER_WORKER",
    "MAX_BATCH",
    "REMOTE_WORKERS",
    "batch_sizes",
    "batches",
    "executor_workers",
]

T = TypeVar("T")

#: Each batch takes at most this fraction of a worker's share of what is left: the largest
#: batch is ``1 / (BATCHES_PER_WORKER * workers)`` of the run, and a run has at least about
#: ``BATCHES_PER_WORKER * workers`` batches (none when replications are fewer).
BATCHES_PER_WORKER = 4
#: The most replications in one batch: what a worker is left to finish, and what a hard kill
#: loses from a result store, when a run stops.
MAX_BATCH = 16
#: Workers assumed of an executor that does not say how many it has (a Dask cluster): more
#: than most have, so its batches are, if anything, smaller than they could be.
REMOTE_WORKERS = 8


def executor_workers(executor: Executor) -> int:
    """How many tasks ``executor`` runs at once: a local executor's workers, else a guess."""
    if isinstance(executor, LocalExecutor):
        return executor.workers
    workers = getattr(executor, "workers", None)
    return workers if isinstance(workers, int) and workers >= 1 else REMOTE_WORKERS


def batch_sizes(tasks: int, workers: int) -> list[int]:
    """Sizes of the batches of ``tasks`` tasks over ``workers`` workers, largest first.

    One worker runs in this process, with nothing to hand off: every batch is one task, so
    progress and a store follow every replication.
    """
    if workers <= 1:
        return [1] * tasks
    sizes = []
    left = tasks
    while left:
        size = min(MAX_BATCH, max(1, math.ceil(left / (BATCHES_PER_WORKER * workers))))
        sizes.append(size)
        left -= size
    return sizes


def batches(tasks: Sequence[T], workers: int) -> list[tuple[T, ...]]:
    """``tasks`` cut, in order, into the batches of :func:`batch_sizes`."""
    cut = []
    start = 0
    for size in batch_sizes(len(tasks), workers):
        cut.append(tuple(tasks[start:start + size]))
        start += size
    return cut
