"""The sensitivity study on paper: the ranked bar chart of which assumption decides, and its folder.

``write_sensitivity`` writes, atomically, ``indices.csv`` (ranked), ``samples.parquet`` (every
design point with its outcome), ``manifest.json`` and ``sensitivity.png``, and
``interactions.csv`` when Sobol's second-order indices were asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.experiment.sensitivity import SensitivityResults
from sim.report.folder import atomic_folder
from sim.report.png import PNG_METADATA

__all__ = ["SENSITIVITY_FILES", "plot_sensitivity", "write_sensitivity"]

SENSITIVITY_FILES = ("indices.csv", "samples.parquet", "manifest.json", "sensitivity.png")

_TOTAL, _FIRST = "#1b6ca8", "#9ecae1"
_RAISES, _LOWERS = "#1b6ca8", "#d1495b"


def plot_sensitivity(result: SensitivityResults, *, fig: Figure | None = None) -> Figure:
    """Parameters ranked by influence, with confidence whiskers; the outcome against the first.

    Sobol: total (ST) and first-order (S1) index of each parameter, as shares of the
    outcome's variance, with the simulation-noise share marked. Morris: mu* (mean absolute
    effect of a move across the range), coloured by the sign of the mean effect, with sigma.
    """
    fig = fig if fig is not None else Figure(figsize=(13, 0.45 * len(result.indices) + 3),
                                             layout="constrained")
    bars, scatter = fig.subplots(1, 2, width_ratios=[3, 2])
    table = result.indices
    y = np.arange(len(table))
    info = result.manifest["sensitivity"]
    level = round(100 * result.manifest["confidence"])
    if result.method == "sobol":
        for column, colour, offset in (("ST", _TOTAL, -0.2), ("S1", _FIRST, 0.2)):
            bars.barh(y + offset, table[column], height=0.4, color=colour,
                      label=f"{column} ({'with interactions' if column == 'ST' else 'alone'})")
            bars.errorbar(table[column], y + offset, xerr=np.nan_to_num(table[f"{column}_conf"]),
                          fmt="none", ecolor="black", capsize=2, lw=0.8)
        noise = info.get("noise_share")
        if noise is not None and np.isfinite(noise):
            bars.axvline(noise, color="grey", ls="--", lw=1,
                         label=f"simulation noise ({noise:.1%} of variance)")
        bars.set_xlabel(f"share of the outcome's variance ({level}% whiskers)")
    else:
        colours = [_RAISES if m >= 0 else _LOWERS for m in np.nan_to_num(table["mu"])]
        bars.barh(y, table["mu_star"], height=0.6, color=colours)
        bars.errorbar(table["mu_star"], y, xerr=np.nan_to_num(table["mu_star_conf"]), fmt="none",
                      ecolor="black", capsize=2, lw=0.8)
        bars.plot(table["sigma"], y, "D", color="black", mfc="white", ms=5,
                  label="sigma (interaction or curvature)")
        strategies = info["strategies"]
        signs = (("raises the outcome", "lowers the outcome") if len(strategies) < 2 else
                 (f"favours {strategies[0]}", f"favours {strategies[1]}"))
        for colour, label in zip((_RAISES, _LOWERS), signs):
            bars.add_patch(Rectangle((0, 0), 0, 0, color=colour, label=label))
        bars.set_xlabel(f"mu*: mean |change in outcome| over a move across the range "
                        f"({level}% whiskers)")
    bars.set_yticks(y, table["parameter"], fontsize=9)
    bars.invert_yaxis()
    bars.axvline(0.0, color="black", lw=0.6)
    bars.grid(axis="x", alpha=0.3)
    bars.legend(frameon=False, fontsize=8, loc="lower right")
    bars.set_title("Which assumption decides", fontsize=11)

    top = table.iloc[0]
    samples = result.samples
    scatter.plot(samples[top["path"]], samples["outcome"], "o", color=_TOTAL, alpha=0.5, ms=4)
    if info["outcome_min"] < 0 < info["outcome_max"]:
        scatter.axhline(0.0, color="black", lw=0.8)
    scatter.set_xlabel(str(top["parameter"]))
    scatter.set_ylabel("outcome")
    scatter.set_title(f"Every point against the first-ranked\n(outcome above zero at "
                      f"{info['share_above_zero']:.0%} of points)", fontsize=10)
    scatter.grid(alpha=0.3)
    fig.suptitle(
        f"{result.scenario.name}: sensitivity of {info['outcome']}\n{result.method}, "
        f"{info['design_points']} points x {info['replications_per_point']} replications, "
        "common random numbers",
        fontsize=11,
    )
    return fig


def write_sensitivity(result: SensitivityResults, out: str | Path) -> Path:
    """Write the ranked indices, the points, the manifest and the plot to the folder ``out``."""
    with atomic_folder(out) as staging:
        result.indices.to_csv(staging / "indices.csv", index=False)
        result.samples.to_parquet(staging / "samples.parquet", index=False)
        if result.interactions is not None:
            result.interactions.to_csv(staging / "interactions.csv", index=False)
        (staging / "manifest.json").write_text(
            json.dumps(result.manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        plot_sensitivity(result).savefig(staging / "sensitivity.png", dpi=110,
                                         metadata=PNG_METADATA)
    return Path(out)
