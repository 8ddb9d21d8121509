"""Where replications run: in this process, or over local worker processes.

Results come back keyed by replication and are put in order, so any worker count gives the
same tables.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

__all__ = ["default_workers", "map_unordered"]

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
        context.set_forkserver_preload(["sim.experiment.tasks"])
        return context
    return multiprocessing.get_context("spawn")


def map_unordered(
    function: Callable[[T], R], items: Iterable[T], *, workers: int
) -> Iterator[R]:
    """Apply ``function`` to every item, yielding results as they finish."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield function(item)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=_context()) as pool:
        futures = [pool.submit(function, item) for item in items]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
