"""The shared base of every scenario spec, and the small value types they use."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "WEEKDAYS",
    "ClockTime",
    "Fraction",
    "NonNegative",
    "Positive",
    "Spec",
    "Weekday",
    "check_unique",
    "clock_hours",
    "without_absent",
]

WEEKDAYS: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ClockTime = Annotated[
    str,
    Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", description="A time of day, 'HH:MM'."),
]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Spec(BaseModel):
    """Base of all specs: unknown keys are errors, values are frozen once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def without_absent(data: dict[str, Any], spec: BaseModel,
                   keys: tuple[str, ...]) -> dict[str, Any]:
    """``data`` (a spec's dump) without those of ``keys`` whose value is None: a key added to
    the scenario later is left out while absent, so older scenarios dump (and hash) as before.
    """
    for key in keys:
        if getattr(spec, key) is None:
            data.pop(key, None)
    return data


def clock_hours(clock: str) -> float:
    """Hours after midnight of an 'HH:MM' time of day."""
    hours, minutes = clock.split(":")
    return int(hours) + int(minutes) / 60.0


def check_unique(items: list[str], what: str) -> None:
    """Raise ``ValueError`` naming the first item of ``items`` that appears twice."""
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"{what} must be unique, {item!r} appears twice")
        seen.add(item)
