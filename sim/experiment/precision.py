"""Precision on demand: how wide an interval is, and how many replications should make it narrow.

The half-width of a t interval is ``t(n-1) * s / sqrt(n)``: from the standard deviation ``s``
that ``n`` replications imply, the target is reached at the smallest ``n'`` with
``t(n'-1) * s / sqrt(n') <= target``. Replications are added in such steps, at least one more
and at most four times as many at a look (an ``s`` from a handful of replications is rough, and
a step on it alone can overshoot many-fold), never past the maximum, until the target is met.
Stopping when an estimated interval first falls under a target makes its coverage slightly
lower than nominal; stepping by the estimate rather than one at a time keeps the number of
looks, and that bias, small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from sim.errors import ExperimentError
from sim.world.ledger import METRICS

__all__ = ["Precision", "resolve_metric"]


def resolve_metric(name: str) -> str:
    """The metric ``name`` names, exactly or as the one metric it starts (``satisfaction``)."""
    if name in METRICS:
        return name
    matches = [m for m in METRICS if m.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(matches or METRICS)
    raise ExperimentError(f"'metric': {name!r} is {'ambiguous' if matches else 'unknown'} "
                          f"(one of {known})")


@dataclass(frozen=True, slots=True)
class Precision:
    """Run until ``metric``'s interval half-width is at most ``half_width``.

    With ``paired``, the intervals that must be narrow are those of each strategy's paired
    difference to the baseline; otherwise those of each strategy's mean. At most
    ``max_replications`` are run.
    """

    half_width: float
    metric: str = "satisfaction_mean"
    paired: bool = False
    max_replications: int = 1000

    def __post_init__(self) -> None:
        if not (self.half_width > 0 and math.isfinite(self.half_width)):
            raise ExperimentError(f"'precision' must be a number > 0, got {self.half_width}")
        if self.max_replications < 2:
            raise ExperimentError(
                f"'max_replications' must be >= 2, got {self.max_replications}"
            )
        object.__setattr__(self, "metric", resolve_metric(self.metric))

    def widest(self, summary: pd.DataFrame, differences: pd.DataFrame) -> float:
        """The largest half-width among the intervals this precision is about."""
        if self.paired:
            rows = differences[differences["metric"] == self.metric]
            if rows.empty:
                raise ExperimentError("'paired' precision needs at least two strategies")
        else:
            rows = summary[summary["metric"] == self.metric]
        if rows.empty:
            raise ExperimentError(f"'metric': {self.metric!r} is not measured in this scenario")
        half = (rows["ci_high"] - rows["ci_low"]) / 2
        return float(half.max()) if half.notna().all() else math.inf

    def next_replications(self, n: int, widest: float, confidence: float = 0.95) -> int:
        """How many replications the next look should have, from ``n`` with ``widest``."""
        if not math.isfinite(widest):
            wanted = 2 * n
        else:
            level = 0.5 + confidence / 2
            sd = widest * math.sqrt(n) / stats.t.ppf(level, n - 1)
            wanted = math.ceil((stats.norm.ppf(level) * sd / self.half_width) ** 2)
            while wanted < 4 * n and stats.t.ppf(level, max(wanted, 2) - 1) * sd > (
                    self.half_width * math.sqrt(max(wanted, 2))):
                wanted += 1
        return min(self.max_replications, 4 * n, max(n + 1, wanted))
