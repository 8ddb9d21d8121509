"""Orders placed: a non-homogeneous Poisson process by weekday, month, hour and season."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from sim.model.calendar import BusinessCalendar
from sim.scenario.base import WEEKDAYS
from sim.scenario.spec import Demand as DemandSpec

__all__ = ["DemandModel"]


@numba.njit(cache=True)
def _hours_of_day(u, cdf, out):
    """The inverse of the hourly profile's CDF, linear within each hour. The hour is found by
    walking from the last one, so sorted draws (as a day's are) cost one step each."""
    last = cdf.size - 2
    hour = 0
    for i in range(u.size):
        x = u[i]
        while hour + 1 < cdf.size and cdf[hour + 1] <= x:
            hour += 1
        while hour > 0 and cdf[hour] > x:
            hour -= 1
        h = min(hour, last)
        width = cdf[h + 1] - cdf[h]
        out[i] = h + ((x - cdf[h]) / width if width > 0 else 0.0)


@numba.njit(cache=True)
def _sort_uniform(u, out):
    """Draws ``u`` in [0, 1), in order, into ``out`` in linear time: each into one of ``u.size``
    equal bins, then insertion sort over bins that hold about one draw each."""
    n = u.size
    first = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        first[min(int(u[i] * n), n - 1) + 1] += 1
    for b in range(n):
        first[b + 1] += first[b]
    for i in range(n):
        b = min(int(u[i] * n), n - 1)
        out[first[b]] = u[i]
        first[b] += 1
    for i in range(1, n):
        x = out[i]
        j = i - 1
        while j >= 0 and out[j] > x:
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = x


@numba.njit(cache=True)
def _arrival_times(u, counts, first_day, cdf, out):
    """Arrival hours of draws ``u`` of consecutive days, ``counts[d]`` of them on day
    ``first_day + d``: each day's draws in order (sorted draws give sorted hours, and the walk of
    :func:`_hours_of_day` one step each), at the day's start plus their hour of the day."""
    end = 0
    for d in range(counts.size):
        begin, end = end, end + counts[d]
        day = out[begin:end]
        _sort_uniform(u[begin:end], day)
        _hours_of_day(day, cdf, day)
        start = (first_day + d) * 24.0
        for i in range(day.size):
            day[i] = start + day[i]


@dataclass(frozen=True, slots=True, eq=False)
class DemandModel:
    """Expected orders of each simulated day, and when in the day they arrive."""

    daily_rate: np.ndarray
    hourly_cdf: np.ndarray

    @classmethod
    def build(
        cls,
        calendar: BusinessCalendar,
        days: int,
        orders_per_day: float,
        *,
        weekday_profile: Sequence[float] = (1.0,) * 7,
        monthly_profile: Sequence[float] = (1.0,) * 12,
        hourly_profile: Sequence[float] = (1.0,) * 24,
        day_multiplier: np.ndarray | None = None,
    ) -> DemandModel:
        """Demand over the first ``days`` days of ``calendar``."""
        dates = [calendar.date_of(d) for d in range(days)]
        weekday = np.asarray(weekday_profile, dtype=float)[[d.weekday() for d in dates]]
        month = np.asarray(monthly_profile, dtype=float)[[d.month - 1 for d in dates]]
        rate = orders_per_day * weekday * month
        if day_multiplier is not None:
            rate = rate * day_multiplier[:days]
        hourly = np.asarray(hourly_profile, dtype=float)
        cdf = np.concatenate([[0.0], np.cumsum(hourly) / hourly.sum()])
        return cls(daily_rate=rate, hourly_cdf=cdf)

    @classmethod
    def from_spec(
        cls, spec: DemandSpec, calendar: BusinessCalendar, days: int, day_multiplier: np.ndarray
    ) -> DemandModel:
        """The demand a scenario describes."""
        return cls.build(
            calendar,
            days,
            spec.orders_per_day,
            weekday_profile=[spec.weekday_profile.get(name, 1.0) for name in WEEKDAYS],
            monthly_profile=spec.monthly_profile,
            hourly_profile=spec.hourly_profile,
            day_multiplier=day_multiplier,
        )

    @property
    def days(self) -> int:
        """Days on which orders arrive."""
        return int(self.daily_rate.size)

    @property
    def expected_orders(self) -> float:
        """Expected number of orders over all days."""
        return float(self.daily_rate.sum())

    def arrivals(self, day: int, rng: np.random.Generator, *, scale: float = 1.0) -> np.ndarray:
        """Sorted arrival times (hours) of the orders of ``day``, the rate times ``scale``."""
        u = rng.random(rng.poisson(self.daily_rate[day] * scale))
        out = np.empty_like(u)
        _arrival_times(u, np.array([u.size]), day, self.hourly_cdf, out)
        return out

    def arrivals_of_days(self, days: range, rng: np.random.Generator) -> np.ndarray:
        """The :meth:`arrivals` of consecutive ``days`` in one array: the same draws, in the
        same order, for a fraction of the per-day cost."""
        draws = [rng.random(rng.poisson(rate)) for rate in self.daily_rate[days].tolist()]
        u = np.concatenate(draws) if draws else np.empty(0)
        out = np.empty_like(u)
        _arrival_times(u, np.array([d.size for d in draws], dtype=np.int64), days.start,
                       self.hourly_cdf, out)
        return out

    def hour_of(self, u: np.ndarray) -> np.ndarray:
        """Hour of the day (with fraction) at probability ``u`` of the hourly profile."""
        u = np.ascontiguousarray(u, dtype=float)
        out = np.empty_like(u)
        _hours_of_day(u, self.hourly_cdf, out)
        return out
