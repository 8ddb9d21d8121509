"""The satisfaction fit: intervals cover the known ordered logit's parameters."""

import numpy as np
import pytest
from scipy import stats

from sim.history import (
    LEVEL,
    HistoryError,
    RatingTruth,
    SyntheticShop,
    fit_satisfaction,
    read_history,
)

SEEDS = 16
MIN_COVERS = int(stats.binom.ppf(0.001, SEEDS, LEVEL))


def test_fit_satisfaction_intervals_cover_the_truth():
    truth = RatingTruth()
    shop = SyntheticShop(orders_per_day=40, rating=truth)
    names = ("early_slope", "late_slope", "loss_aversion", "curvature", "plateau")
    covers = dict.fromkeys([*names, "thresholds"], 0)
    values = {"early_slope": truth.early_slope, "late_slope": truth.late_slope,
              "loss_aversion": truth.late_slope / truth.early_slope,
              "curvature": truth.late_curvature, "plateau": truth.plateau}
    for seed in range(SEEDS):
        fit = fit_satisfaction(read_history(shop.generate(np.random.default_rng(seed), days=60)),
                               max_plateau=6)
        for name in names:
            covers[name] += getattr(fit, name).covers(values[name])
        covers["thresholds"] += all(t.covers(k) for t, k in zip(fit.thresholds, truth.thresholds))
    assert min(covers.values()) >= MIN_COVERS, covers


def test_expected_stars_fall_with_lateness_and_level_off_when_early():
    shop = SyntheticShop(orders_per_day=40)
    fit = fit_satisfaction(read_history(shop.generate(np.random.default_rng(1), days=60)))
    top = fit.plateau.value
    stars = fit.expected_stars(fit.satisfaction(np.array([0, 0, 0, top, top + 5]),
                                                np.array([3, 1, 0, 0, 0])))
    assert np.all(np.diff(stars) >= 0) and stars[-1] == stars[-2]
    assert stars.min() >= 1 and stars.max() <= 5


def test_fit_satisfaction_without_ratings_is_one_line():
    shop = SyntheticShop(orders_per_day=10, rating=None)
    with pytest.raises(HistoryError, match="no ratings"):
        fit_satisfaction(read_history(shop.generate(np.random.default_rng(0), days=10)))
