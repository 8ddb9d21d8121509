"""What changed between two result sets: the means, whether beyond sampling error, and why.

Each strategy's mean on each metric in run A and in run B with their intervals, the change
B - A with its Welch interval over the two runs' replications, and whether that change is
beyond sampling error. Beside the numbers, what differs in the scenarios (every changed key,
``path: old -> new``, from the manifests' specs) and in how the runs were made (seed,
replications, code, versions).

Welch's test treats the two runs as independent. Runs from the same root seed share their
luck (common random numbers), which makes it conservative: a change it calls beyond
sampling error is one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment.manifest import json_value
from sim.experiment.runner import Results
from sim.world.ledger import METRICS

__all__ = ["COMPARISON_COLUMNS", "Change", "Comparison", "compare_results", "spec_changes"]

#: Columns of :attr:`Comparison.metrics`.
COMPARISON_COLUMNS = (
    "strategy", "metric",
    "mean_a", "ci_low_a", "ci_high_a", "n_a",
    "mean_b", "ci_low_b", "ci_high_b", "n_b",
    "change", "change_ci_low", "change_ci_high", "p_value",
    "intervals_overlap", "beyond_sampling_error",
)
#: Manifest entries that say how a run was made (``created`` and ``command`` always differ).
_RUN_KEYS = ("seed", "replications", "confidence", "baseline", "strategies", "git_commit",
             "code_hash", "scenario_hash")
_ABSENT = object()


@dataclass(frozen=True, slots=True)
class Change:
    """One setting that differs between run A and run B."""

    path: str
    a: Any
    b: Any

    def __str__(self) -> str:
        return f"{self.path}: {_show(self.a)} -> {_show(self.b)}"

    def as_dict(self) -> dict[str, Any]:
        """The change as plain JSON data (an absent side is ``null``)."""
        return {"path": self.path, "a": _plain(self.a), "b": _plain(self.b)}


@dataclass(frozen=True, eq=False)
class Comparison:
    """Run B against run A: the metrics table and what differs in scenario and run."""

    metrics: pd.DataFrame
    """One row per strategy and metric, columns :data:`COMPARISON_COLUMNS`."""
    scenario_changes: list[Change]
    run_changes: list[Change]
    confidence: float

    @property
    def changed(self) -> pd.DataFrame:
        """The rows whose change is beyond sampling error."""
        return self.metrics[self.metrics["beyond_sampling_error"].fillna(False).astype(bool)]

    def as_dict(self) -> dict[str, Any]:
        """The comparison as plain JSON data (missing numbers are ``null``)."""
        rows = self.metrics.astype(object).where(self.metrics.notna(), None)
        return {
            "confidence": self.confidence,
            "scenario_changes": [c.as_dict() for c in self.scenario_changes],
            "run_changes": [c.as_dict() for c in self.run_changes],
            "metrics": [{k: _plain(v) for k, v in row.items()}
                        for row in rows.to_dict(orient="records")],
        }


def compare_results(a: Results, b: Results) -> Comparison:
    """Run ``b`` against run ``a``, at the confidence level of ``a``."""
    confidence = float(a.manifest.get("confidence", a.scenario.experiment.confidence))
    return Comparison(
        metrics=_metrics_table(a, b, confidence),
        scenario_changes=spec_changes(_spec(a), _spec(b)),
        run_changes=_run_changes(a.manifest, b.manifest),
        confidence=confidence,
    )


def spec_changes(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Every key whose value differs between two scenario specs (plain data), A's order first.

    Lists of named items (strategies, service levels) are matched by name, as key paths
    name them (``strategies.zappos_buffer.max_days``); a key present on one side only has
    the other side absent.
    """
    flat_a, flat_b = _flatten(a), _flatten(b)
    paths = list(dict.fromkeys([*flat_a, *flat_b]))
    changes = [Change(p, flat_a.get(p, _ABSENT), flat_b.get(p, _ABSENT)) for p in paths
               if flat_a.get(p, _ABSENT) != flat_b.get(p, _ABSENT)]
    return [c for c in changes if not _section_switched(c, paths)]


def _section_switched(change: Change, paths: list[str]) -> bool:
    """A section absent (null) on one side whose keys the other side lists one by one."""
    switched = ((change.a is None and change.b is _ABSENT)
                or (change.a is _ABSENT and change.b is None))
    return switched and any(p.startswith(f"{change.path}.") for p in paths)


def _spec(results: Results) -> dict[str, Any]:
    spec = results.manifest.get("scenario_spec")
    if isinstance(spec, dict):
        return spec
    return results.scenario.model_dump(mode="json", by_alias=True)


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, dict) and node:
        flat: dict[str, Any] = {}
        for key, value in node.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        names = [x.get("name") for x in node]
        if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
            return _flatten(dict(zip(names, node)), prefix)
        return _flatten({str(i): x for i, x in enumerate(node)}, prefix)
    return {prefix: node}


def _run_changes(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """How the runs were made, where it differs: seed, replications, code, versions."""
    changes = [Change(k, a.get(k, _ABSENT), b.get(k, _ABSENT)) for k in _RUN_KEYS
               if a.get(k, _ABSENT) != b.get(k, _ABSENT)]
    va, vb = a.get("versions") or {}, b.get("versions") or {}
    changes += [Change(f"versions.{k}", va.get(k, _ABSENT), vb.get(k, _ABSENT))
                for k in dict.fromkeys([*va, *vb]) if va.get(k, _ABSENT) != vb.get(k, _ABSENT)]
    return changes


def _metrics_table(a: Results, b: Results, confidence: float) -> pd.DataFrame:
    keys = ["strategy", "metric"]
    summary = a.summary[[*keys, "mean", "ci_low", "ci_high", "n"]].merge(
        b.summary[[*keys, "mean", "ci_low", "ci_high", "n"]], on=keys, how="outer",
        suffixes=("_a", "_b"), sort=False,
    )
    rows = []
    for record in summary.to_dict(orient="records"):
        values_a = _values(a.replications, record["strategy"], record["metric"])
        values_b = _values(b.replications, record["strategy"], record["metric"])
        change, low, high, p = _welch(values_a, values_b, confidence)
        overlap: object = pd.NA
        if not any(math.isnan(record[c]) for c in ("ci_low_a", "ci_high_a", "ci_low_b",
                                                   "ci_high_b")):
            overlap = bool(record["ci_low_a"] <= record["ci_high_b"]
                           and record["ci_low_b"] <= record["ci_high_a"])
        beyond = pd.NA if math.isnan(p) else bool(p < 1 - confidence)
        rows.append({**record, "change": change, "change_ci_low": low, "change_ci_high": high,
                     "p_value": p, "intervals_overlap": overlap,
                     "beyond_sampling_error": beyond})
    table = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    order = {m: i for i, m in enumerate(METRICS)}
    strategies = list(dict.fromkeys([*a.summary["strategy"], *b.summary["strategy"]]))
    table = table.sort_values(
        ["strategy", "metric"],
        key=lambda col: col.map({s: i for i, s in enumerate(strategies)})
        if col.name == "strategy" else col.map(lambda m: order.get(m, len(order))),
        kind="stable",
    ).reset_index(drop=True)
    for column in ("n_a", "n_b"):
        table[column] = table[column].astype("Int64")
    for column in ("intervals_overlap", "beyond_sampling_error"):
        table[column] = table[column].astype("boolean")
    return table


def _values(table: pd.DataFrame, strategy: str, metric: str) -> np.ndarray:
    if metric not in table.columns:
        return np.array([])
    values = table.loc[table["strategy"] == strategy, metric].to_numpy(dtype=float)
    return values[np.isfinite(values)]


def _welch(a: np.ndarray, b: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    """Mean of ``b`` minus mean of ``a``, its Welch interval and two-sided p-value."""
    if a.size < 2 or b.size < 2:
        return (math.nan,) * 4
    change = float(b.mean() - a.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    rounding = 1e-12 * max(1.0, abs(float(a.mean())), abs(float(b.mean())))
    if se <= rounding:
        change = change if abs(change) > rounding else 0.0
        return (change, change, change, 1.0 if change == 0 else 0.0)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    p = float(2 * stats.t.sf(abs(change) / se, df))
    return (change, change - half, change + half, p)


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _plain(value: Any) -> Any:
    if value is _ABSENT or value is pd.NA:
        return None
    return json_value(value)
