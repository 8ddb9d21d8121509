"""Satisfaction from ratings: an ordered logit of the stars on business days early and late.

The latent satisfaction of an order ``e`` business days early or ``l`` days late is
``eta = beta_early * min(e, plateau) - beta_late * l ** curvature`` plus a logistic error,
cut into stars at thresholds: statsmodels' ``OrderedModel`` (logit link) fits it by maximum
likelihood, on the distinct (early, late, stars) rows with frequency weights (the same
likelihood as one row per order, much faster). The plateau (where delight stops growing) is
chosen by profile likelihood over whole days, with the curvature fixed at 1; the curvature
(of the loss side) then by profile likelihood over a grid at that plateau; both come with
likelihood-ratio intervals (the grid values within the chi-squared cut-off), the slopes and
thresholds with Wald standard errors of the final fit. The loss aversion is
``beta_late / beta_early`` (delta-method standard error). The slopes depend on the curvature,
so their intervals are the union of their Wald intervals over every curvature inside its
interval (a projection: conservative; the standard error is that of the chosen fit). In the
simulator's units the satisfaction is ``min(e, plateau) - loss_aversion * l ** curvature``
(early curvature 1), and ``expected_stars`` maps it to the model's expected rating.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel

from sim.history.business_days import delivery_days
from sim.history.estimate import LEVEL, Basis, Estimate, HistoryError
from sim.history.reading import History

__all__ = ["CURVATURES", "SatisfactionFit", "fit_satisfaction"]

CURVATURES = tuple(np.round(np.arange(0.5, 1.51, 0.1), 2))
_CUT = float(stats.chi2.ppf(LEVEL, 1))


class _CountedOrderedModel(OrderedModel):
    """statsmodels' ordered logit with frequency weights: each row stands for ``counts``
    identical orders (score and Hessian are the base class's numerical derivatives; the
    logistic distribution through ``expit``, as scipy's but without its per-call overhead).
    """

    def __init__(self, endog, exog, counts: np.ndarray, **kwargs) -> None:
        super().__init__(endog, exog, distr="logit", **kwargs)
        self.counts = np.asarray(counts, dtype=float)

    def cdf(self, x):
        return expit(x)

    def pdf(self, x):
        p = expit(x)
        return p * (1.0 - p)

    def loglikeobs(self, params):
        return super().loglikeobs(params) * self.counts


@dataclass(frozen=True, slots=True)
class SatisfactionFit:
    """The rating model: slopes, loss aversion, curvature, plateau, star thresholds."""

    basis: Basis
    early_slope: Estimate
    late_slope: Estimate
    loss_aversion: Estimate
    curvature: Estimate
    plateau: Estimate
    thresholds: tuple[Estimate, ...]
    stars: tuple[int, ...]
    loglik: float

    def expected_stars(self, satisfaction: np.ndarray) -> np.ndarray:
        """The model's expected rating at satisfaction ``satisfaction`` (simulator units)."""
        eta = self.early_slope.value * np.asarray(satisfaction, dtype=float)[..., None]
        cuts = np.array([t.value for t in self.thresholds])
        below = expit(cuts - eta)  # P(stars <= k) for every threshold
        probabilities = np.diff(below, prepend=0.0, append=1.0, axis=-1)
        return probabilities @ np.asarray(self.stars, dtype=float)

    def satisfaction(self, early: np.ndarray, late: np.ndarray) -> np.ndarray:
        """Satisfaction (simulator units) of orders ``early`` days early or ``late`` days late."""
        return (np.minimum(early, self.plateau.value)
                - self.loss_aversion.value * np.power(late, self.curvature.value))


def _fit(table: pd.DataFrame, plateau: float, curvature: float, start=None, *,
         final: bool = False):
    exog = np.column_stack([np.minimum(table["early"], plateau),
                            np.power(table["late"].to_numpy(float), curvature)])
    model = _CountedOrderedModel(table["stars"].to_numpy(), exog, table["n"].to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(method="bfgs", disp=False, maxiter=500, start_params=start,
                         skip_hessian=not final)


def _profile(values: Sequence[float], logliks: list[float]) -> Estimate:
    logliks_arr = np.asarray(logliks)
    best = int(np.argmax(logliks_arr))
    inside = [v for v, ll in zip(values, logliks_arr) if 2 * (logliks_arr[best] - ll) <= _CUT]
    return Estimate.interval(values[best], min(inside), max(inside))


def _thresholds(result, k: int) -> tuple[Estimate, ...]:
    raw = np.asarray(result.params)[k:]
    cov = np.asarray(result.cov_params())[k:, k:]
    out = []
    for j in range(raw.size):
        gradient = np.zeros(raw.size)
        gradient[0] = 1.0
        gradient[1:j + 1] = np.exp(raw[1:j + 1])
        value = raw[0] + np.exp(raw[1:j + 1]).sum()
        out.append(Estimate.wald(value, np.sqrt(gradient @ cov @ gradient)))
    return tuple(out)


def _slopes(result) -> tuple[Estimate, Estimate, Estimate]:
    """Early and late slopes and their ratio (delta-method standard error) of one fit."""
    params = np.asarray(result.params)
    cov = np.asarray(result.cov_params())
    ratio = -params[1] / params[0]
    gradient = np.array([params[1] / params[0] ** 2, -1.0 / params[0]])
    return (Estimate.wald(params[0], np.sqrt(cov[0, 0])),
            Estimate.wald(-params[1], np.sqrt(cov[1, 1])),
            Estimate.wald(ratio, np.sqrt(gradient @ cov[:2, :2] @ gradient)))


def _union(kept: Estimate, other: Estimate) -> Estimate:
    return Estimate(kept.value, kept.se, min(kept.low, other.low), max(kept.high, other.high))


def fit_satisfaction(history: History, *, weekdays: tuple[str, ...] | None = None,
                     max_plateau: int = 10) -> SatisfactionFit:
    """The ordered-logit rating model of the rated orders (see the module docstring)."""
    if not history.has("rating"):
        raise HistoryError("history: no ratings, so satisfaction cannot be fitted")
    frame = history.frame.loc[history.frame["rating"].notna()]
    days = delivery_days(history, weekdays=weekdays)
    early_days = days.between(frame["delivered"].to_numpy().astype("datetime64[D]"),
                              frame["promised"].to_numpy().astype("datetime64[D]"))
    table = (pd.DataFrame({"early": np.maximum(early_days, 0), "late": np.maximum(-early_days, 0),
                           "stars": frame["rating"].astype(int).to_numpy()})
             .value_counts().rename("n").reset_index())
    stars = tuple(sorted(table["stars"].unique()))
    if (table["late"] > 0).sum() == 0 or (table["early"] > 0).sum() == 0 or len(stars) < 2:
        raise HistoryError("history: ratings need early and late deliveries and two star "
                           "values to fit satisfaction")
    table["stars"] = table["stars"].map({s: i for i, s in enumerate(stars)})
    top = int(min(max_plateau, table["early"].max()))
    plateaus = list(range(1, top + 1))
    fits: dict[float, Any] = {}  # statsmodels results, by plateau
    start = None
    for c in plateaus:
        fits[c] = _fit(table, c, 1.0, start)
        start = fits[c].params
    plateau = _profile(plateaus, [fits[c].llf for c in plateaus])
    best_c = plateau.value
    late_values = table.loc[table["late"] > 0, "late"].nunique()
    if late_values >= 3:
        curves = {}
        for b in CURVATURES:
            curves[b] = _fit(table, best_c, b, fits[best_c].params)
        curvature = _profile(list(CURVATURES), [curves[b].llf for b in CURVATURES])
        final = _fit(table, best_c, curvature.value, curves[curvature.value].params, final=True)
    else:
        curvature = Estimate.interval(1.0, np.nan, np.nan)
        final = _fit(table, best_c, 1.0, fits[best_c].params, final=True)
    early, late, aversion = _slopes(final)
    if late_values >= 3:  # widen to every curvature in its interval (a projection)
        for b in CURVATURES:
            if curvature.low <= b <= curvature.high and b != curvature.value:
                other = _slopes(_fit(table, best_c, b, curves[b].params, final=True))
                early, late, aversion = (_union(x, y) for x, y in zip((early, late, aversion),
                                                                       other))
    dates = frame["order_time"].dt.date
    return SatisfactionFit(Basis(dates.min(), dates.max(), len(frame)), early, late, aversion,
                           curvature, plateau, _thresholds(final, 2), stars, float(final.llf))
