"""Batches of replications for workers: every task once, in order, large first, single last."""

import pytest

from sim.experiment import DaskExecutor, LocalExecutor
from sim.experiment.batching import (
    BATCHES_PER_WORKER,
    MAX_BATCH,
    REMOTE_WORKERS,
    batch_sizes,
    batches,
    executor_workers,
)


@pytest.mark.parametrize("tasks", [0, 1, 2, 7, 8, 9, 20, 300, 1001])
@pytest.mark.parametrize("workers", [2, 3, 8])
def test_batch_sizes_cover_every_task_largest_first_and_end_single(tasks, workers):
    sizes = batch_sizes(tasks, workers)
    assert sum(sizes) == tasks
    assert all(s >= 1 for s in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert max(sizes, default=1) <= MAX_BATCH
    single = min(tasks, BATCHES_PER_WORKER * workers - 1)  # no worker waits on a long batch
    assert sizes[len(sizes) - single:] == [1] * single


def test_batch_sizes_leave_few_replications_one_a_task():
    assert batch_sizes(8, 2) == [1] * 8  # the headline's big runs hand off as before


def test_batch_sizes_cut_many_replications_into_few_batches():
    sizes = batch_sizes(300, 2)
    assert sizes[0] == MAX_BATCH  # an eighth of the run is more
    assert len(sizes) < 300 / 5
    assert batch_sizes(80, 2)[0] == 10  # an eighth of the run


def test_batch_sizes_of_one_worker_are_single_replications():
    assert batch_sizes(50, 1) == [1] * 50


def test_batches_keep_the_tasks_in_order():
    tasks = list(range(157))
    cut = batches(tasks, 2)
    assert [t for batch in cut for t in batch] == tasks
    assert all(isinstance(batch, tuple) for batch in cut)


def test_executor_workers_of_local_dask_and_unknown_executors():
    class Elsewhere:
        def map_unordered(self, function, items):
            return map(function, items)

    assert executor_workers(LocalExecutor(3)) == 3
    assert executor_workers(DaskExecutor("tcp://127.0.0.1:8786")) == REMOTE_WORKERS
    assert executor_workers(Elsewhere()) == REMOTE_WORKERS
