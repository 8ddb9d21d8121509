"""The report of a search: the objective of every candidate, the best and its rivals, on disk.

:func:`write_optimization` writes a folder atomically (all files appear at once, or none):
``candidates.csv`` (one row per candidate), ``replications.parquet`` (the objective and every
metric of each candidate and replication), ``best.json``, ``manifest.json`` and
``optimize.png``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.experiment.manifest import json_value
from sim.experiment.optimize import OptimizationResults
from sim.report.folder import atomic_folder
from sim.report.png import PNG_METADATA

__all__ = ["OPTIMIZATION_FILES", "best_summary", "plot_optimization", "write_optimization"]

OPTIMIZATION_FILES = (
    "candidates.csv",
    "replications.parquet",
    "best.json",
    "manifest.json",
    "optimize.png",
)

_STATUS_STYLE = {
    "best": {"color": "#d1495b", "marker": "*", "markersize": 14},
    "not ruled out": {"color": "#edae49", "marker": "o", "markersize": 7},
    "ruled out": {"color": "#8a8a8a", "marker": "o", "markersize": 5},
}


def _axis(result: OptimizationResults) -> tuple[np.ndarray, list[str] | None, str]:
    """Positions of the candidates on the x axis, tick labels (None: numeric), axis label."""
    table = result.candidates
    if len(result.parameters) == 1:
        values = table[result.parameters[0]]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return values.to_numpy(dtype=float), None, result.parameters[0]
    return np.arange(len(table), dtype=float), list(table["label"]), "candidate"


def plot_optimization(result: OptimizationResults, *, fig: Figure | None = None) -> Figure:
    """The objective of every candidate with its interval, and its paired difference to the best.

    The best is a star, candidates that cannot be ruled out are amber, the rest grey; the right
    panel's bounds are simultaneous (Bonferroni), paired by replication.
    """
    fig = fig if fig is not None else Figure(figsize=(12, 5), layout="constrained")
    left, right = fig.subplots(1, 2, sharex=True)
    table = result.candidates
    x, ticks, xlabel = _axis(result)
    if ticks is None and len(x) > 1:
        left.plot(x, table["mean"], color="#1b6ca8", lw=1, alpha=0.6, zorder=1)
    for status, style in _STATUS_STYLE.items():
        mine = (table["status"] == status).to_numpy()
        if not mine.any():
            continue
        rows = table[mine]
        for ax, column in ((left, ""), (right, "difference")):
            centre = rows[column or "mean"]
            low = rows[f"{column}_low" if column else "ci_low"]
            high = rows[f"{column}_high" if column else "ci_high"]
            err = np.vstack([centre - low, high - centre])
            ax.errorbar(x[mine], centre, yerr=np.nan_to_num(err), fmt="none",
                        ecolor=style["color"], capsize=3, lw=1.2, zorder=2)
            ax.plot(x[mine], centre, ls="none", color=style["color"], marker=style["marker"],
                    markersize=style["markersize"], label=status, zorder=3)
    right.axhline(0.0, color="black", lw=0.8, ls=":")
    objective = result.objective.label
    level = round(100 * result.scenario.experiment.confidence)
    left.set_ylabel(objective.split(" ", 1)[1])
    left.set_title(f"objective per candidate, {level}% intervals")
    right.set_title("paired difference to the best, simultaneous bounds")
    right.set_ylabel("difference to the best")
    for ax in (left, right):
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        if ticks is not None:
            ax.set_xticks(x, ticks, rotation=45 if len(ticks) > 4 else 0, ha="right"
                          if len(ticks) > 4 else "center", fontsize=8)
    left.legend(loc="best", frameon=False)
    best = result.best_row
    n = int(result.manifest["optimize"]["total_replications"])
    fig.suptitle(
        f"{result.scenario.name}: {objective}; best {best['label']} "
        f"({int(best['replications'])} replications; {n} in all, common random numbers)"
    )
    return fig


def best_summary(result: OptimizationResults) -> dict[str, Any]:
    """The best candidate, its interval and the runner-ups that cannot be ruled out, as data.

    The best's mean and interval are those of its confirmation replications when it had
    any (``fresh``); ``selection_mean`` is its mean over the replications it was chosen on.
    """

    def entry(row) -> dict[str, Any]:
        return {
            "values": {p: json_value(row[p]) for p in result.parameters},
            "mean": json_value(row["mean"]),
            "ci_low": json_value(row["ci_low"]),
            "ci_high": json_value(row["ci_high"]),
            "replications": int(row["replications"]),
        }

    estimate = result.estimate
    best = {
        **entry(result.best_row),
        "mean": json_value(estimate.mean),
        "ci_low": json_value(estimate.ci_low),
        "ci_high": json_value(estimate.ci_high),
        "replications": estimate.replications,
        "fresh": estimate.fresh,
        "selection_mean": json_value(result.best_row["mean"]),
        "selection_replications": int(result.best_row["replications"]),
    }

    runner_ups = []
    for _, row in result.runner_ups.iterrows():
        runner_ups.append({**entry(row), "difference": json_value(row["difference"]),
                           "difference_low": json_value(row["difference_low"]),
                           "difference_high": json_value(row["difference_high"])})
    return {
        "scenario": result.scenario.name,
        "strategy": result.manifest["optimize"]["strategy"],
        "objective": result.objective.label,
        "confidence": result.scenario.experiment.confidence,
        "best": best,
        "not_ruled_out": runner_ups,
    }


def write_optimization(result: OptimizationResults, out: str | Path) -> Path:
    """Write the files of :data:`OPTIMIZATION_FILES` to the folder ``out``, all at once."""
    with atomic_folder(out) as staging:
        result.candidates.to_csv(staging / "candidates.csv", index=False)
        result.observations.to_parquet(staging / "replications.parquet", index=False)
        (staging / "best.json").write_text(
            json.dumps(best_summary(result), indent=2) + "\n", encoding="utf-8")
        (staging / "manifest.json").write_text(
            json.dumps(result.manifest, indent=2, sort_keys=True, default=json_value) + "\n",
            encoding="utf-8")
        plot_optimization(result).savefig(staging / "optimize.png", dpi=110,
                                          metadata=PNG_METADATA)
    return Path(out)
