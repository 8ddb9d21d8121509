"""Demand fits: orders a day, profiles and trend cover the truth; peaks are found."""

import datetime as dt

import numpy as np
import pandas as pd
from scipy import stats

from sim.history import LEVEL, SyntheticShop, fit_demand, read_history
from sim.history.synthetic import expected_shares

SEEDS = 20
MIN_COVERS = int(stats.binom.ppf(0.001, SEEDS, LEVEL))
START, DAYS = dt.date(2017, 1, 2), 84


def test_fit_demand_intervals_cover_the_truth():
    shop = SyntheticShop(orders_per_day=40, trend=0.2, rating=None)
    truth = expected_shares(shop, START, DAYS)
    covers = {"per_day": 0, "trend": 0, **{f"weekday{d}": 0 for d in range(7)},
              **{f"hour{h}": 0 for h in (3, 10, 19)}}
    for seed in range(SEEDS):
        fit = fit_demand(read_history(shop.generate(np.random.default_rng(seed), start=START,
                                                    days=DAYS)))
        covers["per_day"] += fit.per_day.covers(float(truth["per_day"]))
        covers["trend"] += fit.trend.covers(shop.trend)
        for d in range(7):
            covers[f"weekday{d}"] += fit.weekday[d].covers(truth["weekday"][d])
        for h in (3, 10, 19):
            covers[f"hour{h}"] += fit.hour[h].covers(truth["hour"][h])
    assert min(covers.values()) >= MIN_COVERS, covers


def test_fit_demand_finds_a_planted_peak_day():
    shop = SyntheticShop(orders_per_day=40, rating=None)
    frame = shop.generate(np.random.default_rng(5), start=START, days=DAYS)
    extra = frame[frame["order_time"].dt.date == dt.date(2017, 2, 1)]
    frame = pd.concat([frame, extra, extra], ignore_index=True)
    frame["order_id"] = [f"o{i}" for i in range(len(frame))]
    fit = fit_demand(read_history(frame))
    assert dt.date(2017, 2, 1) in [p.day for p in fit.peaks]
    assert fit.days == DAYS and abs(sum(s.value for s in fit.month) - 1) < 1e-12
