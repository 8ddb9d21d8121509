"""A claim a scenario tests: which side should come out higher on which metric, if it holds.

The verdict is read from a paired difference, ``higher - lower``, with its confidence interval:
above zero the claim is supported, below zero refuted, straddling zero not resolved, always
under the scenario's assumptions. A side is a strategy, optionally over a window of weeks
(then the metric comes from the weekly series), so a claim can also say "this fades in time".
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import Spec
from sim.scenario.metrics import WEEKLY_CLAIM_METRICS, ClaimMetric

__all__ = ["CLAIM_METRICS", "WEEKLY_CLAIM_METRICS", "Claim", "Side"]

#: Per-replication metrics a claim may be judged on (names of the results' metrics).
CLAIM_METRICS = ClaimMetric


class Side(Spec):
    """One side of the comparison: a strategy, over the whole run or a window of weeks."""

    strategy: str = Field(description="Name of one of the scenario's strategies.")
    weeks: tuple[int, int] | None = Field(
        default=None,
        description="Weeks after the warm-up [first, last) the metric is averaged over; "
        "null: the whole measured run.",
    )

    @model_validator(mode="after")
    def _window(self) -> Side:
        if self.weeks is not None and not 0 <= self.weeks[0] < self.weeks[1]:
            raise ValueError(f"'weeks' must be [first, last) with 0 <= first < last, got "
                             f"{list(self.weeks)}")
        return self


class Claim(Spec):
    """What a seed claims, as a directional comparison the runs can support or refute."""

    says: str = Field(min_length=1, description="The claim, quoted or paraphrased.")
    view: Literal["under-promise", "never-under-promise"] = Field(
        description="Whose claim: the first seed's (under-promise, over-deliver) or the "
        "second's (never under-promise)."
    )
    metric: CLAIM_METRICS = Field(description="The metric the claim is judged on.")
    higher: Side = Field(description="The side that comes out higher if the claim holds.")
    lower: Side = Field(description="The side it is compared with.")
    views: dict[Literal["under-promise", "never-under-promise"], str] = Field(
        default_factory=dict,
        description="Which strategy stands for each view, for the figure of when each view "
        "wins over time (defaults to the two strategies compared).",
    )

    @model_validator(mode="after")
    def _windows_need_weekly(self) -> Claim:
        for name, side in (("higher", self.higher), ("lower", self.lower)):
            if side.weeks is not None and self.metric not in WEEKLY_CLAIM_METRICS:
                raise ValueError(
                    f"{name}.weeks: metric {self.metric!r} has no weekly series "
                    f"(windows work for {', '.join(WEEKLY_CLAIM_METRICS)})"
                )
        if self.higher == self.lower:
            raise ValueError("'higher' and 'lower' are the same side")
        if self.views and len(self.views) != 2:
            raise ValueError("views: name a strategy for both 'under-promise' and "
                             "'never-under-promise'")
        if not self.views and self.higher.strategy == self.lower.strategy:
            raise ValueError("views: both sides use one strategy; name the strategy that "
                             "stands for each view")
        return self

    def check_strategies(self, names: list[str]) -> None:
        """Raise ``ValueError`` naming the key if a side names no strategy of the scenario."""
        for key, strategy in [
            ("higher.strategy", self.higher.strategy),
            ("lower.strategy", self.lower.strategy),
            *((f"views.{view}", s) for view, s in self.views.items()),
        ]:
            if strategy not in names:
                raise ValueError(
                    f"claim.{key}: {strategy!r} is not a strategy (one of {', '.join(names)})"
                )
