"""Plots of a run's results, following matplotlib's convention for multi-panel figures.

Every plot function of :mod:`sim.report` draws on ``fig=`` (a Figure of the caller's, for
example ``plt.figure()``) or on a new :class:`matplotlib.figure.Figure`, returns that Figure
and never calls ``show()``; importing the report layer never picks a GUI backend.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator
from scipy import stats

from sim.experiment.runner import Results

__all__ = ["KEY_METRICS", "WEEKLY_PANELS", "plot_comparison", "plot_timeseries"]

#: Metrics shown with error bars on the comparison figure, with their axis labels.
KEY_METRICS = {
    "promise_kept": "promise kept (share)",
    "satisfaction_mean": "mean satisfaction",
    "delighted_share": "delighted (share)",
    "disappointed_share": "disappointed (share)",
    "lead_time_mean": "lead time (days)",
    "shipping_cost_per_order": "shipping cost per order",
}

_COLOURS = ["#1b6ca8", "#d1495b", "#66a182", "#edae49", "#8d6a9f", "#00798c", "#444444"]


def plot_comparison(results: Results, *, fig: Figure | None = None) -> Figure:
    """Satisfaction distribution per strategy, and the key metrics with confidence intervals."""
    fig = fig if fig is not None else Figure(figsize=(13, 6.5), layout="constrained")
    grid = fig.add_gridspec(2, 4)
    strategies = [s.name for s in results.scenario.strategies]
    colours = {s: _COLOURS[i % len(_COLOURS)] for i, s in enumerate(strategies)}

    ax = fig.add_subplot(grid[:, :2])
    edges = results.satisfaction_bins
    for strategy in strategies:
        counts = results.satisfaction_hist[strategy]
        if counts.sum() == 0:
            continue
        share = np.concatenate([[0.0], np.cumsum(counts) / counts.sum()])
        ax.step(edges, share, where="post", color=colours[strategy], lw=2, label=strategy)
    ax.axvline(0.0, color="black", lw=0.8, ls=":")
    ax.set_xlim(-8, edges[-1])
    ax.set_ylim(0, 1.005)
    ax.set_xlabel("satisfaction of an order (0 = exactly as expected, below 0 = late)")
    ax.set_ylabel("share of orders judged at or below this")
    ax.set_title("How orders were judged against the expectation that was set")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False)

    for i, (metric, label) in enumerate(list(KEY_METRICS.items())[:4]):
        sub = fig.add_subplot(grid[i // 2, 2 + i % 2])
        rows = results.metric(metric).set_index("strategy").loc[strategies]
        y = np.arange(len(strategies))
        err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
        sub.barh(y, rows["mean"], color=[colours[s] for s in strategies], alpha=0.8)
        sub.errorbar(rows["mean"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="black",
                     capsize=3, lw=1)
        sub.set_yticks(y, strategies if i % 2 == 0 else [""] * len(strategies), fontsize=8)
        sub.invert_yaxis()
        sub.set_title(label, fontsize=10)
        sub.axvline(0.0, color="black", lw=0.6)
    n = int(results.manifest["replications"])
    level = round(100 * results.manifest["confidence"])
    fig.suptitle(
        f"{results.scenario.name}: {n} replications, {level}% confidence intervals, "
        "common random numbers"
    )
    return fig


#: Weekly series drawn by :func:`plot_timeseries`, with their titles.
WEEKLY_PANELS = {
    "satisfaction_mean": "mean satisfaction",
    "expected_lead_mean": "expected lead time (business days)",
    "trust_mean": "trust in the promise (active customers)",
    "reputation": "reputation (net word of mouth per order)",
    "active_customers": "active customers",
    "profit": "profit per week",
}
#: The panels shown instead of the customer base's when customers have no memory.
MEMORYLESS_PANELS = {
    "trust_mean": ("promise_kept", "promise kept (share)"),
    "reputation": ("actual_lead_mean", "actual lead time (business days)"),
    "active_customers": ("orders", "orders delivered per week"),
}


def plot_timeseries(results: Results, *, fig: Figure | None = None) -> Figure:
    """Weekly series per strategy: mean over replications with its confidence band."""
    fig = fig if fig is not None else Figure(figsize=(14, 7.5), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True).ravel()
    table = results.timeseries
    strategies = [s.name for s in results.scenario.strategies]
    confidence = results.manifest["confidence"]
    panels = list(WEEKLY_PANELS.items())
    if results.scenario.customers is None:
        panels = [MEMORYLESS_PANELS.get(column, (column, title)) for column, title in panels]
    for ax, (column, title) in zip(axes, panels):
        for i, strategy in enumerate(strategies):
            mine = table[table["strategy"] == strategy]
            grouped = mine.groupby("week_start")[column]
            mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
            if mean.isna().all():
                continue
            half = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
            colour = _COLOURS[i % len(_COLOURS)]
            ax.plot(mean.index, mean.to_numpy(), color=colour, lw=1.6, label=strategy)
            ax.fill_between(mean.index, (mean - half).to_numpy(), (mean + half).to_numpy(),
                            color=colour, alpha=0.2, lw=0)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    _fix_ticks(axes[0].xaxis)
    axes[0].legend(frameon=False, fontsize=8)
    level = round(100 * confidence)
    fig.suptitle(
        f"{results.scenario.name}: weekly, mean of {results.manifest['replications']} "
        f"replications with {level}% bands (warm-up excluded)"
    )
    return fig


def _fix_ticks(axis: Axis) -> None:
    """Locate and label ``axis``'s ticks once, for limits that no longer change.

    The date axis would otherwise run its locator and formatter again at every layout pass
    and draw, to the same ticks and labels.
    """
    locations = list(axis.get_major_locator()())
    labels = axis.get_major_formatter().format_ticks(locations)
    axis.set_major_locator(FixedLocator(locations))
    axis.set_major_formatter(FixedFormatter(labels))
