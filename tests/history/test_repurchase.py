"""Repurchase: the logit of coming back on lateness covers the known truth."""

import numpy as np
import pytest
from scipy import stats

from sim.history import (
    LEVEL,
    HistoryError,
    ReturnTruth,
    SyntheticShop,
    fit_repurchase,
    read_history,
)

SEEDS = 20
MIN_COVERS = int(stats.binom.ppf(0.001, SEEDS, LEVEL))


def test_fit_repurchase_intervals_cover_the_truth():
    truth = ReturnTruth(intercept=-1.0, late_effect=-0.8, window_days=30)
    shop = SyntheticShop(orders_per_day=25, rating=None, returns=truth)
    covers = {"intercept": 0, "late_effect": 0}
    for seed in range(SEEDS):
        history = read_history(shop.generate(np.random.default_rng(seed), days=150))
        fit = fit_repurchase(history, window_days=truth.window_days)
        covers["intercept"] += fit.intercept.covers(truth.intercept)
        covers["late_effect"] += fit.late_effect.covers(truth.late_effect)
        assert fit.censored > 0
    assert min(covers.values()) >= MIN_COVERS, covers


def test_fit_repurchase_refuses_when_late_customers_never_came_back():
    history = read_history(SyntheticShop(orders_per_day=30, returns=ReturnTruth()).generate(
        np.random.default_rng(2), days=120))
    frame = history.frame
    late = (frame["delivered"].dt.normalize() > frame["promised"]).to_numpy()
    keep = ~late | ~frame["customer"].duplicated(keep=False).to_numpy()
    with pytest.raises(HistoryError, match="late deliveries whose customers came back"):
        fit_repurchase(history.subset(keep))
