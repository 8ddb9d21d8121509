"""Disruptions: planted slow periods are found, their effect's interval covers the truth, and
a history without any raises no more alarms than the control limit allows."""

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from sim.history import (
    LEVEL,
    DisruptionTruth,
    HistoryError,
    SyntheticShop,
    TruckTruth,
    fit_disruptions,
    read_history,
)

SEEDS = 12
MIN_COVERS = int(stats.binom.ppf(0.001, SEEDS, LEVEL))
START, DAYS = dt.date(2017, 1, 2), 364


def _planted(multiplier: float = 1.0, delay: float = 0.0) -> tuple[DisruptionTruth, ...]:
    return tuple(DisruptionTruth(start, days, multiplier, delay) for start, days in
                 ((dt.date(2017, 3, 6), 5), (dt.date(2017, 7, 12), 8), (dt.date(2017, 10, 2), 3)))


def _overlaps(found, planted: DisruptionTruth) -> bool:
    last = planted.start + dt.timedelta(days=planted.days - 1)
    return found.start <= last and found.end >= planted.start


@pytest.mark.parametrize(("multiplier", "delay"), [(1.6, 0.0), (1.0, 2.0)])
def test_fit_disruptions_finds_planted_periods_and_covers_their_effect(multiplier, delay):
    planted = _planted(multiplier, delay)
    shop = SyntheticShop(orders_per_day=60, rating=None, disruptions=planted)
    covers = 0
    for seed in range(SEEDS):
        history = read_history(shop.generate(np.random.default_rng(seed), start=START,
                                             days=DAYS))
        fit = fit_disruptions(history)
        assert all(any(_overlaps(f, p) for f in fit.periods) for p in planted)
        effect = fit.transit_multiplier if delay == 0 else fit.transit_delay_days
        covers += effect.covers(multiplier if delay == 0 else delay)
        normal = fit.normal_mask(history)
        assert not any(p.during(history.frame["handed_over"].to_numpy()[normal]).any()
                       for p in planted)
    assert covers >= MIN_COVERS, covers


def test_fit_disruptions_tells_a_multiplier_from_an_added_delay_by_the_spread():
    fits = [fit_disruptions(read_history(SyntheticShop(
        orders_per_day=60, rating=None, disruptions=_planted(m, d)).generate(
            np.random.default_rng(0), start=START, days=DAYS))) for m, d in ((2.0, 0), (1, 4.0))]
    assert fits[1].spread_ratio < 1.5 < fits[0].spread_ratio


def test_fit_disruptions_without_disruptions_stays_within_the_false_alarm_bound():
    flagged = tested = 0
    for seed in range(8):
        shop = SyntheticShop(orders_per_day=60, rating=None)
        fit = fit_disruptions(read_history(shop.generate(np.random.default_rng(100 + seed),
                                                         start=START, days=DAYS)))
        flagged += fit.flagged_days
        tested += fit.tested_days
    assert flagged <= stats.poisson.ppf(0.999, tested * stats.norm.sf(3.0))


def test_fit_disruptions_joins_a_period_across_a_weekend_without_hand_overs():
    planted = (DisruptionTruth(dt.date(2017, 5, 8), 10, 2.0),)  # Monday to the next Wednesday
    shop = SyntheticShop(orders_per_day=60, rating=None, truck=TruckTruth(),
                         disruptions=planted)
    fit = fit_disruptions(read_history(shop.generate(np.random.default_rng(3), start=START,
                                                     days=DAYS)))
    slow = [p for p in fit.periods if _overlaps(p, planted[0])]
    assert [(p.start, p.end, p.days) for p in slow] == [(dt.date(2017, 5, 8),
                                                         dt.date(2017, 5, 17), 10)]


def test_fit_disruptions_rate_interval_is_the_exact_poisson_one():
    shop = SyntheticShop(orders_per_day=60, rating=None, disruptions=_planted(2.0))
    fit = fit_disruptions(read_history(shop.generate(np.random.default_rng(5), start=START,
                                                     days=DAYS)))
    count = len(fit.periods)
    assert count >= 3
    exposure = count / fit.rate_per_year.value  # years of hand-overs
    tail = (1 - LEVEL) / 2
    assert np.isclose(stats.poisson.sf(count - 1, fit.rate_per_year.low * exposure), tail)
    assert np.isclose(stats.poisson.cdf(count, fit.rate_per_year.high * exposure), tail)


def test_fit_disruptions_without_hand_overs_is_one_line():
    frame = SyntheticShop(orders_per_day=10, rating=None).generate(
        np.random.default_rng(0), days=10).drop(columns="handed_over")
    with pytest.raises(HistoryError, match="no hand-over times"):
        fit_disruptions(read_history(frame))
