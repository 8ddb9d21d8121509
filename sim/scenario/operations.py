"""The world's operations: the period, calendar, demand, warehouse, carrier and disruptions.

Each spec mirrors a module of :mod:`sim.model` (calendar, demand, warehouse, carrier,
disruptions), which builds its model from it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any, Literal

import holidays
import numpy as np
from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.scenario.base import (
    WEEKDAYS,
    ClockTime,
    Fraction,
    NonNegative,
    Positive,
    Spec,
    Weekday,
    check_unique,
    clock_hours,
    without_absent,
)
from sim.scenario.distributions import Distribution
from sim.scenario.handling import CutoffSides, check_handling_tail
from sim.scenario.limits import (
    DAY_REASON,
    EARLIEST_START,
    HANDLING_REASON,
    HORIZON_REASON,
    LATEST_START,
    MAX_HANDLING_TRUCKS,
    MAX_HORIZON_DAYS,
    MAX_ORDERS_PER_DAY,
    MAX_ORDERS_PER_REPLICATION,
    MAX_PICKERS,
    MAX_TRANSIT_DAYS,
    ORDERS_REASON,
    TRANSIT_REASON,
    TRANSIT_TAIL,
)

__all__ = [
    "Calendar",
    "Carrier",
    "DeliveryHours",
    "Demand",
    "Disruption",
    "Disruptions",
    "Horizon",
    "Peak",
    "ServiceLevel",
    "Shift",
    "Warehouse",
]

_WEEKDAYS_MON_FRI: list[Weekday] = ["Mon", "Tue", "Wed", "Thu", "Fri"]


class Horizon(Spec):
    """The simulated period: real dates, so weekends and holidays fall where they do."""

    start: dt.date = Field(
        description="First simulated day (orders start at 00:00 that day), from "
        f"{EARLIEST_START} to {LATEST_START}: holiday rules are written for years near the "
        "present, and a far-off year is a typo.",
    )
    days: int = Field(
        gt=0,
        json_schema_extra={"maximum": MAX_HORIZON_DAYS},
        description=f"Number of days orders arrive, at most {MAX_HORIZON_DAYS} "
        f"({HORIZON_REASON}).",
    )
    warmup_days: int = Field(
        default=0,
        ge=0,
        description="Days at the start whose orders load the system but are not measured.",
    )

    @field_validator("start")
    @classmethod
    def _near_the_present(cls, start: dt.date) -> dt.date:
        if not EARLIEST_START <= start <= LATEST_START:
            raise ValueError(
                f"must be from {EARLIEST_START} to {LATEST_START} (holiday rules are written "
                f"for years near the present; a far-off year is a typo), got {start}"
            )
        return start

    @field_validator("days")
    @classmethod
    def _at_most_ten_years(cls, days: int) -> int:
        if days > MAX_HORIZON_DAYS:
            raise ValueError(f"must be <= {MAX_HORIZON_DAYS} ({HORIZON_REASON}), got {days:,}")
        return days

    @model_validator(mode="after")
    def _warmup_shorter(self) -> Horizon:
        if self.warmup_days >= self.days:
            raise ValueError(
                f"'warmup_days' must be < 'days' ({self.days}), got {self.warmup_days}"
            )
        return self


class DeliveryHours(Spec):
    """The hours of the day a carrier delivers; a promised day ends when they close."""

    start: ClockTime = Field(default="08:00", description="First delivery of the day.")
    end: ClockTime = Field(default="20:00", description="Last delivery; promises end here.")

    @model_validator(mode="after")
    def _ordered(self) -> DeliveryHours:
        if clock_hours(self.end) <= clock_hours(self.start):
            raise ValueError(f"'end' must be after 'start', got {self.start}-{self.end}")
        return self


class Calendar(Spec):
    """Business days, holidays, the day's truck and the carrier's working days."""

    country: str | None = Field(
        default="US",
        description="Country whose public holidays close the warehouse and the carrier "
        "(an ISO code known to the 'holidays' package), or null for none.",
    )
    subdivision: str | None = Field(
        default=None, description="State or region for regional holidays, e.g. 'CA'."
    )
    extra_holidays: list[dt.date] = Field(
        default_factory=list, description="Further closed dates (company shutdowns)."
    )
    working_weekdays: list[Weekday] = Field(
        default_factory=lambda: list(_WEEKDAYS_MON_FRI),
        min_length=1,
        description="Weekdays the warehouse works its shifts.",
    )
    cutoff: ClockTime = Field(
        default="17:00",
        description="When the day's truck leaves: parcels picked by then ship that day.",
    )
    pickup_weekdays: list[Weekday] = Field(
        default_factory=lambda: list(_WEEKDAYS_MON_FRI),
        min_length=1,
        description="Weekdays the carrier collects the truck.",
    )
    delivery_weekdays: list[Weekday] = Field(
        default_factory=lambda: list(_WEEKDAYS_MON_FRI),
        min_length=1,
        description="Weekdays the carrier delivers; these are the 'business days' of "
        "promises and of transit times.",
    )
    delivery_hours: DeliveryHours = Field(
        default_factory=DeliveryHours, description="Hours the carrier delivers."
    )

    @field_validator("working_weekdays", "pickup_weekdays", "delivery_weekdays")
    @classmethod
    def _no_repeats(cls, days: list[str]) -> list[str]:
        check_unique(days, "weekdays")
        return sorted(days, key=WEEKDAYS.index)

    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str | None) -> str | None:
        if country is None:
            return None
        known = holidays.list_supported_countries()
        if country not in known:
            raise ValueError(f"unknown holiday country {country!r} (use an ISO code like 'US')")
        return country

    @model_validator(mode="after")
    def _known_subdivision(self) -> Calendar:
        if self.subdivision is not None:
            if self.country is None:
                raise ValueError("'subdivision' needs a 'country'")
            subdivisions = holidays.list_supported_countries()[self.country]
            if self.subdivision not in subdivisions:
                raise ValueError(
                    f"unknown subdivision {self.subdivision!r} of {self.country} "
                    f"(one of {', '.join(subdivisions[:8])}...)"
                )
        return self


class Demand(Spec):
    """Orders placed: a Poisson process with weekday, monthly and hourly profiles."""

    orders_per_day: Positive = Field(
        description="Mean orders per day before the profiles and peaks multiply it (prospects "
        "with a market, new customers' first orders with customers). Expected orders are at "
        f"most {MAX_ORDERS_PER_DAY:,} on the busiest day ({DAY_REASON}) and "
        f"{MAX_ORDERS_PER_REPLICATION:,} in one replication ({ORDERS_REASON})."
    )
    weekday_profile: dict[Weekday, NonNegative] = Field(
        default_factory=dict,
        description="Multiplier per weekday, e.g. {Mon: 1.2, Sun: 0.7}; missing days are 1.",
    )
    monthly_profile: list[NonNegative] = Field(
        default_factory=lambda: [1.0] * 12,
        min_length=12,
        max_length=12,
        description="Multiplier per calendar month, January first.",
    )
    hourly_profile: list[NonNegative] = Field(
        default_factory=lambda: [1.0] * 24,
        min_length=24,
        max_length=24,
        description="Relative order intensity in each hour of the day (normalised).",
    )

    @field_validator("hourly_profile")
    @classmethod
    def _some_hour(cls, profile: list[float]) -> list[float]:
        if sum(profile) <= 0:
            raise ValueError("must have at least one hour with orders")
        return profile


class Shift(Spec):
    """A warehouse shift on every working day, with its number of pickers."""

    start: ClockTime = Field(description="Shift start, 'HH:MM'.")
    end: ClockTime = Field(description="Shift end, 'HH:MM' (up to '24:00').")
    pickers: int = Field(ge=0, le=MAX_PICKERS, description="Pickers on duty in this shift.")

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if clock_hours(self.end) <= clock_hours(self.start):
            raise ValueError(f"'end' must be after 'start', got {self.start}-{self.end}")
        return self


class Warehouse(Spec):
    """The part the firm controls: pickers by shift working one FIFO queue."""

    shifts: list[Shift] = Field(min_length=1, description="Shifts of a working day.")
    pick_minutes: Distribution = Field(description="Minutes one picker spends on one order.")
    discipline: Literal["fifo"] = Field(default="fifo", description="Queue discipline.")
    handling_trucks: Distribution | None = Field(
        default=None,
        description="Further trucks a parcel waits after picking before it is handed over, "
        "rounded down to whole trucks (a seller's or a 3PL's own handling, which the picking "
        "queue does not show; `promise-sim fit` sets it from a history's hand-over times); all "
        f"but one parcel in a million within {MAX_HANDLING_TRUCKS} ({HANDLING_REASON}). None: "
        "every parcel takes the first truck after picking.",
    )

    handling_by_order_time: dict[Weekday, CutoffSides] | None = Field(
        default=None,
        description="The handling of the orders placed on each weekday named, before and after "
        "that day's cut-off (`promise-sim fit` sets it: a queue that fills over the weekend "
        "makes Monday's orders wait more); orders of a weekday not named take "
        "'handling_trucks'.",
    )

    @model_serializer(mode="wrap")
    def _without_absent_handling(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The section as written, leaving out the handling keys when absent: a scenario
        without them dumps (and hashes) as before they existed.
        """
        return without_absent(handler(self), self, ("handling_trucks", "handling_by_order_time"))

    @field_validator("handling_trucks")
    @classmethod
    def _handling_within_the_calendar(cls, handling: Distribution | None) -> Distribution | None:
        if handling is not None:
            check_handling_tail(handling)
        return handling

    @model_validator(mode="after")
    def _handling_for_the_rest(self) -> Warehouse:
        if self.handling_by_order_time is not None and self.handling_trucks is None:
            raise ValueError("'handling_by_order_time' needs 'handling_trucks' (the handling of "
                             "the orders it does not name)")
        return self

    @model_validator(mode="after")
    def _shifts_consistent(self) -> Warehouse:
        spans = sorted((clock_hours(s.start), clock_hours(s.end)) for s in self.shifts)
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                raise ValueError("shifts must not overlap")
        if all(s.pickers == 0 for s in self.shifts):
            raise ValueError("at least one shift needs pickers")
        return self


class ServiceLevel(Spec):
    """A carrier product: what it nominally takes, what it really takes, and its price."""

    name: str = Field(min_length=1, description="Name used by strategies, e.g. 'overnight'.")
    nominal_days: int = Field(
        ge=0,
        le=MAX_TRANSIT_DAYS,
        description="Business days the carrier advertises (what 'tight' quotes).",
    )
    transit_days: Distribution = Field(
        description="Business days from truck departure to delivery (carrier luck); all but "
        f"one parcel in a million within {MAX_TRANSIT_DAYS}, peaks and disruptions included "
        f"({TRANSIT_REASON})."
    )
    cost: NonNegative = Field(le=1e7, description="Shipping cost per parcel.")

    def transit_tail(self) -> float:
        """Business days of transit that only one parcel in a million exceeds (before events)."""
        with np.errstate(all="ignore"):
            return float(self.transit_days.ppf(np.array([1.0 - TRANSIT_TAIL]))[0])


class Carrier(Spec):
    """The part the firm only influences: the carrier's service levels."""

    service_levels: list[ServiceLevel] = Field(min_length=1, description="Services on offer.")

    @field_validator("service_levels")
    @classmethod
    def _unique_names(cls, levels: list[ServiceLevel]) -> list[ServiceLevel]:
        check_unique([s.name for s in levels], "service level names")
        return levels

    def index(self, name: str) -> int:
        """Position of the service level called ``name``."""
        return [s.name for s in self.service_levels].index(name)


class Disruption(Spec):
    """Random events nobody controls: weather, outages, strikes."""

    kind: str = Field(min_length=1, description="Name of the event, e.g. 'winter_storm'.")
    rate_per_year: NonNegative = Field(
        le=365, description="Mean events per year (Poisson), spread evenly over its months."
    )
    duration_days: Distribution = Field(description="How long one event lasts, in days.")
    months: list[Annotated[int, Field(ge=1, le=12)]] | None = Field(
        default=None, description="Months in which events can start (all when omitted)."
    )
    warehouse_capacity: Fraction = Field(
        default=1.0, description="Share of pickers still working during the event."
    )
    transit_multiplier: Positive = Field(
        default=1.0, le=100, description="Transit times of parcels shipped during it scale by this."
    )
    transit_delay_days: NonNegative = Field(
        default=0.0, le=60, description="Business days added to transit of parcels shipped then."
    )


class Peak(Spec):
    """A season known in advance: more orders and a congested carrier (e.g. Christmas)."""

    name: str = Field(min_length=1, description="Name of the season.")
    start: str = Field(pattern=r"^\d\d-\d\d$", description="First day, 'MM-DD'.")
    end: str = Field(pattern=r"^\d\d-\d\d$", description="Last day, 'MM-DD' (may wrap the year).")
    demand_multiplier: Positive = Field(default=1.0, le=100, description="Orders scale by this.")
    transit_multiplier: Positive = Field(
        default=1.0, le=100, description="Transit times scale by this."
    )

    def in_season(self, date: dt.date) -> bool:
        """Whether ``date`` falls in this season (which may wrap the year)."""
        key = f"{date.month:02d}-{date.day:02d}"
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end

    @field_validator("start", "end")
    @classmethod
    def _real_day(cls, value: str) -> str:
        month, day = (int(x) for x in value.split("-"))
        try:
            dt.date(2024, month, day)
        except ValueError:
            raise ValueError(f"not a day of the year: {value!r}") from None
        return value


class Disruptions(Spec):
    """Random events and known seasonal peaks."""

    events: list[Disruption] = Field(default_factory=list, description="Random disruptions.")
    peaks: list[Peak] = Field(default_factory=list, description="Seasonal peaks.")
