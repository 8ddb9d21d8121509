"""Writing a results folder atomically: everything appears at once, or nothing does.

The files are written into a temporary folder beside the target and renamed into place, so a
run that fails or is interrupted never leaves a half-written ``results/<scenario>/``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import ResultsError
from sim.experiment.runner import Results
from sim.report.plots import plot_comparison, plot_timeseries

__all__ = [
    "RESULT_FILES",
    "atomic_folder",
    "check_writable",
    "write_result_files",
    "write_results",
]

RESULT_FILES = (
    "replications.parquet",
    "summary.csv",
    "differences.csv",
    "manifest.json",
    "comparison.png",
    "timeseries.parquet",
    "timeseries.png",
)

#: PNG metadata without software version or dates, so equal inputs give equal bytes.
PNG_METADATA = {"Software": None}


def write_results(results: Results, out: str | Path) -> Path:
    """Write the tables, manifest and comparison plot of ``results`` to the folder ``out``."""
    with atomic_folder(out) as staging:
        write_result_files(results, staging)
    return Path(out)


def write_result_files(results: Results, folder: Path) -> None:
    """Write the files of :data:`RESULT_FILES` into the existing ``folder``."""
    results.replications.to_parquet(folder / "replications.parquet", index=False)
    results.summary.to_csv(folder / "summary.csv", index=False)
    results.differences.to_csv(folder / "differences.csv", index=False)
    (folder / "manifest.json").write_text(
        json.dumps(results.manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    results.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    plot_comparison(results).savefig(folder / "comparison.png", dpi=110, metadata=PNG_METADATA)
    plot_timeseries(results).savefig(folder / "timeseries.png", dpi=110, metadata=PNG_METADATA)


def check_writable(out: str | Path) -> None:
    """Fail now, not after a long run, if the folder ``out`` could not be written.

    Folders made for the trial are removed again: a failed check, or a run that fails later,
    leaves nothing behind.
    """
    out = Path(out)
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

    With ``commit=False`` the staging folder is removed instead (a trial of the place).
    """
    out = Path(out)
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
    if not out.is_dir():
        raise ResultsError(f"{out}: exists and is not a folder")
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    old.rmdir()
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
