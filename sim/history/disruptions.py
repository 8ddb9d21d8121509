"""Disruptions of a history: periods whose transit departs from the rest beyond a control
limit, read as the scenario's ``disruptions.events`` (a rate, a duration and a severity).

Transit is read on the carrier's clock (business days, as :mod:`sim.history.transit` reads it)
and grouped by hand-over date, as the model slows the parcels shipped during an event. A day
with at least ``min_day_orders`` hand-overs is tested: its mean transit against the centre, in
units of ``sqrt(sigma^2 / n + tau^2)``, with ``sigma`` the pooled within-day spread (so a small
day is not flagged by noise) and ``tau`` the between-day spread beyond it (from the median
absolute deviation of the daily means, so a few slow days do not inflate it). A first pass
takes the median daily mean as the centre; a second takes centre and spreads from the days the
first did not flag. Days above ``limit`` (raised by the Cornish-Fisher term for the skew of a
day's mean, as transit is skewed) are flagged, slow ones only (the model's disruptions slow
transit), and merged into periods across gaps of at most :data:`MAX_GAP_DAYS` days that are
not delivery days or have too few hand-overs to test.

The periods give the events: their count a year (exact Poisson interval), their mean length
in days, and their effect on transit, a multiplier (pooled log ratio of each period's mean to
the normal mean) or an added delay (pooled difference), pooled by DerSimonian-Laird random
effects so that events of different severity widen the interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.history.business_days import delivery_days
from sim.history.estimate import LEVEL, Basis, Estimate, HistoryError
from sim.history.reading import History

__all__ = ["MAX_GAP_DAYS", "DisruptionFit", "DisruptionPeriod", "fit_disruptions"]

#: Longest run of untested or non-delivery days a period spans (a weekend and a holiday).
MAX_GAP_DAYS = 3
_MAD = 1.4826  # median absolute deviation to standard deviation, for normal data


@dataclass(frozen=True, slots=True)
class DisruptionPeriod:
    """Hand-over dates ``start`` to ``end`` (inclusive) whose transit was slow: its orders,
    their mean transit (business days) and its ratio to the normal mean.
    """

    start: dt.date
    end: dt.date
    days: int
    orders: int
    mean_transit: float
    ratio: float


@dataclass(frozen=True, slots=True)
class DisruptionFit:
    """Slow periods of a history and what they imply for the scenario's disruption events:
    events a year, their duration in days, and their effect on transit as a multiplier or,
    the alternative, added business days. ``spread_ratio`` (standard deviation of transit in
    the periods over outside) tells them apart: near the multiplier when transit scales, near
    1 when a delay is added.
    """

    basis: Basis
    control_limit: float
    tested_days: int
    flagged_days: int
    normal_transit: Estimate
    periods: tuple[DisruptionPeriod, ...]
    rate_per_year: Estimate
    duration_days: Estimate
    transit_multiplier: Estimate
    transit_delay_days: Estimate
    spread_ratio: float

    def normal_mask(self, history: History) -> np.ndarray:
        """Which orders of ``history`` were handed over outside every period (to refit transit
        on them: ``history.subset(fit.normal_mask(history))``).
        """
        day = history.frame["handed_over"].to_numpy().astype("datetime64[D]")
        inside = np.zeros(day.shape, dtype=bool)
        for p in self.periods:
            inside |= (day >= np.datetime64(p.start, "D")) & (day <= np.datetime64(p.end, "D"))
        return ~inside


def _excess(mean: np.ndarray, n: np.ndarray, moments: np.ndarray, sums: np.ndarray,
            use: np.ndarray, centre: float | None, limit: float) -> np.ndarray:
    """How far each day's mean transit lies beyond the control limit, in standard errors
    (the limit corrected for the skew of a day's mean); centre (when not given: the mean of
    their orders) and spreads read from the days ``use``.
    """
    if centre is None:
        centre = float(sums[use].sum() / n[use].sum())
    sigma2 = moments[0, use].sum() / max(int((n[use] - 1).sum()), 1)
    third = moments[1, use].sum() / n[use].sum()
    mad = np.median(np.abs(mean[use] - np.median(mean[use])))
    tau2 = max(0.0, (_MAD * mad) ** 2 - float(np.median(sigma2 / n[use])))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(sigma2 / n + tau2)
        skew = third / n ** 2 / se ** 3
        return (mean - centre) / se - (limit + (limit ** 2 - 1) * skew / 6)


def _periods(flagged: np.ndarray, bridge: np.ndarray) -> list[tuple[int, int]]:
    """Runs of flagged days (first and last index), joined across at most
    :data:`MAX_GAP_DAYS` days that are all ``bridge`` days.
    """
    days = np.flatnonzero(flagged)
    if days.size == 0:
        return []
    breakers = np.concatenate([[0], np.cumsum(~bridge & ~flagged)])
    gap = np.diff(days) - 1
    joined = (gap <= MAX_GAP_DAYS) & (breakers[days[1:]] == breakers[days[:-1] + 1])
    starts = np.concatenate([[0], np.flatnonzero(~joined) + 1])
    ends = np.concatenate([starts[1:] - 1, [days.size - 1]])
    return [(int(days[s]), int(days[e])) for s, e in zip(starts, ends)]


def _pooled(effects: np.ndarray, variances: np.ndarray) -> Estimate:
    """The mean effect of the periods, by DerSimonian-Laird random effects: periods differ by
    more than their orders' noise widen the interval (one period: its own estimate).
    """
    if effects.size == 0:
        return Estimate.wald(np.nan, np.nan)
    weights = 1 / variances
    fixed = np.sum(weights * effects) / weights.sum()
    q = float(np.sum(weights * (effects - fixed) ** 2))
    spread = weights.sum() - np.sum(weights ** 2) / weights.sum()
    tau2 = max(0.0, (q - (effects.size - 1)) / spread) if effects.size > 1 else 0.0
    weights = 1 / (variances + tau2)
    return Estimate.wald(np.sum(weights * effects) / weights.sum(), np.sqrt(1 / weights.sum()))


def _poisson_rate(count: int, years: float) -> Estimate:
    """Events a year with the exact (Garwood) interval of a Poisson count."""
    alpha = 1 - LEVEL
    low = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count else 0.0
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return Estimate(count / years, float(np.sqrt(count) / years), float(low / years),
                    float(high / years))


def _flagged(x: np.ndarray, index: np.ndarray, n: np.ndarray, limit: float,
             tested: np.ndarray) -> np.ndarray:
    """Which days are beyond the control limit (two passes)."""
    sums = np.bincount(index, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums / n
    deviation = x - mean[index]
    moments = np.stack([np.bincount(index, deviation ** 2), np.bincount(index, deviation ** 3)])
    excess = _excess(mean, n, moments, sums, tested, float(np.median(mean[tested])), limit)
    flagged = tested & (excess > 0)
    if (tested & ~flagged).any():
        flagged = tested & (_excess(mean, n, moments, sums, tested & ~flagged, None, limit) > 0)
    return flagged


def _ratio(log_ratio: Estimate) -> Estimate:
    """A multiplier from its logarithm: the interval mapped, the standard error by the delta
    method.
    """
    value = float(np.exp(log_ratio.value))
    return Estimate(value, value * log_ratio.se, float(np.exp(log_ratio.low)),
                    float(np.exp(log_ratio.high)))


def fit_disruptions(history: History, *, weekdays: Iterable[str] | None = None,
                    limit: float = 3.0, min_day_orders: int = 5) -> DisruptionFit:
    """Slow periods of ``history`` beyond ``limit`` standard errors, and the disruption
    events they imply (see the module docstring). ``weekdays``: the delivery weekdays (read
    from the deliveries when None).
    """
    if min_day_orders < 2:
        raise ValueError(f"min_day_orders must be >= 2, got {min_day_orders}")
    if not history.has("handed_over"):
        raise HistoryError(f"{history.report.source}: no hand-over times (column handed_over); "
                           "disruptions of transit cannot be fitted")
    frame = history.frame
    calendar = delivery_days(history, weekdays=None if weekdays is None else tuple(weekdays))
    handed = frame["handed_over"].to_numpy()
    x = calendar.clock(frame["delivered"].to_numpy()) - calendar.clock(handed)
    day = handed.astype("datetime64[D]")
    index = (day - day.min()).astype(np.int64)
    n = np.bincount(index).astype(float)
    tested = n >= min_day_orders
    if not tested.any():
        raise HistoryError(f"{history.report.source}: no day with {min_day_orders} hand-overs; "
                           "disruptions cannot be fitted")
    flagged = _flagged(x, index, n, limit, tested)
    dates = day.min() + np.arange(n.size)
    bridge = ~tested | (calendar.between(dates, dates + 1) == 0)
    runs = _periods(flagged, bridge)
    label = np.full(n.size, -1)
    for j, (s, e) in enumerate(runs):
        label[s:e + 1] = j
    of = label[index]
    inside = of >= 0
    x_in, of, x_out = x[inside], of[inside], x[~inside]
    normal, var_out = float(x_out.mean()), float(x_out.var(ddof=1) / x_out.size)
    count = np.bincount(of, minlength=len(runs))
    means = np.bincount(of, x_in, len(runs)) / np.maximum(count, 1)
    var_in = np.bincount(of, (x_in - means[of]) ** 2, len(runs)) / np.maximum(count - 1, 1)
    var_mean = var_in / np.maximum(count, 1)
    periods = tuple(DisruptionPeriod(dates[s].item(), dates[e].item(), e - s + 1, int(c),
                                     float(m), float(m / normal))
                    for (s, e), c, m in zip(runs, count, means))
    lengths = np.array([p.days for p in periods], dtype=float)
    spread = lengths.std(ddof=1) / np.sqrt(lengths.size) if lengths.size > 1 else np.nan
    return DisruptionFit(
        basis=history.basis,
        control_limit=limit,
        tested_days=int(tested.sum()),
        flagged_days=int(flagged.sum()),
        normal_transit=Estimate.wald(normal, np.sqrt(var_out)),
        periods=periods,
        rate_per_year=_poisson_rate(len(periods), n.size / 365.25),
        duration_days=Estimate.wald(lengths.mean() if lengths.size else np.nan, spread),
        transit_multiplier=_ratio(_pooled(np.log(means / normal),
                                          var_mean / means ** 2 + var_out / normal ** 2)),
        transit_delay_days=_pooled(means - normal, var_mean + var_out),
        spread_ratio=(float(np.sqrt(np.average(var_in, weights=count - 1)) / x_out.std(ddof=1))
                      if count.sum() > len(runs) else np.nan),
    )
