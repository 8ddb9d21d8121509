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
from sim.report.reader import FIGURE_FILES

__all__ = ["RESULT_FILES", "figure_file", "figure_files", "write_result_files", "write_results"]

RESULT_FILES = (
    "replications.parquet",
    "summary.csv",
    "differences.csv",
    "manifest.json",
    "comparison.png",
    "timeseries.parquet",
    "timeseries.png",
)


def write_results(results: Results, out: str | Path) -> Path:
    """Write the tables, manifest and figures of ``results`` to the folder ``out``.

    ``out`` is replaced whole if it is an earlier results folder; any other existing
    non-empty folder (or the current folder) is refused with a :class:`ResultsError`.
    """
    with atomic_folder(out) as staging:
        write_result_files(results, staging)
    return Path(out)


def figure_file(results: Results, name: str) -> bytes:
    """The figure ``name`` of a results folder as PNG bytes (drawn anywhere: a worker process
    can draw it while others run, and the bytes are those :func:`write_results` would write).
    """
    # imported here, not above, for start-up: a folder whose figures were drawn by worker
    # processes is written without matplotlib
    from sim.report.plots import plot_comparison, plot_timeseries
    from sim.report.png import png_bytes

    draw = {"comparison.png": plot_comparison, "timeseries.png": plot_timeseries}[name]
    return png_bytes(draw(results))


def figure_files(results: Results) -> dict[str, bytes]:
    """The figures of a results folder as PNG bytes, by file name (see :func:`figure_file`)."""
    return {name: figure_file(results, name) for name in FIGURE_FILES}


def write_result_files(results: Results, folder: Path,
                       figures: dict[str, bytes] | None = None) -> None:
    """Write the files of :data:`RESULT_FILES` into the existing ``folder`` (the figures from
    ``figures`` when they were drawn already, see :func:`figure_files`).
    """
    results.replications.to_parquet(folder / "replications.parquet", index=False)
    results.summary.to_csv(folder / "summary.csv", index=False)
    results.differences.to_csv(folder / "differences.csv", index=False)
    (folder / "manifest.json").write_text(
        json.dumps(results.manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    results.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    for name, png in (figures or figure_files(results)).items():
        (folder / name).write_bytes(png)
