"""The results folder: written atomically, and only where replacing a folder loses no one's work.

Every writer of a results folder (a run, a sweep, a search, a sensitivity study, the seeds'
verdicts) writes through :func:`atomic_folder`: the files go into a temporary folder beside
the target, which is renamed into place when whole, so a failed or interrupted write never
leaves a half-written folder. Before anything is written, :func:`check_replaceable` refuses a
target whose replacement would take something that is not a result: the current folder, a
folder holding a scenario, or an existing folder that no promise-sim writer made.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sim.errors import ResultsError

__all__ = ["RESULTS_MARKERS", "atomic_folder", "check_replaceable", "check_writable"]

#: Files one of which every results folder holds at its top (the seeds' verdicts have no
#: manifest of their own): an existing folder with neither is not replaced.
RESULTS_MARKERS = ("manifest.json", "verdict.csv")


def check_replaceable(out: str | Path, *, keep: Sequence[str | Path] = ()) -> None:
    """Refuse ``out`` if replacing it whole would take more than an earlier result.

    Refused: the current folder or one holding it, a folder holding any path of ``keep``
    (the scenario files a command reads), something that is not a folder, and a non-empty
    folder without any of :data:`RESULTS_MARKERS`. Nothing is touched either way.
    """
    out = Path(out)
    folder, here = out.resolve(), Path.cwd().resolve()
    if folder == here or folder in here.parents:
        raise ResultsError(f"{out}: the output folder is replaced whole, so it must not be the "
                           "current folder or hold it")
    for path in keep:
        if folder in Path(path).resolve().parents:
            raise ResultsError(f"{out}: the output folder is replaced whole, so it must not "
                               f"hold the scenario {path}")
    if not out.exists():
        return
    if not out.is_dir():
        raise ResultsError(f"{out}: exists and is not a folder")
    if any(out.iterdir()) and not any((out / marker).is_file() for marker in RESULTS_MARKERS):
        raise ResultsError(f"{out}: exists and is not a results folder (it has no "
                           f"{' or '.join(RESULTS_MARKERS)}); it would be replaced whole, so "
                           "choose another folder or empty it")


def check_writable(out: str | Path, *, keep: Sequence[str | Path] = ()) -> None:
    """Fail now, not after a long run, if the folder ``out`` could not be written or replaced.

    Folders made for the trial are removed again: a failed check, or a run that fails later,
    leaves nothing behind.
    """
    out = Path(out)
    check_replaceable(out, keep=keep)
    made = [p for p in [out.parent, *out.parent.parents] if not p.exists()]
    try:
        with atomic_folder(out, commit=False):
            pass
    finally:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break


@contextmanager
def atomic_folder(out: str | Path, *, commit: bool = True) -> Iterator[Path]:
    """A staging folder beside ``out`` that becomes ``out`` only if the block completes.

    ``out`` is checked with :func:`check_replaceable` first. With ``commit=False`` the staging
    folder is removed instead (a trial of the place).
    """
    out = Path(out)
    check_replaceable(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise ResultsError(f"{out}: cannot create the results folder: {exc.strerror}") from None
    try:
        yield staging
        if not commit:
            shutil.rmtree(staging)
            return
        _replace(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ResultsError(f"{out}: cannot write results: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``, replacing an earlier result only once the new one is whole."""
    os.chmod(staging, 0o755)
    if not out.exists():
        staging.rename(out)
        return
    check_replaceable(out)  # the folder may have changed during the run
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
