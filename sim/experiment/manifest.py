"""The manifest: everything needed to know how a result was made and to make it again."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.spec import Scenario

__all__ = [
    "build_manifest",
    "code_identity",
    "json_value",
    "replications_digest",
    "scenario_hash",
]

_PACKAGES = ("promise-sim", "numpy", "scipy", "pandas", "pyarrow", "simpy", "pydantic", "numba",
             "holidays", "matplotlib")


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal for equal scenarios, whatever the file."""
    canonical = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def code_identity() -> dict[str, str]:
    """The version of promise-sim and a hash of its source: what else a result depends on."""
    return dict(_code_identity())


@functools.cache
def _code_identity() -> tuple[tuple[str, str], ...]:
    """Hashed once a process: the code that runs is the code it loaded, whatever edits follow."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    try:
        version = metadata.version("promise-sim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "0+unknown"
    return (("promise_sim", version), ("code_hash", digest.hexdigest()[:24]))


def json_value(value: Any) -> Any:
    """A table cell or a parameter as JSON data: numpy scalars as Python ones, NaN as null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def replications_digest(table: pd.DataFrame) -> str:
    """SHA-256 of a table of replications, exact to the last bit of every float."""
    digest = hashlib.sha256()
    digest.update(",".join(map(str, table.columns)).encode("utf-8"))
    for column in table.columns:
        values = table[column].to_numpy()
        if values.dtype.kind in "fiub":
            digest.update(np.ascontiguousarray(values.astype(np.float64)).tobytes())
        else:
            digest.update("\x00".join(map(str, values)).encode("utf-8"))
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    """Python's and the packages' versions, and the system and its C library (whose maths
    functions the compiled model calls), read once a process (the metadata scan is slow).
    """
    libc = " ".join(part for part in platform.libc_ver() if part)
    versions = {"python": platform.python_version(),
                "system": f"{platform.system()} {platform.machine()}",
                "libc": libc or "unknown"}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return tuple(versions.items())


@functools.cache
def _git_commit() -> str | None:
    """The commit of the source tree, asked of git once a process."""
    try:
        here = Path(__file__).resolve().parent
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def build_manifest(
    scenario: Scenario, *, replications: int | list[int], seed: int
) -> dict[str, Any]:
    """The manifest of a run of ``scenario`` (a sweep whose points ran different numbers of
    replications lists each number).
    """
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": seed,
        "replications": replications,
        "strategies": [s.name for s in scenario.strategies],
        "baseline": scenario.baseline_name,
        "confidence": scenario.experiment.confidence,
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else None,
        "git_commit": _git_commit(),
        "code_hash": code_identity()["code_hash"],
        "versions": _versions(),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scenario_spec": scenario.model_dump(mode="json", by_alias=True),
    }
