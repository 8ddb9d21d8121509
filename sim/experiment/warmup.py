"""How long a warm-up to cut: MSER-5 on the weekly series (White 1997; Franklin & White 2008).

A run starts empty (no backlog, no customer history), so its first weeks are not typical.
MSER picks the truncation point ``d`` that minimises the squared standard error of the mean of
what is left, ``sum((y[d:] - mean(y[d:]))**2) / (n - d)**2``, over batch means of five
observations, searching only the first half of the series (the usual guard against the rule's
instability at the end).

MSER assumes the series settles. Seasonal peaks and winter storms make a year's weekly series
move by design, and customers who learn make it drift for months: then the cut is a season or
a trend, not a start-up transient, and a cut at the search limit is flagged as unsettled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.errors import ExperimentError
from sim.experiment.executors import Executor
from sim.experiment.precision import resolve_metric
from sim.experiment.runner import run
from sim.scenario.overrides import with_values
from sim.scenario.spec import Scenario
from sim.world.ledger import WEEKLY

__all__ = ["WarmupSuggestion", "mser", "suggest_warmup"]


def mser(series: np.ndarray, *, batch: int = 5) -> int:
    """The number of leading observations of ``series`` MSER-``batch`` says to cut."""
    values = np.asarray(series, dtype=float)
    values = values[np.isfinite(values)]
    batches = values.size // batch
    if batches < 4:
        raise ExperimentError(
            f"MSER-{batch} needs at least {4 * batch} observations, got {values.size}"
        )
    means = values[: batches * batch].reshape(batches, batch).mean(axis=1)
    best, best_d = np.inf, 0
    for d in range(batches // 2 + 1):
        rest = means[d:]
        statistic = float(((rest - rest.mean()) ** 2).sum()) / rest.size**2
        if statistic < best:
            best, best_d = statistic, d
    return best_d * batch


@dataclass(frozen=True, slots=True)
class WarmupSuggestion:
    """The warm-up MSER-5 suggests, overall (the longest) and for each strategy."""

    metric: str
    days: int
    weeks_by_strategy: dict[str, int]
    current_days: int
    replications: int
    unsettled: tuple[str, ...] = ()
    """Strategies whose cut reached the search limit (half the series): no steady state yet."""


def suggest_warmup(
    scenario: Scenario,
    *,
    metric: str = "satisfaction_mean",
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WarmupSuggestion:
    """Run ``scenario`` with no warm-up and apply MSER-5 to each strategy's weekly ``metric``.

    The series is the mean over replications week by week (averaging replications first
    lowers the noise MSER must see through). The suggestion is the longest of the
    strategies', in whole weeks.
    """
    if metric not in WEEKLY:
        metric = resolve_metric(metric)
        if metric not in WEEKLY:
            raise ExperimentError(
                f"'metric': {metric!r} has no weekly series (one of {', '.join(WEEKLY)})"
            )
    cold = with_values(scenario, {"horizon.warmup_days": 0})
    results = run(cold, replications=replications, seed=seed, workers=workers,
                  executor=executor, progress=progress)
    weekly = results.timeseries.groupby(["strategy", "week"], sort=False)[metric].mean()
    weeks = {}
    unsettled = []
    for strategy in dict.fromkeys(results.timeseries["strategy"]):
        series = weekly.loc[strategy].to_numpy()
        weeks[strategy] = mser(series)
        if weeks[strategy] >= 5 * ((series.size // 5) // 2):
            unsettled.append(strategy)
    return WarmupSuggestion(
        metric=metric,
        days=7 * max(weeks.values()),
        weeks_by_strategy=weeks,
        current_days=scenario.horizon.warmup_days,
        replications=results.manifest["replications"],
        unsettled=tuple(unsettled),
    )
