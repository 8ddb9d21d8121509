"""The scenario: every input of an experiment, as frozen pydantic specs with described fields.

The JSON Schema printed by ``promise-sim schema`` is generated from these classes, so each
field's description is the documentation of the scenario file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from sim.scenario.base import (
    WEEKDAYS,
    ClockTime,
    Fraction,
    NonNegative,
    Positive,
    Spec,
    Weekday,
    clock_hours,
)
from sim.scenario.claim import Claim
from sim.scenario.distributions import Distribution
from sim.scenario.optimize import Optimize
from sim.scenario.sensitivity import Sensitivity
from sim.scenario.sweep import Sweep

__all__ = [
    "AdaptiveStrategy",
    "BufferStrategy",
    "Calendar",
    "Carrier",
    "Choice",
    "Claim",
    "Competitor",
    "ControlledStrategy",
    "CustomStrategy",
    "Customers",
    "Demand",
    "Disruption",
    "Disruptions",
    "Economics",
    "Experiment",
    "Horizon",
    "Market",
    "Peak",
    "Pushback",
    "QuantileStrategy",
    "Satisfaction",
    "Scenario",
    "ServiceLevel",
    "Shift",
    "StrategySpec",
    "TightStrategy",
    "Warehouse",
    "WordOfMouth",
]

MAX_HORIZON_DAYS = 3660
MAX_PICKERS = 100_000
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_START = dt.date(2199, 12, 31)
MAX_REPLICATIONS = 100_000
MAX_ORDERS_PER_REPLICATION = 10**9
MAX_ORDERS_PER_DAY = 10**7
MAX_TRANSIT_DAYS = 60
TRANSIT_TAIL = 1e-6

_HORIZON_REASON = "ten years: the calendar of every day is built before the run starts"
_REPLICATIONS_REASON = (
    "intervals narrow only as 1/sqrt(n): 10^5 replications already pin a mean within 0.6% "
    "of its standard deviation"
)
_ORDERS_REASON = (
    "at about 2.5 million orders a second, one strategy's replication would take over "
    "7 minutes"
)
_DAY_REASON = (
    "a day's orders are simulated as one batch of about 170 bytes an order: 1.7 GB a worker"
)
_TRANSIT_REASON = "the calendar runs 120 days past the horizon to deliver the last parcels"

_WEEKDAYS_MON_FRI: list[Weekday] = ["Mon", "Tue", "Wed", "Thu", "Fri"]


def check_replications(n: int) -> int:
    """``n`` if it is a sensible number of replications, else ``ValueError`` saying why not."""
    if n > MAX_REPLICATIONS:
        raise ValueError(
            f"must be <= {MAX_REPLICATIONS:,} ({_REPLICATIONS_REASON}), got {n:,}"
        )
    return n


def _unique(items: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"{what} must be unique, {item!r} appears twice")
        seen.add(item)


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
        f"({_HORIZON_REASON}).",
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
            raise ValueError(f"must be <= {MAX_HORIZON_DAYS} ({_HORIZON_REASON}), got {days:,}")
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
        _unique(days, "weekdays")
        return sorted(days, key=WEEKDAYS.index)

    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str | None) -> str | None:
        if country is None:
            return None
        import holidays

        known = holidays.list_supported_countries()
        if country not in known:
            raise ValueError(f"unknown holiday country {country!r} (use an ISO code like 'US')")
        return country

    @model_validator(mode="after")
    def _known_subdivision(self) -> Calendar:
        if self.subdivision is not None:
            import holidays

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
        f"most {MAX_ORDERS_PER_DAY:,} on the busiest day ({_DAY_REASON}) and "
        f"{MAX_ORDERS_PER_REPLICATION:,} in one replication ({_ORDERS_REASON})."
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
        f"({_TRANSIT_REASON})."
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
        _unique([s.name for s in levels], "service level names")
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


class _Strategy(Spec):
    name: str = Field(min_length=1, description="Label of this strategy in results.")


class BufferStrategy(_Strategy):
    """Quote a window of N..M business days, ship by a chosen service (Zappos: 4-5, overnight)."""

    kind: Literal["buffer"] = Field(description="Which rule: 'buffer'.")
    min_days: int = Field(ge=0, le=365, description="Window opens this many business days out.")
    max_days: int = Field(ge=0, le=365, description="Window closes this many business days out.")
    service: str = Field(description="Service level every order ships by.")

    @model_validator(mode="after")
    def _ordered(self) -> BufferStrategy:
        if self.max_days < self.min_days:
            raise ValueError(
                f"'max_days' must be >= 'min_days', got {self.min_days}..{self.max_days}"
            )
        return self


class TightStrategy(_Strategy):
    """Quote the carrier's nominal time of the service used (the competitor: overnight)."""

    kind: Literal["tight"] = Field(description="Which rule: 'tight'.")
    service: str = Field(description="Service level every order ships by.")


class QuantileStrategy(_Strategy):
    """Quote the p-quantile of the lead time predicted from backlog, calendar and known events."""

    kind: Literal["quantile"] = Field(description="Which rule: 'quantile'.")
    p: float = Field(gt=0, lt=1, description="Probability the quote is meant to be met.")
    service: str = Field(description="Service level every order ships by.")


class ControlledStrategy(_Strategy):
    """Promise firmly what you control, an honest window for what you only influence.

    The second seed's rule: commit to dispatch within ``dispatch_days`` business days (the
    warehouse is the firm's own), then add the carrier's transit between two quantiles as the
    window. The firm over-delivers only on the part it controls, by dispatching sooner.
    """

    kind: Literal["controlled"] = Field(description="Which rule: 'controlled'.")
    dispatch_days: int = Field(
        default=1, ge=0, le=30,
        description="Trucks after the first one the firm commits to ship by (0: the next truck).",
    )
    transit_low: float = Field(
        default=0.5, gt=0, lt=1, description="Quantile of transit at which the window opens."
    )
    transit_high: float = Field(
        default=0.95, gt=0, lt=1, description="Quantile of transit at which the window closes."
    )
    service: str = Field(description="Service level every order ships by.")

    @model_validator(mode="after")
    def _ordered(self) -> ControlledStrategy:
        if self.transit_high < self.transit_low:
            raise ValueError(
                "'transit_high' must be >= 'transit_low', "
                f"got {self.transit_low}..{self.transit_high}"
            )
        return self


class AdaptiveStrategy(_Strategy):
    """Quote a quantile of the lead times the firm has recently delivered (learns its quote)."""

    kind: Literal["adaptive"] = Field(description="Which rule: 'adaptive'.")
    p: float = Field(gt=0, lt=1, description="Quantile of recent lead times quoted.")
    memory_days: int = Field(
        default=28, ge=1, le=3650, description="Deliveries of the last this many days count."
    )
    initial_days: float = Field(
        default=3.0, ge=0, le=365, description="Business days quoted before any delivery is seen."
    )
    service: str = Field(description="Service level every order ships by.")


class CustomStrategy(_Strategy):
    """A strategy written in Python, named as 'package.module:Name'."""

    kind: Literal["custom"] = Field(description="Which rule: 'custom'.")
    path: str = Field(
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
        description="Import path 'package.module:Name' of a class or factory.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments passed to it."
    )


StrategySpec = Annotated[
    BufferStrategy
    | TightStrategy
    | QuantileStrategy
    | ControlledStrategy
    | AdaptiveStrategy
    | CustomStrategy,
    Field(discriminator="kind"),
]


#: Cui, Lu, Sun & Golden (2024): promising one day faster raised sales by 0.73%.
_CUI_PER_DAY = -0.00727


class Choice(Spec):
    """The multinomial logit by which a prospect picks a firm, or none.

    ``U_firm = promise_per_day x max(days - promise_free_days, 0) + price_per_unit x price
    + reputation x score + loyalty terms``; buying nowhere has utility ``outside``.
    """

    promise_per_day: float = Field(
        default=_CUI_PER_DAY,
        le=0,
        ge=-10,
        description="Utility per promised business day. Default: one day faster raises a "
        "firm's sales 0.73% (Cui et al. 2024, field experiment); B2B buyers respond "
        "1.8-2.0% per day, about -0.019 (Oblander & Jerath 2024).",
    )
    promise_free_days: NonNegative = Field(
        default=0.0,
        le=365,
        description="Promised business days that cost nothing (B2B demand is flat under about "
        "a week, Oblander & Jerath 2024; 0: every day counts).",
    )
    price_per_unit: float = Field(
        default=0.0, le=0, ge=-100, description="Utility per unit of price (an assumption)."
    )
    reputation: NonNegative = Field(
        default=1.0,
        le=100,
        description="Utility per unit of a firm's reputation score (net people reached by "
        "word of mouth per delivered order); the market's version of "
        "'customers.word_of_mouth.reputation_effect' (an assumption).",
    )
    outside: float = Field(
        default=0.0, ge=-100, le=100, description="Utility of buying from no firm."
    )
    loyalty: float = Field(
        default=1.0,
        ge=-100,
        le=100,
        description="Utility a returning customer adds to the firm they last bought from "
        "(inertia; an assumption).",
    )
    loyalty_per_satisfaction: NonNegative = Field(
        default=1.0,
        le=100,
        description="Utility per unit of remembered satisfaction added to that firm: the "
        "delighted stay, the let-down switch (an assumption).",
    )


class Competitor(Spec):
    """Another firm in the same world, under its own strategy, with its own warehouse."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Short name of the firm.")
    strategy: StrategySpec = Field(description="How this firm promises (any strategy kind).")
    price: NonNegative | None = Field(
        default=None, le=1e7, description="Its price; the scenario's 'economics.price' if omitted."
    )
    shifts: list[Shift] | None = Field(
        default=None,
        min_length=1,
        description="Its warehouse shifts (same pick times); the scenario's if omitted.",
    )


class Market(Spec):
    """Competition at the point of sale: prospects choose between the firm and competitors.

    With this section, ``demand.orders_per_day`` are prospects in the market (new customers
    when ``customers`` is present); each strategy of the scenario is the firm's, run against
    the same competitors in the same world, so market share emerges. A prospect (or a
    returning customer) who buys from no firm is lost to the market.
    """

    competitors: list[Competitor] = Field(
        min_length=1, max_length=20, description="The other firms."
    )
    choice: Choice = Field(default_factory=Choice, description="How prospects choose.")
    quote_refresh_hours: float = Field(
        default=1.0,
        gt=0,
        le=24,
        description="Each firm's quote is posted from its backlog and refreshed this often; "
        "prospects compare posted quotes.",
    )

    @model_validator(mode="after")
    def _names_unique(self) -> Market:
        _unique([c.name for c in self.competitors], "competitor names")
        return self


class Satisfaction(Spec):
    """Expectation-disconfirmation: the outcome judged against the expectation that was set."""

    loss_aversion: Positive = Field(
        default=2.25,
        le=100,
        description="How much more a late business day hurts than an early one pleases "
        "(Tversky & Kahneman 1992: 2.25).",
    )
    gain_curvature: float = Field(
        default=0.88,
        gt=0,
        le=1,
        description="Curvature of delight in days early (Tversky & Kahneman 1992: 0.88).",
    )
    loss_curvature: float = Field(
        default=0.88,
        gt=0,
        le=1,
        description="Curvature of disappointment in days late (Tversky & Kahneman 1992: 0.88).",
    )
    delight_cap: NonNegative | None = Field(
        default=None,
        description="Most delight an early delivery can give; 0 means keeping a promise is as "
        "good as beating it (Gneezy & Epley 2014); null for no cap.",
    )
    late_tolerance_days: NonNegative = Field(
        default=0.0,
        le=10,
        description="Lateness up to this many business days goes unnoticed, and beyond it "
        "counts from there (the zone of tolerance, Zeithaml, Berry & Parasuraman 1993; Xie et "
        "al. 2024: the cut in repurchase is small under 10 minutes late). 0: every late hour "
        "counts.",
    )
    reference: Literal["start", "mid", "end"] = Field(
        default="end", description="Which point of a promised window sets the expectation."
    )
    delight_days: Positive = Field(
        default=1.0,
        description="An order counts as 'delighted' when it arrives at least this many "
        "business days before the expectation.",
    )


class WordOfMouth(Spec):
    """What customers tell others, and how it moves the arrival of new customers."""

    delighted_threshold: float = Field(
        default=1.0, description="Satisfaction at or above which a customer may recommend."
    )
    disappointed_threshold: float = Field(
        default=0.0, description="Satisfaction below which a customer may warn others."
    )
    referral_probability: Fraction = Field(
        default=0.10,
        description="Chance a delighted customer recommends (an assumption; positive word of "
        "mouth is about 3x as frequent as negative overall, East, Hammond & Wright 2007).",
    )
    warning_probability: Fraction = Field(
        default=0.15,
        description="Chance a disappointed customer warns others (an assumption: the "
        "dissatisfied talk more, but less than folklore claims, Anderson 1998).",
    )
    positive_reach: NonNegative = Field(
        default=1.0, le=1000, description="People one recommendation reaches (an assumption)."
    )
    negative_reach: NonNegative = Field(
        default=2.0,
        le=1000,
        description="People one warning reaches; further than praise by default (an "
        "assumption, Anderson 1998; not the folklore's 10).",
    )
    reputation_half_life_days: Positive = Field(
        default=30.0, le=3650, description="Days for the weight of old word of mouth to halve."
    )
    reputation_effect: NonNegative = Field(
        default=1.0,
        le=100,
        description="New-customer arrivals scale by exp(effect x reputation), reputation being "
        "net people reached per delivered order (an assumption).",
    )


class Pushback(Spec):
    """A negotiated (business) segment that asks for shorter quotes after early deliveries.

    The second seed's client: delivered early again and again, he asks you to "try a bit
    harder". Each request takes ``step_days`` off every later quote to that customer (a quote
    never lengthens); the firm grants requests until the customer's cut reaches
    ``max_cut_days`` and refuses beyond, at a cost to the relationship.
    """

    share: Fraction = Field(
        default=1.0, description="Share of new customers in the negotiating segment."
    )
    early_days: Positive = Field(
        default=1.0,
        description="A delivery at least this many business days before the promise counts "
        "as early.",
    )
    patience: int = Field(
        default=2, ge=1, le=1000,
        description="Early deliveries in a row after which the customer asks for a shorter quote.",
    )
    step_days: int = Field(
        default=1, ge=1, le=30, description="Business days asked off the quote per request."
    )
    max_cut_days: int = Field(
        default=3, ge=0, le=365,
        description="Most business days the firm will take off a customer's quotes; requests "
        "beyond are refused (0: refuse every request).",
    )
    refusal_cost: NonNegative = Field(
        default=1.0, le=100,
        description="A refusal weighs like this much dissatisfaction on the delivery that "
        "prompted it (remembered, and raising the chance of leaving; an assumption).",
    )


class Customers(Spec):
    """Customers who remember: learned expectations, trust, repurchase, churn, word of mouth.

    With this section absent every order is a first order judged against its promise. With it,
    ``demand.orders_per_day`` are first orders of new customers, and returning customers add
    their own.
    """

    learning_rate: Fraction = Field(
        default=0.3,
        description="How far each delivery teaches a customer: their learned lead time moves "
        "this share of the way to the latest delivery, and a padded-looking delivery costs "
        "this share of their trust in the promise, so the promise stops setting the "
        "expectation (an assumption; customers whose last experience was the same react far "
        "less, Xie et al. 2024). 1: the last experience is the learned lead time, and one "
        "padded-looking delivery ends trust in the promise.",
    )
    initial_trust: Fraction = Field(
        default=0.9,
        description="Weight a new customer gives the promise against their own experience; "
        "1: the expectation is the promise.",
    )
    trust_gain: Fraction = Field(
        default=0.05,
        description="Share of the distance to full trust a kept promise restores (one that "
        "looks padded restores none).",
    )
    trust_loss: Fraction = Field(
        default=0.25,
        description="Share of trust a broken promise destroys; more than a kept one earns "
        "(Gneezy & Epley 2014; loss aversion, Tversky & Kahneman 1992).",
    )
    padding_days: Positive = Field(
        default=2.0,
        description="A delivery this many business days before the promise reads as padding.",
    )
    padding_suspicion: Fraction = Field(
        default=0.10,
        description="Share of trust a padded-looking delivery costs on top of what learning "
        "takes (the second seed's suspicion of padding; an assumption, 0 switches it off).",
    )
    fairness_penalty: NonNegative = Field(
        default=0.0,
        le=10,
        description="Cut in the log repurchase rate per padded-looking delivery remembered "
        "(suspected overcharging; an assumption, 0 switches it off).",
    )
    memory: Fraction = Field(
        default=0.5,
        description="Weight of the latest satisfaction in the one a customer remembers.",
    )
    memory_start: Literal["neutral", "first_experience"] = Field(
        default="neutral",
        description="What a new customer remembers before their first delivery. neutral: "
        "satisfaction 0, which the first experience joins with weight `memory`; "
        "first_experience: nothing, so the first experience is all they remember (the plain "
        "mean of the first 1/memory experiences, then smoothing as usual), and new customers "
        "react more than regulars to the same delivery (Xie et al. 2024).",
    )
    repurchase_per_year: NonNegative = Field(
        default=4.0,
        le=365,
        description="Purchases per year of a returning customer who remembers neutral "
        "satisfaction (an assumption).",
    )
    repurchase_sensitivity: NonNegative = Field(
        default=0.3,
        le=10,
        description="Change in the log repurchase rate per unit of remembered satisfaction "
        "(an assumption; direction from Xie et al. 2024: late deliveries cut repurchase).",
    )
    churn_base: Fraction = Field(
        default=0.05, description="Chance a customer leaves after a delivery exactly as expected."
    )
    churn_sensitivity: NonNegative = Field(
        default=0.5,
        le=10,
        description="Rise in the log-odds of leaving per unit of dissatisfaction (an assumption).",
    )
    word_of_mouth: WordOfMouth = Field(
        default_factory=WordOfMouth, description="Recommendations, warnings and reputation."
    )
    pushback: Pushback | None = Field(
        default=None,
        description="A negotiating segment that pushes for shorter quotes; absent: none.",
    )


class Economics(Spec):
    """Money per order: what it earns, what shipping costs, what lateness and long quotes cost.

    Profit per order is ``price * gross_margin - shipping - late_credit * late -
    late_cost_per_day * days_late - promise_cost_per_day * days_quoted``, days in business days.
    """

    price: NonNegative = Field(
        default=80.0, le=1e7, description="Revenue per order (an assumption: a pair of shoes)."
    )
    gross_margin: Fraction = Field(
        default=0.4, description="Share of revenue left after the goods' cost (an assumption)."
    )
    late_credit: NonNegative = Field(
        default=0.0,
        le=1e7,
        description="Credit or refund given for each late order (an assumption; 0: none).",
    )
    late_cost_per_day: NonNegative = Field(
        default=0.0,
        le=1e7,
        description="Cost per business day an order arrives after the end of its promise: "
        "service contacts, goodwill, lost repurchase (an assumption; 0: none); lateness "
        "costs ~3x per minute what earliness pleases (Xie et al. 2024). The linear lateness "
        "cost b of due-date quoting.",
    )
    promise_cost_per_day: NonNegative = Field(
        default=0.0,
        le=1e7,
        description="Cost per business day quoted, from the order to the end of the promised "
        "window: the price of a longer promise in lost demand or discount (an assumption; "
        "0: none); a promise one day slower cost ~2.7% of profit (Cui et al. 2024). With "
        "'late_cost_per_day' b and this h, the best quote of a known lead time is its "
        "1 - h/b quantile (a newsvendor; ln(b/h)/(mu-lambda) in an M/M/1 queue). A cost h "
        "per day early instead is this h with b raised by h.",
    )


class Experiment(Spec):
    """How many times to run the world, from which root seed, and where orders are recorded.

    ``order_records`` says where output goes, not what is simulated: it is left out of the
    scenario's dump, so it changes neither the scenario hash nor any number of a run.
    """

    replications: int = Field(
        default=20,
        ge=2,
        json_schema_extra={"maximum": MAX_REPLICATIONS},
        description=f"Independent replications, from 2 to {MAX_REPLICATIONS:,} "
        f"({_REPLICATIONS_REASON}).",
    )
    seed: int = Field(default=0, ge=0, lt=2**63, description="Root seed of all random streams.")
    confidence: float = Field(
        default=0.95, gt=0.5, lt=1, description="Level of the confidence intervals."
    )
    order_records: str | None = Field(
        default=None,
        min_length=1,
        exclude=True,
        description="Folder for every order's record, as Parquet files "
        "(<folder>/strategy=<name>/replication=<r>.parquet); off if omitted. A relative path "
        "is relative to the current directory.",
    )

    @field_validator("replications")
    @classmethod
    def _sensible_replications(cls, n: int) -> int:
        return check_replications(n)


class Scenario(Spec):
    """A complete scenario: the world, the strategies to compare, and the experiment."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Short name, used in paths.")
    description: str = Field(default="", description="What this scenario is about.")
    horizon: Horizon = Field(description="The simulated period and its warm-up.")
    calendar: Calendar = Field(
        default_factory=Calendar, description="Business days, holidays, truck and carrier days."
    )
    demand: Demand = Field(description="Orders placed, by weekday, month and hour.")
    warehouse: Warehouse = Field(description="Shifts, pickers and pick times.")
    carrier: Carrier = Field(description="Service levels with transit times and costs.")
    disruptions: Disruptions = Field(
        default_factory=Disruptions, description="Random disruptions and seasonal peaks."
    )
    strategies: list[StrategySpec] = Field(min_length=1, description="Strategies to compare.")
    baseline: str | None = Field(
        default=None, description="Strategy the others are compared with (the first if omitted)."
    )
    satisfaction: Satisfaction = Field(
        default_factory=Satisfaction, description="How a delivery is judged against expectation."
    )
    customers: Customers | None = Field(
        default=None,
        description="Customers with memory; absent: every order is judged against its promise.",
    )
    market: Market | None = Field(
        default=None,
        description="Competitors and the choice between firms; absent: every prospect buys "
        "from the firm.",
    )
    economics: Economics = Field(
        default_factory=Economics, description="Revenue, margin and late credits per order."
    )
    claim: Claim | None = Field(
        default=None, description="The claim this scenario tests, and how its verdict is read."
    )
    experiment: Experiment = Field(
        default_factory=Experiment, description="Replications, root seed, confidence level."
    )
    sweep: Sweep | None = Field(
        default=None, description="Keys to vary over a grid or a space-filling design "
        "('promise-sim sweep')."
    )
    optimize: Optimize | None = Field(
        default=None, description="Strategy parameters to search for the best objective "
        "('promise-sim optimize')."
    )
    sensitivity: Sensitivity | None = Field(
        default=None, description="Uncertain parameters whose influence on an outcome is "
        "measured ('promise-sim sensitivity')."
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        try:
            _unique([s.name for s in self.strategies], "strategy names")
        except ValueError as exc:
            raise ValueError(f"strategies: {exc}") from None
        services = [s.name for s in self.carrier.service_levels]
        for i, strategy in enumerate(self.strategies):
            service = getattr(strategy, "service", None)
            if service is not None and service not in services:
                raise ValueError(
                    f"strategies[{i}].service: unknown service level {service!r} "
                    f"(one of {', '.join(services)})"
                )
        names = [s.name for s in self.strategies]
        if self.market is not None:
            for i, competitor in enumerate(self.market.competitors):
                service = getattr(competitor.strategy, "service", None)
                if service is not None and service not in services:
                    raise ValueError(
                        f"market.competitors[{i}].strategy.service: unknown service level "
                        f"{service!r} (one of {', '.join(services)})"
                    )
        if self.claim is not None:
            self.claim.check_strategies(names)
        if self.optimize is not None:
            self.optimize.check_strategy(names)
        if self.sensitivity is not None:
            self.sensitivity.outcome.check_strategies(names)
        if self.baseline is not None and self.baseline not in names:
            raise ValueError(
                f"baseline: {self.baseline!r} is not a strategy (one of {', '.join(names)})"
            )
        return self

    @model_validator(mode="after")
    def _sizes_within_limits(self) -> Scenario:
        daily = self.expected_daily_orders()
        total = float(daily.sum())
        if not total <= MAX_ORDERS_PER_REPLICATION:
            raise ValueError(
                f"demand: expected orders in one replication must be <= "
                f"{MAX_ORDERS_PER_REPLICATION:,} ({_ORDERS_REASON}), got {total:.3g} over "
                f"{self.horizon.days} days"
            )
        busiest = int(np.argmax(daily))
        if not daily[busiest] <= MAX_ORDERS_PER_DAY:
            day = self.horizon.start + dt.timedelta(days=busiest)
            raise ValueError(
                f"demand: expected orders on the busiest day must be <= {MAX_ORDERS_PER_DAY:,} "
                f"({_DAY_REASON}), got {daily[busiest]:.3g} on {day}"
            )
        events = self.disruptions.events
        slowest = math.prod(e.transit_multiplier for e in events)
        slowest *= math.prod(p.transit_multiplier for p in self.disruptions.peaks)
        delay = sum(e.transit_delay_days for e in events)
        for i, level in enumerate(self.carrier.service_levels):
            tail = level.transit_tail()
            if not tail <= MAX_TRANSIT_DAYS:
                raise ValueError(
                    f"carrier.service_levels[{i}].transit_days: one parcel in a million may "
                    f"take {tail:.3g} business days; must be <= {MAX_TRANSIT_DAYS} "
                    f"({_TRANSIT_REASON})"
                )
            if not tail * slowest + delay <= MAX_TRANSIT_DAYS:
                raise ValueError(
                    f"disruptions: with every event and peak at once, one parcel of "
                    f"{level.name!r} in a million may take {tail * slowest + delay:.3g} "
                    f"business days; must be <= {MAX_TRANSIT_DAYS} ({_TRANSIT_REASON})"
                )
        return self

    def expected_daily_orders(self) -> np.ndarray:
        """Expected orders (or prospects) of each day of the horizon, before returning customers.

        ``orders_per_day`` times the weekday, monthly and seasonal-peak multipliers, as the
        demand model draws them.
        """
        demand = self.demand
        rates = np.empty(self.horizon.days)
        for d in range(self.horizon.days):
            date = self.horizon.start + dt.timedelta(days=d)
            factors = [
                demand.orders_per_day,
                demand.weekday_profile.get(WEEKDAYS[date.weekday()], 1.0),
                demand.monthly_profile[date.month - 1],
                *(p.demand_multiplier for p in self.disruptions.peaks if p.in_season(date)),
            ]
            rates[d] = 0.0 if 0.0 in factors else math.prod(factors)
        return rates

    def with_values(self, values: dict[str, Any], /) -> Scenario:
        """A copy with each ``"dotted.key": value`` set and the whole validated again.

        ``scenario.with_values({"strategies.zappos_buffer.max_days": 6})``; see
        :func:`sim.scenario.overrides.with_values`. (``model_copy(update=...)`` does not
        validate; this does.)
        """
        from sim.scenario.overrides import with_values

        return with_values(self, values, source=self.name)

    @property
    def baseline_name(self) -> str:
        """The strategy that differences are taken against."""
        return self.baseline if self.baseline is not None else self.strategies[0].name
