"""A sweep on paper: its metric against each swept parameter, and its folder of tables.

On a grid, each panel shows one parameter's effect: the metric at each of its values, per
strategy, with a confidence band. With several parameters, a value's point is the mean over
the other parameters' values, taken within each replication first, so the band is that of a
main effect. Points of a space-filling design are drawn as they fell, with error bars.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiment.statistics import mean_interval
from sim.experiment.sweep import LOWER_IS_BETTER, SweepResults
from sim.report.folder import atomic_folder
from sim.report.plots import _COLOURS
from sim.report.png import PNG_METADATA
from sim.scenario.sweep import SweepParameter

__all__ = ["SWEEP_FILES", "parameter_axis", "plot_sweep", "write_sweep"]

SWEEP_FILES = (
    "sweep.csv",
    "sweep.parquet",
    "differences.csv",
    "replications.parquet",
    "design.csv",
    "manifest.json",
    "sweep.png",
)

_PANEL_COLUMNS = 3
#: Keys moving together get one tick per value, labelled with every key's, up to this many.
_MAX_TICKS = 12


def plot_sweep(
    results: SweepResults, metric: str | None = None, *, fig: Figure | None = None
) -> Figure:
    """``metric`` (default the sweep's) against each swept parameter, a line per strategy."""
    metric = results.metric if metric is None else metric
    if metric not in results.replications.columns:
        raise KeyError(f"metric {metric!r} is not measured in this sweep")
    parameters = results.sweep.parameters
    columns = min(len(parameters), _PANEL_COLUMNS)
    rows = math.ceil(len(parameters) / columns)
    fig = fig if fig is not None else Figure(
        figsize=(max(8.0, 1 + 4.6 * columns), 0.8 + 3.8 * rows), layout="constrained"
    )
    axes = np.atleast_1d(fig.subplots(rows, columns, sharey=True, squeeze=False)).ravel()
    strategies = [s.name for s in results.scenario.strategies]
    confidence = results.scenario.experiment.confidence
    grid = results.sweep.design == "grid"
    for i, (ax, parameter) in enumerate(zip(axes, parameters)):
        x, ticks = parameter_axis(parameter, results.design)
        for j, strategy in enumerate(strategies):
            colour = _COLOURS[j % len(_COLOURS)]
            if grid:
                _draw_effect(ax, results, strategy, metric, x, ticks, confidence, colour)
            else:
                _draw_points(ax, results, strategy, metric, x, colour)
        if ticks is not None:
            ax.set_xticks(list(ticks), list(ticks.values()), fontsize=8,
                          rotation=20 if max(len(t) for t in ticks.values()) > 8 else 0)
        ax.set_xlabel(parameter.label, fontsize=9)
        if i % columns == 0:
            ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        if grid and len(parameters) > 1:
            ax.set_title("mean over the other parameters", fontsize=9)
    for ax in axes[len(parameters):]:
        ax.set_visible(False)
    axes[0].legend(frameon=False, fontsize=8)
    level = round(100 * confidence)
    replications = results.manifest["replications"]
    best = "lower" if metric in LOWER_IS_BETTER else "higher"
    how = "grid" if grid else f"{results.sweep.design.replace('_', ' ')} design"
    fig.suptitle(
        f"{results.scenario.name}: {metric} ({best} is better) against each swept parameter\n"
        f"a {how} of {len(results.design)} points, {replications} replications each, "
        f"{level}% intervals, common random numbers", fontsize=10
    )
    return fig


def parameter_axis(
    parameter: SweepParameter, design: pd.DataFrame
) -> tuple[np.ndarray, dict[float, str] | None]:
    """Where each point lies along ``parameter``, and its tick labels if not plain numbers.

    A numeric parameter is placed at its (first) key's value, labelled with every key's
    value when several move together ('4–5'); listed values of any other kind are placed at
    their position in the list, labelled with the value.
    """
    listed = parameter.values
    if listed is None or (not parameter.vectors and all(_is_number(v) for v in listed)):
        x = design[parameter.keys[0]].to_numpy(dtype=float)
        if len(parameter.keys) == 1:
            return x, None
        shown = design.drop_duplicates(parameter.keys[0])
        if len(shown) > _MAX_TICKS:
            return x, None
        return x, {float(row[0]): "–".join(f"{v:g}" for v in row)
                   for row in shown[parameter.keys].to_numpy(dtype=float)}
    cells = design[parameter.keys].to_numpy(dtype=object).tolist()
    wanted = [v if parameter.vectors else [v] for v in listed]
    x = np.array([wanted.index(cell) for cell in cells], dtype=float)
    return x, {float(k): _short(v) for k, v in enumerate(_differences_only(listed))}


def _draw_effect(ax, results: SweepResults, strategy: str, metric: str, x: np.ndarray,
                 ticks: dict[float, str] | None, confidence: float, colour: str) -> None:
    """A line through the parameter's values with its confidence band (a main effect)."""
    table = results.replications
    mine = table[table["strategy"] == strategy]
    level = pd.Series(x, index=results.design["point"]).reindex(mine["point"]).to_numpy()
    within = mine.assign(_level=level).groupby(["_level", "replication"])[metric].mean()
    xs, means, lows, highs = [], [], [], []
    for value, per_replication in within.groupby(level="_level"):
        mean, low, high = mean_interval(per_replication.to_numpy(), confidence)
        xs.append(value)
        means.append(mean)
        lows.append(low)
        highs.append(high)
    style = {"marker": "o", "ms": 4} if ticks is not None or len(xs) < 12 else {}
    ax.plot(xs, means, color=colour, lw=1.6, label=strategy, **style)
    ax.fill_between(xs, lows, highs, color=colour, alpha=0.2, lw=0)


def _draw_points(ax, results: SweepResults, strategy: str, metric: str, x: np.ndarray,
                 colour: str) -> None:
    """Each point of a space-filling design, with its interval as an error bar."""
    rows = results.table[(results.table["strategy"] == strategy)
                         & (results.table["metric"] == metric)]
    rows = rows.set_index("point").reindex(results.design["point"])
    mean = rows["mean"].to_numpy(dtype=float)
    err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float),
                     rows["ci_high"].to_numpy(dtype=float) - mean])
    ax.errorbar(x, mean, yerr=np.nan_to_num(err), fmt="o", ms=4, color=colour, ecolor=colour,
                elinewidth=1, capsize=2, alpha=0.85, label=strategy)


def write_sweep(results: SweepResults, out: str | Path) -> Path:
    """Write the sweep's tables, manifest and plot to the folder ``out``, all at once.

    Swept values that are not plain (a list, a distribution) are written as JSON text.
    """
    with atomic_folder(out) as staging:
        table = _plain_cells(results.table)
        table.to_csv(staging / "sweep.csv", index=False)
        table.to_parquet(staging / "sweep.parquet", index=False)
        _plain_cells(results.differences).to_csv(staging / "differences.csv", index=False)
        _plain_cells(results.replications).to_parquet(staging / "replications.parquet",
                                                      index=False)
        _plain_cells(results.design).to_csv(staging / "design.csv", index=False)
        (staging / "manifest.json").write_text(
            json.dumps(results.manifest, indent=2, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
        plot_sweep(results).savefig(staging / "sweep.png", dpi=110, metadata=PNG_METADATA)
    return Path(out)


def _plain_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column holding lists or mappings turned into JSON text."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].map(
                lambda v: isinstance(v, (list, dict))).any():
            frame[column] = frame[column].map(
                lambda v: json.dumps(v, sort_keys=True, default=str))
    return frame


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _differences_only(listed: list[Any]) -> list[Any]:
    """Listed mappings cut to the entries that differ between them (what tells them apart)."""
    if len(listed) < 2 or not all(isinstance(v, dict) for v in listed):
        return listed
    keys = [k for k in listed[0] if any(v.get(k) != listed[0][k] for v in listed)]
    if not keys or any(set(v) != set(listed[0]) for v in listed):
        return listed
    return [{k: v[k] for k in keys} for v in listed]


def _short(value: Any, width: int = 24) -> str:
    """A tick label for a listed value: lists joined by '/', mappings as key=value."""
    if isinstance(value, list):
        text = " / ".join(_short(v, width) for v in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items() if k != "dist")
        text = f"{value['dist']}({text})" if "dist" in value else text
    else:
        text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
