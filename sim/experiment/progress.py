"""Progress of a run for people: ``progress=True`` draws a bar that works in a terminal and in
Jupyter (tqdm.auto); a function is called as ``progress(done, total)``; None is silent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Progress", "progress_callback"]

Progress = bool | Callable[[int, int], None] | None


@contextmanager
def progress_callback(
    progress: Progress, label: str
) -> Iterator[Callable[[int, int], None] | None]:
    """``progress`` as a ``(done, total)`` callback, with a bar for ``True`` closed at the end."""
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(desc=label, unit="replication", leave=False, mininterval=0)

        def update(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            yield update
        finally:
            bar.close()
    elif progress is False or progress is None:
        yield None
    else:
        yield progress
