"""Where replications run: in this process, over local worker processes, or on a Dask cluster.

Every task carries its own seed and results come back keyed by replication and are put in
order, so any executor and any worker count give the same tables. An executor is anything with
``map_unordered(function, items)`` yielding results as they finish.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.forkserver
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from typing import Any, Protocol, TypeVar

from sim.errors import ExperimentError

__all__ = [
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "default_workers",
    "make_executor",
    "map_unordered",
    "start_workers",
]

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    """Forkserver where possible; fork when ``__main__`` could not be re-imported (stdin)."""
    methods = multiprocessing.get_all_start_methods()
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file is not None and not os.path.exists(main_file) and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sim.experiment.tasks", "sim.experiment.warm"])
        return context
    return multiprocessing.get_context("spawn")


@contextmanager
def _main_not_rerun(context: multiprocessing.context.BaseContext) -> Iterator[None]:
    """Workers start without running the user's script again.

    A new worker process normally imports ``__main__`` again (to find what the script
    defined), which runs a script without an ``if __name__ == "__main__":`` guard once more,
    and that fails. Tasks here carry only promise-sim's own objects (strategies are imported
    by path), so the workers need nothing from the script: naming the main module
    ``__main__`` while the workers start tells multiprocessing to skip it.
    """
    main = sys.modules.get("__main__")
    if context.get_start_method() == "fork" or main is None:
        yield
        return
    saved = getattr(main, "__spec__", None)
    main.__spec__ = ModuleSpec("__main__", None)
    try:
        yield
    finally:
        main.__spec__ = saved


def start_workers() -> None:
    """Start, in the background, the server that local worker processes fork from.

    The server imports the simulation and loads its kernels once; a command that will run on
    local workers starts it first, so that this happens while the command reads its scenarios.
    """
    context = _context()
    if context.get_start_method() == "forkserver":
        with _main_not_rerun(context):
            multiprocessing.forkserver.ensure_running()


#: Worker pools kept between calls, by size and start method: a run, a sweep's next look or a
#: notebook's next cell starts on warm workers instead of paying a pool's start-up again.
_POOLS: dict[tuple, ProcessPoolExecutor] = {}


def _pool(workers: int, context: multiprocessing.context.BaseContext) -> ProcessPoolExecutor:
    """The kept pool of ``workers`` processes started by ``context`` (made if there is none).

    Workers import what the tasks need from the import path and folder they started with, so
    a pool is kept only for the same ``sys.path`` and working folder.
    """
    key = (workers, context.get_start_method(), os.getcwd(), tuple(sys.path))
    if key not in _POOLS:
        _POOLS[key] = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    return _POOLS[key]


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: queued tasks cancelled, its workers ended mid-task (a failed or
    interrupted run wants none of their results, and a batch of replications could keep
    them, and the exit of this process, busy for a while).
    """
    for worker in list((getattr(pool, "_processes", None) or {}).values()):
        worker.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _discard(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` (see :func:`_stop`) and forget it."""
    for key in [k for k, kept in _POOLS.items() if kept is pool]:
        del _POOLS[key]
    _stop(pool)


@atexit.register
def _close_pools() -> None:
    for pool in list(_POOLS.values()):
        _discard(pool)


def map_unordered(
    function: Callable[[T], R], items: Iterable[T], *, workers: int, keep: bool = False
) -> Iterator[R]:
    """Apply ``function`` to every item, yielding results as they finish.

    With ``keep``, the worker processes are kept for the next call (only when the tasks need
    no code of the user's, which a kept worker would not see change). A call that fails or is
    interrupted stops its pool and its workers, and a kept pool whose worker died is replaced.
    """
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield function(item)
        return
    context = _context()
    if not keep:
        with ProcessPoolExecutor(max_workers=min(workers, len(items)),
                                 mp_context=context) as pool, _main_not_rerun(context):
            futures = [pool.submit(function, item) for item in items]
            try:
                for future in as_completed(futures):
                    yield future.result()
            except BaseException:
                _stop(pool)
                raise
        return
    pool = _pool(workers, context)
    with _main_not_rerun(context):
        try:
            futures = [pool.submit(function, item) for item in items]
        except BrokenProcessPool:
            _discard(pool)
            pool = _pool(workers, context)
            futures = [pool.submit(function, item) for item in items]
    try:
        for future in as_completed(futures):
            yield future.result()
    except BaseException:
        _discard(pool)
        raise


class Executor(Protocol):
    """Runs a function over items somewhere, yielding results as they finish."""

    def map_unordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Apply ``function`` to every item."""
        ...


@dataclass(frozen=True, slots=True)
class LocalExecutor:
    """Worker processes on this machine (one: in this process).

    With ``keep``, the processes stay up for the next run with the same number of workers.
    """

    workers: int
    keep: bool = False

    def map_unordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Apply ``function`` to every item over the local workers."""
        return map_unordered(function, items, workers=self.workers, keep=self.keep)


@dataclass(frozen=True)
class DaskExecutor:
    """An existing Dask distributed cluster, by scheduler address or a ``Client``.

    Tasks are submitted as impure (each replication runs, even if equal to another). A task
    whose worker dies is moved to another worker by the scheduler (up to its
    ``allowed-failures``); a task that raises is run again up to ``retries`` times. The
    numbers cannot change either way, since each task carries its own seed.
    """

    scheduler: Any
    retries: int = 2
    connect_timeout: str = "10s"

    def map_unordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Apply ``function`` to every item on the cluster."""
        try:
            from distributed import Client, as_completed
        except ImportError:  # pragma: no cover - depends on the installation
            raise ExperimentError(
                "the Dask executor needs the 'distributed' package: "
                "pip install 'promise-sim[dask]'"
            ) from None
        own = not isinstance(self.scheduler, Client)
        try:
            client = Client(self.scheduler, timeout=self.connect_timeout) if own else self.scheduler
        except (OSError, ValueError) as exc:  # unreachable or malformed
            raise ExperimentError(
                f"cannot reach the Dask scheduler at {self.scheduler!r}: {exc}"
            ) from None
        try:
            futures = client.map(function, list(items), pure=False, retries=self.retries)
            try:
                for future in as_completed(futures):
                    yield future.result()
            except BaseException:
                client.cancel(futures)
                raise
        finally:
            if own:
                client.close()


def make_executor(
    kind: str = "local", *, workers: int | None = None, scheduler: Any = None
) -> Executor:
    """The executor ``kind`` ('local' or 'dask') with its settings."""
    if kind == "local":
        if scheduler is not None:
            raise ExperimentError("'scheduler' is for the dask executor, not the local one")
        return LocalExecutor(default_workers() if workers is None else workers)
    if kind == "dask":
        if scheduler is None:
            raise ExperimentError("the dask executor needs a scheduler address (--scheduler)")
        return DaskExecutor(scheduler)
    raise ExperimentError(f"unknown executor {kind!r} (one of local, dask)")
