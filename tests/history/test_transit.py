"""Transit fits: the chosen family and every parameter's interval cover the truth."""

import numpy as np
from scipy import stats

from sim.history import LEVEL, SyntheticShop, fit_transit, read_history
from sim.history.transit import observed_information

SEEDS = 20
#: Fewest covering seeds that is still plausible: the 0.1% binomial quantile.
MIN_COVERS = int(stats.binom.ppf(0.001, SEEDS, LEVEL))


def test_fit_transit_intervals_cover_the_true_lognormal_per_region():
    shop = SyntheticShop(orders_per_day=25, rating=None)
    covers = {(r.name, p): 0 for r in shop.regions for p in ("s", "scale")}
    chosen = 0
    for seed in range(SEEDS):
        history = read_history(shop.generate(np.random.default_rng(seed), days=60))
        fits = {f.region: f for f in fit_transit(history, families=("lognorm", "gamma"))}
        for region in shop.regions:
            fit = fits[region.name]
            chosen += fit.chosen == "lognorm"
            lognorm = next(c for c in fit.candidates if c.family == "lognorm")
            covers[region.name, "s"] += lognorm.parameter("s").covers(region.transit_sigma)
            covers[region.name, "scale"] += lognorm.parameter("scale").covers(region.transit_median)
    assert min(covers.values()) >= MIN_COVERS, covers
    assert chosen >= 2 * MIN_COVERS


def test_fit_transit_keeps_the_empirical_distribution_when_nothing_fits():
    shop = SyntheticShop(orders_per_day=40, rating=None)
    history = read_history(shop.generate(np.random.default_rng(1), days=60))
    frame = history.frame.copy()
    bimodal = np.where(np.arange(len(frame)) % 2 == 0, 1, 12)
    frame["delivered"] = frame["handed_over"] + bimodal * np.timedelta64(1, "D")
    fits = fit_transit(read_history(frame), clock="calendar", tolerance=0.0)
    assert fits[0].chosen == "empirical" and fits[0].best is None
    assert dict(fits[0].quantiles)[0.5] in (1.0, 12.0)


def test_observed_information_of_a_normal_mean_is_n_over_variance():
    x = np.random.default_rng(0).normal(2.0, 3.0, 500)
    info = observed_information(lambda t: float(stats.norm.logpdf(x, t[0], 3.0).sum()),
                                np.array([x.mean()]))
    assert np.isclose(info[0, 0], 500 / 9.0, rtol=1e-4)
