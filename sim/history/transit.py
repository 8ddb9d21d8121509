"""Transit time (hand-over to delivery): candidate distributions fitted by maximum likelihood,
compared by AIC and checked by a Kolmogorov-Smirnov test, per service level and region.

Transit is read on the carrier's clock (business days, running only on delivery days, as the
simulator counts it) or in calendar days. Each candidate of :data:`CANDIDATES` is a
``scipy.stats`` family with its location fixed at 0; its standard errors come from the observed
information (a finite-difference Hessian of the log-likelihood). The chosen distribution is the
lowest-AIC candidate that fits (KS p-value at least ``alpha`` or KS distance at most
``tolerance``: with many orders every test rejects a small departure); when none fits, the
empirical distribution is kept. Groups of more than ``max_fitted`` orders are fitted on a
random sample of that many (seeded, so the same history gives the same fit): their standard
errors are the sample's, larger than the whole group's would be (the quantiles use every order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.history.business_days import delivery_days
from sim.history.estimate import Basis, Estimate
from sim.history.reading import History

__all__ = ["CANDIDATES", "CandidateFit", "TransitFit", "fit_transit", "observed_information"]

CANDIDATES: dict[str, stats.rv_continuous] = {
    "lognorm": stats.lognorm,
    "gamma": stats.gamma,
    "weibull_min": stats.weibull_min,
    "fisk": stats.fisk,
}
_QUANTILES = tuple(np.round(np.linspace(0.0, 1.0, 201), 3))


@dataclass(frozen=True, slots=True)
class CandidateFit:
    """One candidate family fitted to the transit times: its parameters (scipy's shape names
    and ``scale``; ``loc`` is 0), log-likelihood, AIC and KS distance and p-value.
    """

    family: str
    parameters: tuple[tuple[str, Estimate], ...]
    loglik: float
    aic: float
    ks_distance: float
    ks_pvalue: float

    def parameter(self, name: str) -> Estimate:
        """The fitted parameter ``name`` (e.g. ``"s"`` or ``"scale"`` for ``lognorm``)."""
        return dict(self.parameters)[name]

    def frozen(self) -> stats.rv_continuous:
        """The fitted scipy distribution."""
        values = [e.value for _, e in self.parameters]
        return CANDIDATES[self.family](*values[:-1], loc=0.0, scale=values[-1])


@dataclass(frozen=True, slots=True)
class TransitFit:
    """Transit of one group of orders (``service``/``region`` None: all of them)."""

    service: str | None
    region: str | None
    clock: str
    basis: Basis
    nonpositive: int
    candidates: tuple[CandidateFit, ...]
    chosen: str
    quantiles: tuple[tuple[float, float], ...]

    @property
    def best(self) -> CandidateFit | None:
        """The chosen candidate, or None when the empirical distribution is kept."""
        return next((c for c in self.candidates if c.family == self.chosen), None)


def observed_information(loglik: Callable[[np.ndarray], float], theta: np.ndarray,
                         rel_step: float = 1e-4) -> np.ndarray:
    """Minus the Hessian of ``loglik`` at ``theta`` by central finite differences."""
    theta = np.asarray(theta, dtype=float)
    k = theta.size
    h = rel_step * np.maximum(np.abs(theta), 1e-3)
    hessian = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            value = (loglik(theta + ei + ej) - loglik(theta + ei - ej)
                     - loglik(theta - ei + ej) + loglik(theta - ei - ej)) / (4 * h[i] * h[j])
            hessian[i, j] = hessian[j, i] = value
    return -hessian


def _fit_candidate(family: str, x: np.ndarray, ordered: np.ndarray) -> CandidateFit:
    dist = CANDIDATES[family]
    fitted = dist.fit(x, floc=0.0)
    theta = np.array(fitted[:-2] + fitted[-1:], dtype=float)  # shapes and scale, loc dropped

    def loglik(t: np.ndarray) -> float:
        if np.any(t <= 0):
            return -np.inf
        return float(dist.logpdf(x, *t[:-1], loc=0.0, scale=t[-1]).sum())

    value = loglik(theta)
    try:
        covariance = np.linalg.inv(observed_information(loglik, theta))
        se = np.sqrt(np.where(np.diag(covariance) > 0, np.diag(covariance), np.nan))
    except np.linalg.LinAlgError:
        se = np.full(theta.size, np.nan)
    names = [*(dist.shapes.split(", ") if dist.shapes else []), "scale"]
    cdf = dist.cdf(ordered, *theta[:-1], loc=0.0, scale=theta[-1])
    n = ordered.size
    distance = float(max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max()))
    return CandidateFit(
        family,
        tuple((name, Estimate.wald(t, s)) for name, t, s in zip(names, theta, se)),
        value,
        2 * theta.size - 2 * value,
        distance,
        float(stats.kstwo.sf(distance, n)),
    )


def _fit_group(x: np.ndarray, service: str | None, region: str | None, clock: str,
               basis: Basis, alpha: float, tolerance: float,
               families: tuple[str, ...], max_fitted: int) -> TransitFit:
    positive = x[x > 0]
    if positive.size > max_fitted:
        rng = np.random.default_rng(positive.size)
        positive = positive[rng.choice(positive.size, max_fitted, replace=False)]
    ordered = np.sort(positive)
    candidates = tuple(_fit_candidate(f, positive, ordered) for f in families)
    fitting = [c for c in candidates if c.ks_pvalue >= alpha or c.ks_distance <= tolerance]
    chosen = min(fitting, key=lambda c: c.aic).family if fitting else "empirical"
    quantiles = tuple((q, float(v)) for q, v in zip(_QUANTILES, np.quantile(x, _QUANTILES)))
    return TransitFit(service, region, clock, basis, int((x <= 0).sum()), candidates,
                      chosen, quantiles)


def fit_transit(
    history: History,
    *,
    clock: str = "business",
    weekdays: tuple[str, ...] | None = None,
    min_orders: int = 50,
    alpha: float = 0.01,
    tolerance: float = 0.02,
    families: tuple[str, ...] = tuple(CANDIDATES),
    max_fitted: int = 100_000,
) -> tuple[TransitFit, ...]:
    """Transit fits: all orders first, then each service level and region (and each pair, when
    both are given) with at least ``min_orders`` orders. ``clock``: ``"business"`` or
    ``"calendar"`` days.
    """
    if clock not in ("business", "calendar"):
        raise ValueError(f"clock must be 'business' or 'calendar', got {clock!r}")
    frame = history.frame
    if clock == "business":
        days = delivery_days(history, weekdays=weekdays)
        x = days.clock(frame["delivered"].to_numpy()) - days.clock(frame["handed_over"].to_numpy())
    else:
        x = ((frame["delivered"] - frame["handed_over"]).to_numpy().astype(np.int64) / 86.4e12)
    order_day = frame["order_time"].to_numpy().astype("datetime64[D]")

    def one(mask: np.ndarray, service: str | None, region: str | None) -> TransitFit:
        basis = Basis(order_day[mask].min().item(), order_day[mask].max().item(), int(mask.sum()))
        return _fit_group(x[mask], service, region, clock, basis, alpha, tolerance, families,
                          max_fitted)

    fits = [one(np.ones(len(frame), dtype=bool), None, None)]
    keys = [k for k in ("service", "region") if history.has(k)]
    groups = [[k] for k in keys] + ([keys] if len(keys) == 2 else [])
    for group in groups:
        for values, index in frame.groupby(group, observed=True).indices.items():
            if len(index) < min_orders:
                continue
            values = values if isinstance(values, tuple) else (values,)
            label = dict(zip(group, map(str, values)))
            mask = np.zeros(len(frame), dtype=bool)
            mask[index] = True
            fits.append(one(mask, label.get("service"), label.get("region")))
    return tuple(fits)
