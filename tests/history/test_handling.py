"""Handling: the truck's cut-off and pickup weekdays are recovered exactly, the shares of
trucks waited cover the truth, spread hand-overs are told apart from a truck."""

import datetime as dt

import holidays
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.history import (
    LEVEL,
    HistoryError,
    SyntheticShop,
    TruckTruth,
    fit_handling,
    read_history,
)
from sim.history.business_days import DeliveryDays

SEEDS = 20
MIN_COVERS = int(stats.binom.ppf(0.001, SEEDS, LEVEL))
START = dt.date(2017, 1, 2)
US_2017 = tuple(np.datetime64(d, "D") for d in sorted(holidays.country_holidays("US",
                                                                              years=[2017])))
TRUCK = TruckTruth(cutoff="15:30", pickup=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat"),
                   shares=(0.5, 0.3, 0.15, 0.05), scan_minutes=12)


def _shop(truck: TruckTruth = TRUCK, orders_per_day: float = 30) -> SyntheticShop:
    delivery = DeliveryDays((True,) * 5 + (False, False), US_2017)
    return SyntheticShop(orders_per_day=orders_per_day, rating=None, truck=truck,
                         delivery=delivery)


def _with_rare_sundays(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    """The frame with one morning order on each of ``count`` Sundays handed over that day at
    the truck's time.
    """
    frame = frame.copy()
    time = frame["order_time"]
    mornings = frame[(time.dt.day_of_week == 6) & (time.dt.hour < 12)]
    rows = mornings.groupby(mornings["order_time"].dt.date).head(1).index[:count]
    frame.loc[rows, "handed_over"] = time[rows].dt.normalize() + pd.Timedelta(hours=15.5)
    frame.loc[rows, "delivered"] = frame.loc[rows, "handed_over"] + pd.Timedelta(days=2)
    return frame


def test_fit_handling_recovers_the_truck_and_covers_the_trucks_waited():
    covers = np.zeros(len(TRUCK.shares), dtype=int)
    for seed in range(SEEDS):
        frame = _shop().generate(np.random.default_rng(seed), start=START, days=84)
        if seed == 0:
            frame = _with_rare_sundays(frame, 3)
        fit = fit_handling(read_history(frame, country="US"))
        assert fit.cutoff == TRUCK.cutoff and fit.concentrated
        assert fit.pickup_weekdays == TRUCK.pickup
        assert fit.trucks == tuple(range(len(TRUCK.shares)))
        assert sum(fit.counts) == fit.basis.orders and fit.folded == 0
        covers += [s.covers(p) for s, p in zip(fit.shares, TRUCK.shares)]
    assert covers.min() >= MIN_COVERS, covers


def test_fit_handling_on_a_calendar_without_holidays_misses_the_trucks_waited():
    frame = _shop(orders_per_day=60).generate(np.random.default_rng(1), start=START, days=84)
    right = fit_handling(read_history(frame, country="US"))
    wrong = fit_handling(read_history(frame))
    assert right.early == 0 and right.mean_trucks.covers(np.dot(TRUCK.shares, range(4)))
    assert wrong.mean_trucks.low > right.mean_trucks.high


def test_fit_handling_spread_hand_overs_are_not_a_truck():
    history = read_history(SyntheticShop(orders_per_day=30, rating=None).generate(
        np.random.default_rng(0), days=84))
    fit = fit_handling(history)
    minutes = (history.frame["handed_over"] - history.frame["handed_over"].dt.normalize())
    median = minutes.median().total_seconds() / 60
    assert not fit.concentrated and fit.concentration < 0.5
    assert abs(int(fit.cutoff[:2]) * 60 + int(fit.cutoff[3:]) - median) <= 7.5
    assert len(fit.pickup_weekdays) == 7


def test_fit_handling_folds_the_rare_tail_into_the_last_value_kept():
    truck = TruckTruth(shares=(0.6, 0.3996, 0.0, 0.0, 0.0, 0.0004))
    history = read_history(_shop(truck, 100).generate(np.random.default_rng(2), start=START,
                                                      days=182), country="US")
    fit = fit_handling(history)
    assert fit.trucks == (0, 1) and fit.folded > 0
    assert sum(fit.counts) == history.orders
    assert abs(sum(s.value for s in fit.shares) - 1) < 1e-12


def test_fit_handling_delivery_hours_from_the_deliveries_clock_times():
    frame = _shop().generate(np.random.default_rng(3), start=START, days=28)
    day = frame["delivered"].dt.normalize()
    hours = np.random.default_rng(4).uniform(9.1, 18.9, len(frame))
    frame["delivered"] = day + pd.to_timedelta(hours, unit="h")
    fit = fit_handling(read_history(frame, country="US"))
    assert (fit.delivery_opens, fit.delivery_closes) == ("09:00", "19:00")
    frame["delivered"] = day + pd.Timedelta(days=1)
    fit = fit_handling(read_history(frame, country="US"))
    assert fit.delivery_opens is None and fit.delivery_closes is None


def test_fit_handling_without_hand_overs_is_one_line():
    frame = _shop().generate(np.random.default_rng(0), days=10).drop(columns="handed_over")
    with pytest.raises(HistoryError, match="no hand-over times"):
        fit_handling(read_history(frame))


def test_fit_handling_takes_given_pickup_weekdays():
    frame = _shop().generate(np.random.default_rng(0), start=START, days=28)
    fit = fit_handling(read_history(frame, country="US"), weekdays=("Mon", "Wed", "Fri"))
    assert fit.pickup_weekdays == ("Mon", "Wed", "Fri")
    with pytest.raises(ValueError, match="unknown weekdays"):
        fit_handling(read_history(frame), weekdays=("Moon",))
