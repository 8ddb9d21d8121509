"""Real dates in simulated hours: business days, holidays, the day's truck, the carrier's clock.

Simulated time is hours since 00:00 of the first day. "Business days" are the carrier's
delivery days (holidays excluded): promises and transit times count in them, so "5 business
days" ordered on a Friday evening lands on the next Friday, not the next Wednesday.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import holidays
import numba
import numpy as np

from sim.scenario.base import WEEKDAYS, clock_hours
from sim.scenario.operations import Calendar as CalendarSpec
from sim.scenario.operations import Horizon

__all__ = [
    "BusinessCalendar",
    "CarrierClock",
    "business_clock",
    "calendar_time",
    "delivery_time",
    "handover_time",
]

#: Days simulated after the horizon so that orders placed on its last day can be delivered.
DRAIN_DAYS = 120


class CarrierClock(NamedTuple):
    """The carrier's clock as arrays a compiled pass reads (:func:`business_clock`,
    :func:`handover_time`): delivery days before each day, whether each day is one, the
    delivery days in order, and the hours deliveries open and close.
    """

    delivered_before: np.ndarray
    delivery: np.ndarray
    delivery_days: np.ndarray
    opens: float
    closes: float


@numba.njit(cache=True, inline="always")
def business_clock(t, delivered_before, delivery):
    """The carrier's clock at time ``t`` (see :meth:`BusinessCalendar.to_business`); inf past
    the calendar's end (or before its start), so a parcel cannot be read off its arrays.
    """
    if not (0.0 <= t < delivery.size * 24.0):
        return np.inf
    day = math.floor(t / 24.0)
    fraction = t / 24.0 - day
    return delivered_before[day] + (fraction if delivery[day] else 0.0)


@numba.njit(cache=True, inline="always")
def calendar_time(b, delivery_days):
    """The time at which the carrier's clock reads ``b`` (see :meth:`BusinessCalendar`); inf
    when the calendar ends before it does.
    """
    if not (0.0 <= b < delivery_days.size):
        return np.inf
    whole = math.floor(b)
    return delivery_days[whole] * 24.0 + (b - whole) * 24.0


@numba.njit(cache=True, inline="always")
def delivery_time(dispatch, transit_days, delivered_before, delivery, delivery_days, opens,
                  closes):
    """When a parcel leaving at ``dispatch`` after ``transit_days`` is handed over."""
    return handover_time(business_clock(dispatch, delivered_before, delivery) + transit_days,
                         delivered_before, delivery_days, opens, closes)


@numba.njit(cache=True, inline="always")
def handover_time(b, delivered_before, delivery_days, opens, closes):
    """When a parcel that reaches the door as the carrier's clock reads ``b`` is handed over:
    at once within delivery hours, else when they next open (inf past the calendar's end).
    """
    if not (0.0 <= b < delivery_days.size):
        return np.inf
    whole = math.floor(b)
    day = delivery_days[whole]
    arrival = day * 24.0 + (b - whole) * 24.0  # calendar_time(b)
    hour = arrival - day * 24.0  # exact: the day is known without dividing arrival by 24...
    if hour >= 23.0:  # ...but near midnight that division may round up to the next day
        day = math.floor(arrival / 24.0)
        hour = arrival - day * 24.0
    if hour > closes and hour >= opens:  # after hours (tested second, as when opens > closes)
        following = delivered_before[day + 1]
        if following >= delivery_days.size:
            return np.inf
        return delivery_days[following] * 24.0 + opens
    return max(arrival, day * 24.0 + opens)  # before opening hours: the opening, no branch


@numba.njit(cache=True)
def _business_clocks(t, delivered_before, delivery, out):
    for i in range(t.size):
        out[i] = business_clock(t[i], delivered_before, delivery)


@numba.njit(cache=True)
def _calendar_times(b, delivery_days, out):
    for i in range(b.size):
        out[i] = calendar_time(b[i], delivery_days)


@numba.njit(cache=True)
def _delivery_times(dispatch, transit, delivered_before, delivery, delivery_days, opens, closes,
                    out):
    for i in range(dispatch.size):
        out[i] = delivery_time(dispatch[i], transit[i], delivered_before, delivery,
                               delivery_days, opens, closes)


@numba.njit(cache=True)
def _next_trucks(t, pickup, cutoff, truck_from_day, trucks, out):
    """The first truck at or after each ``t``: the truck of its day (or, with a cutoff at
    midnight, of the day before) if not yet gone, else the first one of a later day.

    That is the earliest of ``trucks`` at or after ``t``, so times after the truck before it
    and up to it get it without a search: most of a batch, whose times come nearly in order.
    """
    days = pickup.size
    after = before = np.nan  # times in (after, before] take the truck leaving at ``before``
    for i in range(t.size):
        if after < t[i] <= before:
            out[i] = before
            continue
        d = math.floor(t[i] / 24.0)
        found = np.inf
        for k in (d - 1, d):
            if 0 <= k < days and pickup[k] and k * 24.0 + cutoff >= t[i]:
                found = k * 24.0 + cutoff
                break
        if found == np.inf:
            found = truck_from_day[min(max(d + 1, 0), days)]
        out[i] = found
        if found < np.inf:
            j = np.searchsorted(trucks, found)
            after = trucks[j - 1] if j > 0 else -np.inf
            before = found


@numba.njit(cache=True, boundscheck=True)
def _nth_delivery_days(day, n, delivered_before, delivery_days, out):
    """:meth:`BusinessCalendar.nth_delivery_day` of each ``day`` for one ``n``, in one pass
    (indices checked and wrapped as numpy's are).
    """
    for i in range(day.size):
        index = delivered_before[day[i] + 1] + n - 1 if n > 0 else delivered_before[day[i]]
        out[i] = delivery_days[index]


@numba.njit(cache=True, boundscheck=True)
def _delivery_day_ends(t, n, delivered_before, delivery_days, close, out):
    """:meth:`BusinessCalendar.delivery_day_end` in one pass, without the day numbers and
    delivery days in between (indices checked and wrapped as numpy's are). Times of one day
    share their end, worked out again only when the day changes (once a day for times in
    order, as a batch's are), and a run of equal times (trucks) reads no day at all.
    """
    last_t = np.nan
    last = 0
    end = np.nan
    for i in range(t.size):
        if t[i] == last_t:
            out[i] = end
            continue
        last_t = t[i]
        day = math.floor(last_t / 24.0)
        if i == 0 or day != last:
            index = delivered_before[day + 1] + n - 1 if n > 0 else delivered_before[day]
            end = delivery_days[index] * 24.0 + close
            last = day
        out[i] = end


def _elementwise(kernel, x: np.ndarray, *args) -> np.ndarray:
    """Apply a compiled per-element ``kernel`` to ``x`` of any shape."""
    x = np.asarray(x, dtype=float)
    flat = np.ascontiguousarray(x).ravel()
    out = np.empty_like(flat)
    kernel(flat, *args, out)
    return out.reshape(x.shape)


def _holiday_dates(spec: CalendarSpec, years: Iterable[int]) -> set[dt.date]:
    dates = set(spec.extra_holidays)
    if spec.country is not None:
        dates |= set(holidays.country_holidays(spec.country, subdiv=spec.subdivision, years=years))
    return dates


@dataclass(frozen=True, slots=True, eq=False)
class BusinessCalendar:
    """Which simulated days the warehouse works, the truck leaves and the carrier delivers."""

    start: dt.date
    working: np.ndarray
    pickup: np.ndarray
    delivery: np.ndarray
    cutoff_hour: float
    delivery_open: float
    delivery_close: float
    _delivery_days: np.ndarray = field(init=False, repr=False)
    _delivered_before: np.ndarray = field(init=False, repr=False)
    _trucks: np.ndarray = field(init=False, repr=False)
    _truck_from_day: np.ndarray = field(init=False, repr=False)
    _months: np.ndarray = field(init=False, repr=False)

    @classmethod
    def build(
        cls,
        start: dt.date,
        days: int,
        *,
        holidays: Iterable[dt.date] = (),
        working_weekdays: Iterable[str] = WEEKDAYS[:5],
        pickup_weekdays: Iterable[str] = WEEKDAYS[:5],
        delivery_weekdays: Iterable[str] = WEEKDAYS[:5],
        cutoff_hour: float = 17.0,
        delivery_open: float = 8.0,
        delivery_close: float = 20.0,
    ) -> BusinessCalendar:
        """A calendar of ``days`` days from ``start`` with the given weekly pattern and holidays."""
        dates = [start + dt.timedelta(days=d) for d in range(days)]
        weekday = np.array([d.weekday() for d in dates])
        closed = np.array([d in set(holidays) for d in dates])

        def open_on(names: Iterable[str]) -> np.ndarray:
            return np.isin(weekday, [WEEKDAYS.index(n) for n in names]) & ~closed

        return cls(
            start=start,
            working=open_on(working_weekdays),
            pickup=open_on(pickup_weekdays),
            delivery=open_on(delivery_weekdays),
            cutoff_hour=cutoff_hour,
            delivery_open=delivery_open,
            delivery_close=delivery_close,
        )

    @classmethod
    def from_spec(cls, horizon: Horizon, spec: CalendarSpec) -> BusinessCalendar:
        """The calendar of a scenario, covering its horizon plus the drain period."""
        days = horizon.days + DRAIN_DAYS
        end = horizon.start + dt.timedelta(days=days)
        years = range(horizon.start.year, end.year + 1)
        return cls.build(
            horizon.start,
            days,
            holidays=_holiday_dates(spec, years),
            working_weekdays=spec.working_weekdays,
            pickup_weekdays=spec.pickup_weekdays,
            delivery_weekdays=spec.delivery_weekdays,
            cutoff_hour=clock_hours(spec.cutoff),
            delivery_open=clock_hours(spec.delivery_hours.start),
            delivery_close=clock_hours(spec.delivery_hours.end),
        )

    def __post_init__(self) -> None:
        delivery_days = np.flatnonzero(self.delivery)
        cumulative = np.concatenate([[0], np.cumsum(self.delivery)])
        trucks = np.flatnonzero(self.pickup) * 24.0 + self.cutoff_hour
        object.__setattr__(self, "_delivery_days", delivery_days)
        object.__setattr__(self, "_delivered_before", cumulative)
        object.__setattr__(self, "_trucks", trucks)
        # the first truck on or after each day (and inf past the last), for next_truck
        day_of = np.flatnonzero(self.pickup)
        following = np.searchsorted(day_of, np.arange(self.pickup.size + 1), side="left")
        padded = np.append(trucks, np.inf)
        object.__setattr__(self, "_truck_from_day", padded[following])
        dates = np.datetime64(self.start, "D") + np.arange(self.working.size)
        months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        object.__setattr__(self, "_months", months)

    @property
    def days(self) -> int:
        """Number of days covered."""
        return int(self.working.size)

    @property
    def truck_times(self) -> np.ndarray:
        """Departure time of every truck, in hours."""
        return self._trucks

    @property
    def months(self) -> np.ndarray:
        """Calendar month (1-12) of every simulated day."""
        return self._months

    def date_of(self, day: int) -> dt.date:
        """The calendar date of simulated day ``day``."""
        return self.start + dt.timedelta(days=int(day))

    def next_truck(self, t: np.ndarray) -> np.ndarray:
        """Departure of the first truck at or after each time ``t``."""
        out = _elementwise(_next_trucks, t, self.pickup, float(self.cutoff_hour),
                           self._truck_from_day, self._trucks)
        if out.size and not np.isfinite(out.max()):
            raise IndexError("a parcel is ready after the last truck of the calendar")
        return out

    def truck_after(self, t: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """Departure of the truck ``k`` trucks after the first at or after each time ``t``
        (``k = 0``: :meth:`next_truck`): a parcel ready at ``t`` held back ``k`` trucks.
        """
        first = self.next_truck(t)
        index = np.searchsorted(self._trucks, first) + np.asarray(k, dtype=np.int64)
        if index.size and index.max() >= self._trucks.size:
            raise IndexError("a parcel is held past the last truck of the calendar")
        return self._trucks[index]

    def to_business(self, t: np.ndarray) -> np.ndarray:
        """The carrier's clock at ``t``: business days elapsed, running only on delivery days."""
        return _elementwise(_business_clocks, t, self._delivered_before, self.delivery)

    def from_business(self, b: np.ndarray) -> np.ndarray:
        """The time at which the carrier's clock reads ``b`` (inverse of :meth:`to_business`)."""
        return _elementwise(_calendar_times, b, self._delivery_days)

    def deliver(self, dispatch: np.ndarray, transit_days: np.ndarray) -> np.ndarray:
        """Delivery time of parcels leaving at ``dispatch`` that spend ``transit_days`` in transit.

        Transit runs on the carrier's clock; a parcel that arrives outside delivery hours is
        delivered when they next open.
        """
        dispatch, transit_days = np.broadcast_arrays(
            np.asarray(dispatch, dtype=float), np.asarray(transit_days, dtype=float)
        )
        out = np.empty(dispatch.size)
        _delivery_times(np.ascontiguousarray(dispatch).ravel(),
                        np.ascontiguousarray(transit_days).ravel(), *self.carrier_clock, out)
        return out.reshape(dispatch.shape)

    @property
    def carrier_clock(self) -> CarrierClock:
        """The carrier's clock as the compiled passes read it."""
        return CarrierClock(self._delivered_before, self.delivery, self._delivery_days,
                            float(self.delivery_open), float(self.delivery_close))

    def nth_delivery_day(self, day: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The ``n``-th delivery day after ``day`` (``n = 0``: ``day`` itself or the next one)."""
        day = np.asarray(day, dtype=np.int64)
        if np.ndim(n) == 0 and day.ndim == 1:
            out = np.empty_like(day)
            _nth_delivery_days(day, int(n), self._delivered_before, self._delivery_days, out)
            return out
        index = np.where(
            np.asarray(n) > 0,
            self._delivered_before[day + 1] + np.asarray(n) - 1,
            self._delivered_before[day],
        )
        return self._delivery_days[index]

    def shift_delivery_day(self, day: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The delivery day ``n`` delivery days from delivery day ``day`` (``n`` may be negative).

        Clipped to the calendar's first and last delivery days.
        """
        index = self._delivered_before[np.asarray(day, dtype=np.int64)] + np.asarray(n)
        return self._delivery_days[np.clip(index, 0, self._delivery_days.size - 1)]

    def end_of_delivery_day(self, day: np.ndarray) -> np.ndarray:
        """The time a promise for ``day`` expires: the close of that day's delivery hours."""
        return np.asarray(day, dtype=float) * 24.0 + self.delivery_close

    def delivery_day_end(self, t: np.ndarray, n: int) -> np.ndarray:
        """The close of delivery hours on the ``n``-th delivery day after the day of each time
        ``t`` (``n = 0``: that day or the next delivery day): a promise of ``n`` days from ``t``.

        The :meth:`end_of_delivery_day` of the :meth:`nth_delivery_day` of ``t``'s day.
        """
        return _elementwise(_delivery_day_ends, t, int(n), self._delivered_before,
                            self._delivery_days, float(self.delivery_close))
