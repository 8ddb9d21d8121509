"""Precision on demand: how wide an interval is, and how many replications should make it narrow.

The half-width of a t interval shrinks as ``1/sqrt(n)``, so from ``n`` replications with
half-width ``h`` the target ``t`` needs about ``n * (h / t)**2``. Replications are added in
such steps (never fewer than one more, never more than the maximum) until the target is met.
Stopping when an estimated interval first falls under a target makes its coverage slightly
lower than nominal; the step up by the estimate (rather than one at a time) keeps the number
of looks, and that bias, small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

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

    def next_replications(self, n: int, widest: float) -> int:
        """How many replications the next look should have, from ``n`` with ``widest``."""
        if not math.isfinite(widest):
            wanted = 2 * n
        else:
            wanted = math.ceil(n * (widest / self.half_width) ** 2)
        return min(self.max_replications, max(n + 1, wanted))
