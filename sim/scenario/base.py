"""The shared base of every scenario spec, and the small value types they use."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "WEEKDAYS",
    "ClockTime",
    "Fraction",
    "NonNegative",
    "OutcomeMetric",
    "Positive",
    "Spec",
    "Weekday",
]

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ClockTime = Annotated[
    str,
    Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", description="A time of day, 'HH:MM'."),
]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1)]

#: A per-replication metric of a run, as named in the results (the ledger's outcomes; a test
#: keeps the two lists equal).
OutcomeMetric = Literal[
    "promise_kept",
    "lateness_mean",
    "lateness_p95",
    "earliness_mean",
    "earliness_p95",
    "lead_time_mean",
    "lead_time_p95",
    "satisfaction_mean",
    "delighted_share",
    "disappointed_share",
    "shipping_cost_per_order",
    "revenue_per_order",
    "profit_per_order",
    "profit_total",
    "new_customers",
    "lifetime_value",
    "market_share",
    "conversion",
]


class Spec(BaseModel):
    """Base of all specs: unknown keys are errors, values are frozen once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def clock_hours(clock: str) -> float:
    """Hours after midnight of an 'HH:MM' time of day."""
    hours, minutes = clock.split(":")
    return int(hours) + int(minutes) / 60.0
