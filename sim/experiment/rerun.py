"""Making a result again from its manifest alone, and checking the numbers are the same.

A run's manifest holds the whole scenario, the root seed, the number of replications and a
digest of the table of replications. The same code given those makes the same table, on any
worker count and executor; :func:`rerun` does so and compares digests, and when the results
folder is beside the manifest it also says which metrics moved and by how much.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ResultsError, ScenarioError
from sim.experiment.executors import Executor
from sim.experiment.manifest import code_identity
from sim.experiment.runner import Results, run
from sim.experiment.user_processes import import_processes
from sim.scenario.loading import parse_scenario

__all__ = ["Rerun", "read_manifest", "rerun"]


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest at ``path`` (a ``manifest.json`` or the results folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such manifest") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read the manifest: {exc}") from None
    except ValueError as exc:
        raise ResultsError(f"{path}: not a manifest (invalid JSON: {exc})") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{path}: not a run's manifest (not a JSON object)")
    missing = [k for k in ("scenario_spec", "seed", "replications") if k not in manifest]
    if missing:
        raise ResultsError(f"{path}: not a run's manifest (missing {', '.join(missing)})")
    return manifest


@dataclass(frozen=True, eq=False)
class Rerun:
    """A result made again: whether its table of replications is the same, bit for bit."""

    results: Results
    expected_digest: str | None
    digest: str
    same_code: bool
    changes: pd.DataFrame | None
    """Per strategy and metric, the largest absolute change, when the old table was found."""
    other_versions: dict[str, tuple[str, str]]
    """What the manifest recorded that differs here (Python, libraries, system, C library):
    name to (then, now)."""

    @property
    def matches(self) -> bool:
        """Whether the numbers are those of the manifest's run."""
        return self.expected_digest == self.digest


def rerun(
    manifest_path: str | Path,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Rerun:
    """Run the manifest's scenario again with its seed and replications, and compare.

    A result made with a strategy object the manifest cannot rebuild (a class defined in a
    notebook cell or script) is refused with a :class:`ResultsError` saying so, and so is one
    with a SimPy process it cannot import again; processes it can are imported by their path.
    """
    manifest = read_manifest(manifest_path)
    source = str(manifest_path)
    for entry in manifest.get("strategy_objects") or ():
        if not entry.get("rerunnable", True):
            raise ResultsError(f"{source}: cannot be rerun from the manifest: strategy "
                               f"{entry.get('name')!r} ({entry.get('class')}) was passed as an "
                               f"object and {entry.get('why_not')}")
    try:
        scenario = parse_scenario(manifest["scenario_spec"], source=f"{source}: scenario_spec")
    except ScenarioError as exc:
        raise ResultsError(str(exc)) from None
    processes = import_processes(manifest.get("processes") or (), source=source)
    results = run(scenario, replications=int(manifest["replications"]),
                  seed=int(manifest["seed"]), workers=workers, executor=executor,
                  progress=progress, processes=processes)
    digest = results.manifest["replications_sha256"]
    changes = None
    folder = Path(manifest_path)
    folder = folder if folder.is_dir() else folder.parent
    old_table = folder / "replications.parquet"
    if old_table.exists():
        try:
            changes = _changes(pd.read_parquet(old_table), results.replications)
        except (OSError, ValueError):
            changes = None
    then = manifest.get("versions")
    then = then if isinstance(then, dict) else {}
    return Rerun(
        results=results,
        expected_digest=manifest.get("replications_sha256"),
        digest=digest,
        same_code=manifest.get("code_hash") == code_identity()["code_hash"],
        changes=changes,
        other_versions={name: (str(then[name]), now)
                        for name, now in results.manifest["versions"].items()
                        if name in then and str(then[name]) != now},
    )


def _changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame | None:
    """The largest absolute change of each metric of each strategy, old to new."""
    keys = ["strategy", "replication"]
    if list(old.columns) != list(new.columns) or len(old) != len(new):
        return None
    merged = old.merge(new, on=keys, suffixes=("_old", "_new"))
    rows = []
    for metric in (c for c in new.columns if c not in keys):
        change = (merged[f"{metric}_new"] - merged[f"{metric}_old"]).abs()
        same = (merged[f"{metric}_new"].isna() & merged[f"{metric}_old"].isna())
        for strategy, group in change[~same].groupby(merged.loc[~same, "strategy"]):
            rows.append({"strategy": strategy, "metric": metric,
                         "max_abs_change": float(group.max())})
    return pd.DataFrame(rows, columns=["strategy", "metric", "max_abs_change"])
