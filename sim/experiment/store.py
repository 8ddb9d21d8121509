"""Where finished replications are kept, so a run computes only what is missing.

A replication is named by its point (the scenario's hash and the root seed) and its number:
with common random numbers that is all its numbers depend on, given the code. A
:class:`MemoryStore` keeps them for one session (adaptive designs add replications to a point
without re-running the first ones); a :class:`DiskStore` commits each one to a folder the
moment it finishes, renamed into place, so an interrupted run started again computes only the
missing replications and ends with the same numbers. A part is either whole or absent: a
half-written one is never read. A part is one uncompressed ``.npz`` of the outcome's arrays
(:mod:`sim.experiment.payload`; about a millisecond to write, where three Parquet tables took
more than a short replication itself); an outcome of another shape is kept as Parquet tables,
and both are read.

Layout of a disk store::

    <folder>/store.json                         format and the code that made the parts
    <folder>/<point>/point.json                 the point's scenario and seed (for people)
    <folder>/<point>/replication=<r>/outcome.npz
        (or metrics.parquet, weekly.parquet, satisfaction_hist.parquet)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Protocol, cast, overload

import numpy as np
import pandas as pd

from sim.errors import ExperimentError
from sim.experiment.manifest import code_identity, scenario_hash
from sim.experiment.payload import pack_histograms, pack_rows, pack_series, unpack
from sim.experiment.tasks import ReplicationOutcome
from sim.scenario.spec import Scenario

__all__ = ["DiskStore", "MemoryStore", "ResultStore", "open_store", "point_key"]

STORE_FORMAT = 2
_PART = "replication="
_PACKED = "outcome.npz"


def point_key(scenario: Scenario, seed: int) -> str:
    """The name of a point: what its replications' numbers depend on besides the code."""
    return f"{scenario_hash(scenario)[:24]}-seed{seed}"


class ResultStore(Protocol):
    """Finished replications by point and number."""

    def finished(self, scenario: Scenario, seed: int) -> set[int]:
        """The replications of this point already stored."""
        ...

    def save(self, scenario: Scenario, seed: int, outcome: ReplicationOutcome) -> None:
        """Keep one finished replication."""
        ...

    def load(self, scenario: Scenario, seed: int, replication: int) -> ReplicationOutcome:
        """A stored replication."""
        ...


class MemoryStore:
    """Replications kept in this process, for adaptive designs within one session."""

    def __init__(self) -> None:
        self._outcomes: dict[tuple[str, int], ReplicationOutcome] = {}

    def finished(self, scenario: Scenario, seed: int) -> set[int]:
        """The replications of this point already kept."""
        key = point_key(scenario, seed)
        return {r for k, r in self._outcomes if k == key}

    def save(self, scenario: Scenario, seed: int, outcome: ReplicationOutcome) -> None:
        """Keep one finished replication."""
        self._outcomes[(point_key(scenario, seed), outcome.replication)] = outcome

    def load(self, scenario: Scenario, seed: int, replication: int) -> ReplicationOutcome:
        """A kept replication."""
        return self._outcomes[(point_key(scenario, seed), replication)]


class DiskStore:
    """Replications committed to ``folder`` as Parquet parts, one folder per replication.

    Parts made by another version of the code could hold other numbers: opening such a store
    raises :class:`ExperimentError`, or with ``stale="clear"`` empties it first.
    """

    def __init__(self, folder: str | Path, *, stale: str = "error") -> None:
        self.folder = Path(folder)
        identity = {"format": STORE_FORMAT, **code_identity()}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            marker = self.folder / "store.json"
            if marker.exists():
                found = _read_json(marker)
                if found != identity:
                    if stale != "clear":
                        raise ExperimentError(
                            f"{self.folder}: stored replications were made by other code "
                            f"({_describe(found)}; this is {_describe(identity)}): start "
                            "afresh (--fresh) or use another folder"
                        )
                    self.clear()
                    self.folder.mkdir(parents=True, exist_ok=True)
            if not marker.exists():
                _write_json(marker, identity)
        except OSError as exc:
            raise ExperimentError(
                f"{self.folder}: cannot use the result store: {exc.strerror or exc}"
            ) from None

    def clear(self) -> None:
        """Remove every stored replication, and the folder."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def holds_any(self) -> bool:
        """Whether any replication is committed."""
        return any(self.folder.glob(f"*/{_PART}*"))

    def _point(self, scenario: Scenario, seed: int) -> Path:
        return self.folder / point_key(scenario, seed)

    def finished(self, scenario: Scenario, seed: int) -> set[int]:
        """The replications of this point committed whole."""
        folder = self._point(scenario, seed)
        if not folder.is_dir():
            return set()
        return {int(p.name[len(_PART):]) for p in folder.iterdir()
                if p.name.startswith(_PART) and p.is_dir()}

    def save(self, scenario: Scenario, seed: int, outcome: ReplicationOutcome) -> None:
        """Commit one replication: written aside, then renamed into place in one step."""
        folder = self._point(scenario, seed)
        try:
            folder.mkdir(exist_ok=True)
            point = folder / "point.json"
            if not point.exists():
                _write_json(point, {"seed": seed, "scenario_hash": scenario_hash(scenario),
                                    "scenario": scenario.model_dump(mode="json", by_alias=True)})
            staging = Path(tempfile.mkdtemp(prefix=f".{_PART}{outcome.replication}.",
                                            dir=folder))
            try:
                arrays = outcome_arrays(outcome)
                if arrays is not None:
                    with open(staging / _PACKED, "wb") as file:
                        np.savez(file, **cast("dict[str, Any]", arrays))
                else:
                    for name, table in outcome_tables(outcome).items():
                        table.to_parquet(staging / f"{name}.parquet", index=False)
                staging.chmod(0o755)
                target = folder / f"{_PART}{outcome.replication}"
                if target.exists():  # the same replication finished twice (a retried task)
                    shutil.rmtree(staging)
                    return
                staging.rename(target)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        except OSError as exc:
            raise ExperimentError(
                f"{self.folder}: cannot store replication {outcome.replication}: "
                f"{exc.strerror or exc}"
            ) from None

    def load(self, scenario: Scenario, seed: int, replication: int) -> ReplicationOutcome:
        """A committed replication."""
        part = self._point(scenario, seed) / f"{_PART}{replication}"
        try:
            if (part / _PACKED).exists():
                with np.load(part / _PACKED, allow_pickle=False) as arrays:
                    return outcome_from_arrays(replication, dict(arrays))
            tables = {name: pd.read_parquet(part / f"{name}.parquet") for name in _TABLES}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise ExperimentError(f"{part}: cannot read a stored replication: {exc}") from None
        return outcome_from_tables(replication, tables)


@overload
def open_store(store: None) -> None: ...
@overload
def open_store(store: ResultStore | str | Path) -> ResultStore: ...
def open_store(store: ResultStore | str | Path | None) -> ResultStore | None:
    """``store`` as a store: a folder becomes a :class:`DiskStore`."""
    if store is None or isinstance(store, (MemoryStore, DiskStore)):
        return store
    if isinstance(store, (str, os.PathLike)):
        return DiskStore(store)
    return store


_TABLES = ("metrics", "weekly", "satisfaction_hist")


def outcome_arrays(outcome: ReplicationOutcome) -> dict[str, np.ndarray] | None:
    """One replication as named arrays for ``numpy.savez`` (no pickled objects), or None when
    it does not have the usual shape (a row of floats and equal series per strategy).
    """
    rows, series, histograms = (pack_rows(outcome.rows), pack_series(outcome.weekly),
                                pack_histograms(outcome.satisfaction_hist))
    if "as_is" in (rows[0], series[0], histograms[0]):
        return None
    _, metric_keys, names, numbers, values = rows
    _, series_keys, series_names, series_numbers, groups, blocks = series
    if (series_names != names or histograms[1] != names
            or set(numbers) | set(series_numbers) != {outcome.replication}):
        return None
    return {"strategies": np.array(names, dtype=str),
            "metric_keys": np.array(metric_keys[2:], dtype=str), "metrics": values,
            "series_keys": np.array(series_keys[2:], dtype=str),
            "series_groups": np.array(groups, dtype=np.int64),
            **{f"series_{i}": block for i, block in enumerate(blocks)},
            "histograms": histograms[2]}


def outcome_from_arrays(replication: int, arrays: dict[str, np.ndarray]) -> ReplicationOutcome:
    """The inverse of :func:`outcome_arrays`."""
    names = arrays["strategies"].tolist()
    numbers = [replication] * len(names)
    lead = ("strategy", "replication")
    groups = arrays["series_groups"].tolist()
    blocks = [arrays[f"series_{i}"] for i in range(max(groups, default=-1) + 1)]
    rows = unpack(("rows", (*lead, *arrays["metric_keys"].tolist()), names, numbers,
                   arrays["metrics"]))
    weekly = unpack(("series", (*lead, *arrays["series_keys"].tolist()), names, numbers,
                     groups, blocks))
    histograms = unpack(("histograms", names, arrays["histograms"]))
    return ReplicationOutcome(replication, rows, histograms, weekly)


def outcome_tables(outcome: ReplicationOutcome) -> dict[str, pd.DataFrame]:
    """One replication as three tables (metrics, weekly series, satisfaction histograms)."""
    return {
        "metrics": pd.DataFrame(outcome.rows),
        "weekly": pd.concat([pd.DataFrame(w) for w in outcome.weekly], ignore_index=True),
        "satisfaction_hist": pd.DataFrame(outcome.satisfaction_hist),
    }


def outcome_from_tables(replication: int, tables: dict[str, pd.DataFrame]) -> ReplicationOutcome:
    """The inverse of :func:`outcome_tables`."""
    # the metrics table's columns are the metric names
    rows = cast("list[dict[str, float | int | str]]", tables["metrics"].to_dict("records"))
    weekly = []
    table = tables["weekly"]
    for strategy in dict.fromkeys(row["strategy"] for row in rows):
        part = table[table["strategy"] == strategy]
        series = {c: part[c].to_numpy() for c in part.columns
                  if c not in ("strategy", "replication")}
        weekly.append({"strategy": strategy, "replication": replication, **series})
    hist = {c: tables["satisfaction_hist"][c].to_numpy(dtype=np.float64)
            for c in tables["satisfaction_hist"].columns}
    return ReplicationOutcome(replication, rows, hist, weekly)


def _describe(identity: dict) -> str:
    version = identity.get("promise_sim", "?")
    return f"promise-sim {version}, source {identity.get('code_hash', '?')}"


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}


def _write_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2, sort_keys=True)
    os.chmod(name, 0o644)
    os.replace(name, path)
