"""The seeds' debate on paper: the verdict table and the figure of when each view wins.

``write_verdicts`` takes the results of the claim scenarios and writes, atomically,
``verdict.csv``, ``verdict.md`` and ``over_time.png``, and each scenario's own results folder
beside them. Everything in them is computed from the runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from sim.experiment.executors import Executor
from sim.experiment.runner import Results
from sim.experiment.verdict import VERDICT_COLUMNS, judge_claim, weekly_view_difference
from sim.report.folder import atomic_folder
from sim.report.output import figure_file, write_result_files
from sim.report.reader import FIGURE_FILES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported where a figure is drawn, not above: the verdicts' figures are drawn
# by the worker processes, and the command that writes them starts without it.

__all__ = ["SEED_FILES", "plot_over_time", "verdict_markdown", "verdict_table", "write_verdicts"]

SEED_FILES = ("verdict.csv", "verdict.md", "over_time.png")

_VIEW_COLOURS = {"under-promise": "#1b6ca8", "never-under-promise": "#d1495b"}
_SERIES_LABELS = {
    "satisfaction_mean": "satisfaction",
    "promise_kept": "promise kept",
    "profit": "profit per week",
    "market_share": "market share",
}


def verdict_table(results: Sequence[Results]) -> pd.DataFrame:
    """One row per claim scenario: the claim, the difference it rests on, and the verdict."""
    return pd.DataFrame([judge_claim(r).as_row() for r in results], columns=VERDICT_COLUMNS)


def verdict_markdown(table: pd.DataFrame) -> str:
    """The verdict table as Markdown, with the intervals written out."""
    lines = [
        "# The seeds' claims, judged by simulation",
        "",
        "Each row is one scenario in `scenarios/seeds/`. The difference is the paired mean "
        "of `higher - lower` over replications (common random numbers), with its confidence "
        "interval; the claim is *supported* when the interval lies above zero, *refuted* when "
        "below, *not resolved* when it straddles zero. Every verdict holds under that "
        "scenario's assumptions, which its file states.",
        "",
        "| claim | view | scenario | metric | higher - lower | difference [CI] | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    row: Any  # the table's columns as attributes, which pandas cannot type
    for row in table.itertuples():
        level = round(100 * row.confidence)
        interval = (f"{_number(row.difference)} [{_number(row.ci_low)}, {_number(row.ci_high)}]"
                    f" ({level}%, n={row.replications})")
        claim = row.claim.replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {claim} | {row.view} | `{row.scenario}` | {row.metric} | "
            f"{row.higher} - {row.lower} | {interval} | **{row.verdict}** |"
        )
    return "\n".join(lines) + "\n"


def _number(x: float) -> str:
    if not math.isfinite(x):
        return "nan"
    magnitude = abs(x)
    if magnitude >= 1000:
        return f"{x:+,.0f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{x:+.3f}"
    return f"{x:+.4f}"


def plot_over_time(results: Sequence[Results], *, fig: Figure | None = None) -> Figure:
    """Per claim scenario, week by week: the under-promise view's strategy minus the other's.

    Above zero (blue) the first seed's view is ahead that week; below (red) the second's. The
    band is the paired confidence interval of the weekly difference.
    """
    from matplotlib.figure import Figure

    n = len(results)
    columns = min(3, max(n, 1))
    rows = max(1, math.ceil(n / columns))
    fig = fig if fig is not None else Figure(
        figsize=(5.2 * columns, 3.4 * rows + 0.8), layout="constrained"
    )
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False).ravel())
    for ax, result in zip(axes, results):
        weekly = weekly_view_difference(result)
        x = weekly["weeks_after_warmup"].to_numpy()
        mean = weekly["mean"].to_numpy(dtype=float)
        ax.fill_between(x, weekly["ci_low"], weekly["ci_high"], color="#888888", alpha=0.25, lw=0)
        ax.fill_between(x, 0, mean, where=mean >= 0, color=_VIEW_COLOURS["under-promise"],
                        alpha=0.55, lw=0, interpolate=True)
        ax.fill_between(x, 0, mean, where=mean < 0, color=_VIEW_COLOURS["never-under-promise"],
                        alpha=0.55, lw=0, interpolate=True)
        ax.plot(x, mean, color="black", lw=0.8)
        ax.axhline(0.0, color="black", lw=0.6)
        verdict = judge_claim(result).verdict
        ax.set_title(f"{result.scenario.name}\n(claim {verdict})", fontsize=9)
        ax.set_ylabel(f"difference in {_SERIES_LABELS.get(cast(str, weekly['series'].iat[0]), '')}",
                      fontsize=8)
        ax.set_xlabel("weeks after warm-up", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(
        "When each view wins: under-promise strategy minus never-under-promise strategy, "
        "weekly (blue: under-promise ahead; red: never-under-promise ahead; grey: paired CI)",
        fontsize=10,
    )
    return fig


#: A figure to draw: the result's index (-1: every result), the file name, and what it shows.
_Job = tuple[int, str, Any]


def _figure_jobs(results: Sequence[Results]) -> list[_Job]:
    """Every figure of the verdicts' folder, the slowest first (the weekly ones, then the
    over-time figure), so that workers drawing them side by side finish close together.
    """
    scenarios = list(enumerate(results))
    return [*((i, "timeseries.png", r) for i, r in scenarios),
            (-1, "over_time.png", list(results)),
            *((i, name, r) for name in FIGURE_FILES if name != "timeseries.png"
              for i, r in scenarios)]


def _figure(job: _Job) -> tuple[tuple[int, str], bytes]:
    """The PNG bytes of one figure of :func:`_figure_jobs`, by its index and file name."""
    index, name, drawn = job
    if index < 0:
        from sim.report.png import png_bytes

        return (index, name), png_bytes(plot_over_time(drawn))
    return (index, name), figure_file(drawn, name)


def write_verdicts(results: Sequence[Results], out: str | Path, *,
                   executor: Executor | None = None) -> Path:
    """Write the verdict table, its Markdown, the over-time figure and each scenario's results.

    With ``executor``, the figures are drawn on its workers, side by side (the same bytes as
    drawn here).
    """
    table = verdict_table(results)
    jobs = _figure_jobs(results)
    figures = dict(map(_figure, jobs) if executor is None
                   else executor.map_unordered(_figure, jobs))
    with atomic_folder(out) as staging:
        table.to_csv(staging / "verdict.csv", index=False)
        (staging / "verdict.md").write_text(verdict_markdown(table), encoding="utf-8")
        (staging / "over_time.png").write_bytes(figures[-1, "over_time.png"])
        for i, result in enumerate(results):
            folder = staging / result.scenario.name
            folder.mkdir()
            write_result_files(result, folder,
                               {name: figures[i, name] for name in FIGURE_FILES})
    return Path(out)
