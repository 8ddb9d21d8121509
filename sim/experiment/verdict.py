"""Verdicts on the seeds' claims, computed from runs: paired differences and what they say.

A scenario with a ``claim`` says which side should come out higher on which metric if the
claim holds. The verdict is the paired difference ``higher - lower`` over replications
(common random numbers), with its t interval: entirely above zero, "supported"; entirely
below, "refuted"; straddling zero, "not resolved". Always under the scenario's assumptions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from sim.errors import ExperimentError
from sim.experiment.runner import Results
from sim.experiment.statistics import mean_interval
from sim.scenario.claim import Side

__all__ = ["VERDICT_COLUMNS", "Verdict", "judge_claim", "side_values", "weekly_view_difference"]

SUPPORTED, REFUTED, NOT_RESOLVED = "supported", "refuted", "not resolved"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One claim's verdict with the difference it rests on."""

    claim: str
    view: str
    scenario: str
    metric: str
    higher: str
    lower: str
    difference: float
    ci_low: float
    ci_high: float
    confidence: float
    replications: int
    verdict: str

    def as_row(self) -> dict[str, object]:
        """The verdict as one table row."""
        return asdict(self)


VERDICT_COLUMNS = tuple(Verdict.__dataclass_fields__)


def _describe(side: Side) -> str:
    if side.weeks is None:
        return side.strategy
    return f"{side.strategy} (weeks {side.weeks[0]}-{side.weeks[1]})"


def _first_week(results: Results) -> int:
    return -(-results.scenario.horizon.warmup_days // 7)


def side_values(results: Results, side: Side, metric: str) -> pd.Series:
    """The metric of one side in each replication (indexed by replication).

    Over a window of weeks, rates are weighted by the week's orders, totals are summed and
    market share is the mean of the weekly shares.
    """
    if side.weeks is None:
        table = results.replications
        if metric not in table.columns:
            raise ExperimentError(f"claim.metric: {metric!r} is not measured in this run")
        rows = table[table["strategy"] == side.strategy]
        return rows.set_index("replication")[metric]
    first = _first_week(results) + side.weeks[0]
    last = _first_week(results) + side.weeks[1]
    series = results.timeseries
    rows = series[(series["strategy"] == side.strategy) & series["week"].between(first, last - 1)]
    if rows["week"].nunique() < side.weeks[1] - side.weeks[0]:
        raise ExperimentError(
            f"claim: weeks {side.weeks[0]}-{side.weeks[1]} after the warm-up run past the "
            f"measured horizon ({series['week'].max() - _first_week(results) + 1} weeks)"
        )
    grouped = rows.groupby("replication")
    if metric == "profit_total":
        return grouped["profit"].sum()
    if metric == "market_share":
        return grouped["market_share"].mean()
    weighted = rows[metric] * rows["orders"]
    return weighted.groupby(rows["replication"]).sum() / grouped["orders"].sum()


def judge_claim(results: Results) -> Verdict:
    """The verdict on the claim of ``results``' scenario."""
    scenario = results.scenario
    claim = scenario.claim
    if claim is None:
        raise ExperimentError(f"scenario {scenario.name!r} has no claim to judge")
    higher = side_values(results, claim.higher, claim.metric)
    lower = side_values(results, claim.lower, claim.metric)
    difference = (higher - lower).dropna().to_numpy()
    confidence = scenario.experiment.confidence
    mean, low, high = mean_interval(difference, confidence)
    if np.isfinite(low) and low > 0:
        verdict = SUPPORTED
    elif np.isfinite(high) and high < 0:
        verdict = REFUTED
    else:
        verdict = NOT_RESOLVED
    return Verdict(
        claim=claim.says.strip(),
        view=claim.view,
        scenario=scenario.name,
        metric=claim.metric,
        higher=_describe(claim.higher),
        lower=_describe(claim.lower),
        difference=mean,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        replications=int(difference.size),
        verdict=verdict,
    )


#: The weekly series that follows each claim metric over time.
_WEEKLY_OF = {
    "promise_kept": "promise_kept",
    "satisfaction_mean": "satisfaction_mean",
    "delighted_share": "satisfaction_mean",
    "disappointed_share": "satisfaction_mean",
    "lateness_mean": "promise_kept",
    "profit_per_order": "profit",
    "profit_total": "profit",
    "new_customers": "profit",
    "lifetime_value": "profit",
    "market_share": "market_share",
    "conversion": "market_share",
}


def weekly_view_difference(results: Results) -> pd.DataFrame:
    """Week by week, the under-promise view's strategy minus the never-under-promise one's.

    Uses the claim's ``views`` (or its two sides' strategies, ordered by the claim's view) and
    the weekly series that follows the claim's metric. Columns: week, weeks_after_warmup,
    series, mean, ci_low, ci_high; positive means the under-promise view is ahead that week.
    """
    claim = results.scenario.claim
    if claim is None:
        raise ExperimentError(f"scenario {results.scenario.name!r} has no claim")
    under, never = _view_strategies(claim)
    series = _WEEKLY_OF[claim.metric]
    table = results.timeseries
    wide = table.pivot_table(index=["week", "replication"], columns="strategy", values=series)
    difference = (wide[under] - wide[never]).unstack("replication")
    confidence = results.scenario.experiment.confidence
    rows = []
    for week, values in difference.iterrows():
        mean, low, high = mean_interval(values.to_numpy(), confidence)
        rows.append({"week": int(week), "weeks_after_warmup": int(week) - _first_week(results),
                     "series": series, "mean": mean, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def _view_strategies(claim) -> tuple[str, str]:
    """The strategies standing for the under-promise and the never-under-promise view."""
    if len(claim.views) == 2:
        return claim.views["under-promise"], claim.views["never-under-promise"]
    higher, lower = claim.higher.strategy, claim.lower.strategy
    if higher == lower:
        raise ExperimentError(
            "claim.views: both sides use one strategy; say which strategy stands for each view"
        )
    return (higher, lower) if claim.view == "under-promise" else (lower, higher)
