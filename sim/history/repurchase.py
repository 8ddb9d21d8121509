"""Repeat customers: how many come back, and how much a late delivery keeps them away.

An order's customer "comes back" when they place another order within ``window_days`` after
its delivery. Only orders whose window closes before the history's last order are used
(the others are censored: we cannot know yet), and orders without a customer id are left
out. The rate is the share that came back (binomial standard error); the effect of lateness
is a logistic regression (statsmodels ``Logit``) of coming back on whether that delivery was
late (delivered after the promised day), with its difference in probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

from sim.history.estimate import Basis, Estimate, HistoryError
from sim.history.reading import History

__all__ = ["RepurchaseFit", "fit_repurchase"]


@dataclass(frozen=True, slots=True)
class RepurchaseFit:
    """Coming back within the window: the rate, the logit coefficients (intercept, effect of
    a late delivery), the odds ratio and the difference in probability late minus on time.
    """

    basis: Basis
    window_days: float
    censored: int
    rate: Estimate
    intercept: Estimate
    late_effect: Estimate
    odds_ratio: Estimate
    late_difference: Estimate


def came_back(history: History, window_days: float) -> tuple[np.ndarray, np.ndarray]:
    """For each order: whether its customer ordered again within the window after its
    delivery, and whether that window closes within the history (the order is usable).
    """
    frame = history.frame
    code = frame["customer"].cat.codes.to_numpy().astype(np.int64)
    hours = (frame["order_time"] - frame["order_time"].min()).to_numpy().astype(np.int64) / 3.6e12
    delivered = ((frame["delivered"] - frame["order_time"].min()).to_numpy().astype(np.int64)
                 / 3.6e12)
    span = float(hours.max()) + 1.0
    key = code * span * 4 + hours  # customers apart, then their orders in time
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    following = np.searchsorted(sorted_key, code * span * 4 + delivered, side="right")
    found = following < key.size
    nxt = order[np.minimum(following, key.size - 1)]
    same = found & (code[nxt] == code)
    window = window_days * 24.0
    back = same & (hours[nxt] <= delivered + window)
    usable = (code >= 0) & (delivered + window <= hours.max())
    return back, usable


def fit_repurchase(history: History, *, window_days: float = 60.0) -> RepurchaseFit:
    """Repurchase rate and the effect of a late delivery on it (see the module docstring)."""
    if not history.has("customer"):
        raise HistoryError("history: no customer ids, so repurchase cannot be fitted")
    frame = history.frame
    back, usable = came_back(history, window_days)
    if history.promise_has_time:
        late = (frame["delivered"] > frame["promised"]).to_numpy()
    else:
        late = (frame["delivered"].dt.normalize() > frame["promised"].dt.normalize()).to_numpy()
    y, x = back[usable].astype(float), late[usable].astype(float)
    n = y.size
    if n < 10 or x.min() == x.max() or y.min() == y.max():
        raise HistoryError(f"history: {n} orders with a closed {window_days:g}-day window; "
                           "repurchase needs returns, non-returns and late deliveries among them")
    empty = [f"{'late' if late_ else 'on-time'} deliveries whose customers "
             f"{'came back' if back_ else 'did not'}"
             for late_ in (1, 0) for back_ in (1, 0) if not np.any((x == late_) & (y == back_))]
    if empty:
        raise HistoryError(f"history: no {empty[0]} within {window_days:g} days, so the effect "
                           "of lateness on coming back cannot be estimated (the logit's "
                           "estimate does not exist)")
    p = y.mean()
    logit = sm.Logit(y, sm.add_constant(x)).fit(disp=False)
    a, b = logit.params
    se_a, se_b = logit.bse
    p1, p0 = y[x == 1].mean(), y[x == 0].mean()
    n1, n0 = (x == 1).sum(), (x == 0).sum()
    difference = Estimate.wald(p1 - p0, np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0))
    odds = Estimate.interval(np.exp(b), np.exp(b - 1.959964 * se_b), np.exp(b + 1.959964 * se_b))
    dates = frame["order_time"].dt.date[usable]
    return RepurchaseFit(
        Basis(dates.min(), dates.max(), n), window_days, int((~usable).sum()),
        Estimate.wald(p, np.sqrt(p * (1 - p) / n)), Estimate.wald(a, se_a),
        Estimate.wald(b, se_b), odds, difference)
