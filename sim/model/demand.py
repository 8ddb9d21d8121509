"""Orders placed: a non-homogeneous Poisson process by weekday, month, hour and season."""

from __future__ import annotations

import ctypes
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numba
import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

from sim.model.calendar import BusinessCalendar
from sim.scenario.base import WEEKDAYS
from sim.scenario.operations import Demand as DemandSpec

__all__ = ["DemandModel"]


@numba.njit(cache=True)
def _hours_of_day(u, cdf, out):
    """The inverse of the hourly profile's CDF, linear within each hour. The hour is found by
    walking from the last one, so sorted draws (as a day's are) cost one step each.
    """
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
    equal bins, then insertion sort over bins that hold about one draw each.
    """
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
def _day_times(u, day, cdf, out):
    """Arrival hours of draws ``u`` on ``day``: in order (sorted draws give sorted hours, and
    the walk of :func:`_hours_of_day` one step each), at the day's start plus their hour.
    """
    _sort_uniform(u, out)
    _hours_of_day(out, cdf, out)
    start = day * 24.0
    for i in range(out.size):
        out[i] = start + out[i]


@intrinsic
def _next_double(typingctx, function, state):
    """Call a bit generator's C ``next_double(state)``, both given as addresses: one uniform in
    [0, 1), the number ``Generator.random`` gives. (numba's own ``Generator`` argument costs
    10 to 20 µs a call to unpack; two addresses cost nothing.)
    """
    if not (isinstance(function, types.Integer) and isinstance(state, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        void_p = ir.IntType(8).as_pointer()
        kind = ir.FunctionType(ir.DoubleType(), [void_p])
        call = builder.inttoptr(args[0], kind.as_pointer())
        return builder.call(call, [builder.inttoptr(args[1], void_p)])

    return types.float64(function, state), codegen


def _bits(rng: np.random.Generator) -> tuple[int, int]:
    """The addresses of ``rng``'s C ``next_double`` and of its state, for :func:`_next_double`
    (valid while ``rng`` lives; like numba's own ``Generator`` support, draws through them do
    not take the generator's lock).
    """
    interface = rng.bit_generator.ctypes
    next_double = ctypes.cast(interface.next_double, ctypes.c_void_p).value
    return cast(int, next_double), interface.state_address  # a C function's address: never NULL


@numba.njit(cache=True, inline="always")
def _uniform(bits):
    return _next_double(bits[0], bits[1])


@numba.njit(cache=True)
def _loggam(x):
    """The logarithm of the gamma function as numpy's Poisson sampler computes it (Stirling's
    series past 7, shifted below), so that its acceptance test gives numpy's counts.
    """
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = -1.39243221690590e+00
    for c in (1.796443723688307e-01, -2.955065359477124e-02, 6.410256410256410e-03,
              -1.917526917526918e-03, 8.417508417508418e-04, -5.952380952380952e-04,
              7.936507936507937e-04, -2.777777777777778e-03, 8.333333333333333e-02):
        gl0 *= x2
        gl0 += c
    gl = gl0 / x0 + 0.5 * 1.8378770664093453e+00 + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


@numba.njit(cache=True)
def _poisson(bits, lam):
    """A Poisson count drawn exactly as ``rng.poisson(lam)`` draws it (``bits`` are ``rng``'s,
    see :func:`_bits`): numpy's algorithm (transformed rejection from 10 on, multiplied uniforms
    below), the same uniforms in the same order. numba's own ``poisson`` truncates where numpy
    floors, so it is not used.
    """
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = _uniform(bits) - 0.5
            v = _uniform(bits)
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                    <= -lam + k * loglam - _loggam(k + 1)):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    count = 0
    product = 1.0
    while True:
        product *= _uniform(bits)
        if product > enlam:
            count += 1
        else:
            return count


@numba.njit(cache=True)
def _arrival_times(bits, rates, first_day, cdf):
    """Arrival hours of consecutive days from ``first_day`` on, ``rates[d]`` expected on day
    ``first_day + d``: each day's count and then its uniforms, drawn from the generator of
    ``bits`` in that order (``rng.random(rng.poisson(rate))`` a day), as :func:`_day_times`.
    """
    expected = rates.sum()
    out = np.empty(int(expected + 6.0 * math.sqrt(expected)) + 16)
    u = np.empty(int(rates.max() + 6.0 * math.sqrt(rates.max())) + 16 if rates.size else 0)
    end = 0
    for d in range(rates.size):
        n = _poisson(bits, rates[d])
        if end + n > out.size:
            grown = np.empty(max(end + n, 2 * out.size))
            grown[:end] = out[:end]
            out = grown
        if n > u.size:
            u = np.empty(n)
        for i in range(n):
            u[i] = _uniform(bits)
        _day_times(u[:n], first_day + d, cdf, out[end:end + n])
        end += n
    return out[:end]


def _checked(rates: np.ndarray) -> np.ndarray:
    """``rates`` as Poisson means, refused as ``rng.poisson`` refuses them."""
    if not np.all(rates >= 0):
        raise ValueError("lam < 0 or lam is NaN")
    return rates


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
        _day_times(u, day, self.hourly_cdf, out)
        return out

    def arrivals_of_days(self, days: range, rng: np.random.Generator) -> np.ndarray:
        """The :meth:`arrivals` of consecutive ``days`` in one array: the same draws, in the
        same order, in one compiled pass.
        """
        rates = _checked(np.ascontiguousarray(self.daily_rate[days], dtype=float))
        return _arrival_times(_bits(rng), rates, days.start, self.hourly_cdf)

    def hour_of(self, u: np.ndarray) -> np.ndarray:
        """Hour of the day (with fraction) at probability ``u`` of the hourly profile."""
        u = np.ascontiguousarray(u, dtype=float)
        out = np.empty_like(u)
        _hours_of_day(u, self.hourly_cdf, out)
        return out
