"""Reading a results folder back: the tables, the manifest's scenario and the saved figures.

A folder written by ``promise-sim run`` (:data:`~sim.report.output.RESULT_FILES`) becomes a
:class:`~sim.experiment.runner.Results` again, so reports and comparisons work the same on a
run in memory and on one read from disk. Every file is checked as it is read: a missing,
unreadable or malformed one is a :class:`ResultsError` that names it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
from pydantic import ValidationError

from sim.errors import ResultsError
from sim.experiment.rerun import read_manifest
from sim.experiment.runner import Results
from sim.scenario.messages import describe_error
from sim.scenario.spec import Scenario

__all__ = ["FIGURE_FILES", "read_figures", "read_results"]

#: The figures of a results folder, with what each shows.
FIGURE_FILES = {
    "comparison.png": "How orders were judged against the expectation, and the key metrics "
                      "with their confidence intervals.",
    "timeseries.png": "Weekly series, mean over replications with confidence bands.",
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Columns each table must have; metric columns vary with the scenario.
_COLUMNS = {
    "summary.csv": ("strategy", "metric", "mean", "ci_low", "ci_high", "n"),
    "differences.csv": ("strategy", "baseline", "metric", "mean_difference", "ci_low",
                        "ci_high", "n"),
    "replications.parquet": ("strategy", "replication"),
    "timeseries.parquet": ("strategy", "replication", "week"),
}
_TEXT_COLUMNS = ("strategy", "baseline", "metric")


def read_results(folder: str | Path) -> Results:
    """The results saved in ``folder`` by ``promise-sim run``.

    The scenario is the one the manifest holds (validated, without importing custom
    strategies). The satisfaction histograms are not kept in a results folder: the returned
    ``satisfaction_hist`` is empty, and the comparison figure is read with
    :func:`read_figures` instead of being drawn again.
    """
    folder = _existing_folder(folder)
    manifest = read_manifest(folder / "manifest.json")
    scenario = _manifest_scenario(manifest, folder / "manifest.json")
    return Results(
        scenario=scenario,
        replications=_read_table(folder / "replications.parquet"),
        summary=_read_table(folder / "summary.csv"),
        differences=_read_table(folder / "differences.csv",
                                may_be_empty=len(scenario.strategies) == 1),
        timeseries=_read_table(folder / "timeseries.parquet"),
        manifest=manifest,
        satisfaction_hist={},
    )


def read_figures(folder: str | Path) -> dict[str, bytes]:
    """The PNG figures of ``folder`` (:data:`FIGURE_FILES`), by file name."""
    folder = _existing_folder(folder)
    figures = {}
    for name in FIGURE_FILES:
        path = folder / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ResultsError(f"{path}: missing from the results folder") from None
        except OSError as exc:
            raise ResultsError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if not data.startswith(_PNG_SIGNATURE):
            raise ResultsError(f"{path}: not a PNG image")
        figures[name] = data
    return figures


def _existing_folder(folder: str | Path) -> Path:
    folder = Path(folder)
    if not folder.exists():
        raise ResultsError(f"{folder}: no such results folder")
    if not folder.is_dir():
        raise ResultsError(f"{folder}: not a results folder (a file)")
    return folder


def _manifest_scenario(manifest: dict, path: Path) -> Scenario:
    """The manifest's scenario, validated as a scenario file would be."""
    spec = manifest["scenario_spec"]
    if not isinstance(spec, dict):
        raise ResultsError(f"{path}: scenario_spec: not a mapping of keys")
    try:
        return Scenario.model_validate(spec)
    except ValidationError as exc:
        raise ResultsError(
            f"{path}: scenario_spec: {describe_error(exc, spec, Scenario)} (written by another "
            "version of promise-sim?)"
        ) from None


def _read_table(path: Path, *, may_be_empty: bool = False) -> pd.DataFrame:
    """One table of the folder, with the columns it must have.

    ``may_be_empty``: a table with no rows is expected (the differences of a run with one
    strategy), and comes back with its columns.
    """
    required = list(_COLUMNS[path.name])
    try:
        if path.suffix == ".csv":
            text = {c: str for c in _TEXT_COLUMNS}
            table = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
        else:
            table = pd.read_parquet(path)
    except FileNotFoundError:
        raise ResultsError(f"{path}: missing from the results folder") from None
    except pd.errors.EmptyDataError:
        if may_be_empty:
            return pd.DataFrame(columns=required)
        raise ResultsError(f"{path}: empty") from None
    except (OSError, ValueError, UnicodeDecodeError, pa.ArrowException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ResultsError(f"{path}: cannot read: {reason}") from None
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ResultsError(f"{path}: missing column{'s' * (len(missing) > 1)} "
                           f"{', '.join(missing)}")
    if table.empty and not may_be_empty:
        raise ResultsError(f"{path}: no rows")
    numbers = [c for c in table.columns
               if c not in _TEXT_COLUMNS and c != "week_start"
               and not pd.api.types.is_numeric_dtype(table[c])]
    if numbers:
        raise ResultsError(f"{path}: column {numbers[0]!r} is not numeric")
    return table
