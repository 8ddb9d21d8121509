"""Demand of a history: orders a day, weekday, month and hour profiles, trend and peaks.

Profiles are shares of all orders with multinomial standard errors ``sqrt(p (1 - p) / N)``.
Orders a day is the mean daily count over every day of the period (days without orders
count); its standard error is the daily counts' standard deviation over the square root of
the days (conservative: the weekday pattern is counted as noise). The trend is the slope of
an ordinary least-squares line of the daily count on the day, with weekday effects and
heteroskedasticity-robust (HC1) standard errors. A peak is a day whose count exceeds that
line's prediction by more than ``limit`` residual standard deviations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from sim.history.estimate import Basis, Estimate
from sim.history.reading import History

__all__ = ["DemandFit", "Peak", "fit_demand"]


@dataclass(frozen=True, slots=True)
class Peak:
    """A day whose orders exceed the control limit."""

    day: dt.date
    orders: int
    expected: float
    limit: float


@dataclass(frozen=True, slots=True)
class DemandFit:
    """Demand of a history; profiles are shares (weekday Monday first, month January first,
    hour 0 first; a month absent from the period has share 0).
    """

    basis: Basis
    days: int
    per_day: Estimate
    weekday: tuple[Estimate, ...]
    month: tuple[Estimate, ...]
    hour: tuple[Estimate, ...]
    trend: Estimate
    peaks: tuple[Peak, ...]
    control_limit: float


def _shares(labels: np.ndarray, size: int) -> tuple[Estimate, ...]:
    counts = np.bincount(labels, minlength=size).astype(float)
    total = counts.sum()
    p = counts / total
    return tuple(Estimate.wald(v, np.sqrt(v * (1 - v) / total)) for v in p)


def fit_demand(history: History, *, limit: float = 3.0) -> DemandFit:
    """Orders a day, profiles, trend and peaks of ``history`` (see the module docstring)."""
    times = history.frame["order_time"]
    day = times.dt.normalize().to_numpy().astype("datetime64[D]")
    first = day.min()
    index = (day - first).astype(np.int64)
    counts = np.bincount(index).astype(float)
    days = counts.size
    per_day = Estimate.wald(counts.mean(), counts.std(ddof=1) / np.sqrt(days) if days > 1 else
                            np.nan)
    dates = first + np.arange(days)
    weekday = ((dates.astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday
    design = pd.get_dummies(pd.Categorical(weekday, categories=range(7)), dtype=float)
    design = design.loc[:, design.sum() > 0]
    design["day"] = np.arange(days, dtype=float)
    ols = sm.OLS(counts, design.to_numpy()).fit(cov_type="HC1") if days > 8 else None
    if ols is not None:
        trend = Estimate.wald(ols.params[-1], ols.bse[-1])
        expected = ols.fittedvalues
        spread = float(np.std(ols.resid, ddof=design.shape[1]))
    else:
        trend = Estimate.wald(np.nan, np.nan)
        expected, spread = np.full(days, counts.mean()), float(counts.std())
    bound = expected + limit * spread
    peaks = tuple(Peak(dates[d].item(), int(counts[d]), float(expected[d]), float(bound[d]))
                  for d in np.flatnonzero(counts > bound))
    return DemandFit(
        basis=history.basis,
        days=days,
        per_day=per_day,
        weekday=_shares(times.dt.day_of_week.to_numpy(), 7),
        month=_shares(times.dt.month.to_numpy() - 1, 12),
        hour=_shares(times.dt.hour.to_numpy(), 24),
        trend=trend,
        peaks=peaks,
        control_limit=limit,
    )
