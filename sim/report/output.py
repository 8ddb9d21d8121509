"""A run's results folder: its tables, manifest and figures, written all at once or not at all.

The folder is written through :func:`~sim.report.folder.atomic_folder`, so a run that fails
or is interrupted never leaves a half-written ``results/<scenario>/``, and a folder that is
not a results folder is never replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.experiment.runner import Results
from sim.report.folder import atomic_folder
from sim.report.plots import plot_comparison, plot_timeseries

__all__ = ["PNG_METADATA", "RESULT_FILES", "write_result_files", "write_results"]

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
    """Write the tables, manifest and figures of ``results`` to the folder ``out``.

    ``out`` is replaced whole if it is an earlier results folder; any other existing
    non-empty folder (or the current folder) is refused with a :class:`ResultsError`.
    """
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
