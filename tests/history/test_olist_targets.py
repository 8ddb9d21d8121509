"""The Olist targets: a history made with the published aggregates is fitted back to them.

The published aggregates of the Olist data (docs/validation.md, "Fitting a history: the Olist
targets"): on-time-or-early orders average about 4.28 stars and late ones about 2.55, about 8%
arrive after the estimated date, the early side is flat and estimates are padded by well over
a week on median. ``OLIST_SHOP`` is a synthetic shop whose expected aggregates are those
figures (its parameters were chosen for that, on some 700,000 generated orders); its history
is written as the three Olist files, read with the Olist map and fitted. Each fitted figure
must reproduce its target within 3.29 standard errors of this history's sampling error (99.9%)
plus the rounding of the published figure.
"""

import datetime as dt

import holidays
import numpy as np
import pytest
from scipy import stats

import sim
from sim.history import (
    DeliveryDays,
    RatingTruth,
    RegionTruth,
    ReturnTruth,
    SyntheticShop,
    TruckTruth,
    write_olist,
)

START = dt.date(2017, 1, 2)
BRAZIL = tuple(np.datetime64(d, "D") for d in
               sorted(holidays.country_holidays("BR", years=range(2017, 2020))))
#: A marketplace shaped like Olist: two states, log-normal transit of median 6 business days,
#: a promise of 16 business days, ratings with a one-day plateau and a steep late side.
OLIST_SHOP = SyntheticShop(
    orders_per_day=200.0,
    regions=(RegionTruth("SP", 0.5, 6.0, 0.65, 16), RegionTruth("RJ", 0.5, 6.0, 0.65, 16)),
    rating=RatingTruth(early_slope=0.48, late_slope=0.91, late_curvature=0.5, plateau=1,
                       thresholds=(-2.63, -1.93, -1.13, 0.17), rated_share=0.97),
    returns=ReturnTruth(intercept=-3.0, late_effect=-0.8),
    truck=TruckTruth(),
    delivery=DeliveryDays((True,) * 5 + (False, False), BRAZIL),
)
#: The published figures, and half the last digit they are given to.
ON_TIME_STARS, LATE_STARS, STARS_ROUNDING = 4.28, 2.55, 0.005
LATE_SHARE, SHARE_ROUNDING = 0.08, 0.005
#: A week, in business days.
WEEK = 5
Z = float(stats.norm.ppf(0.9995))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    frame = OLIST_SHOP.generate(np.random.default_rng(2018), start=START, days=150)
    folder = write_olist(frame, tmp_path_factory.mktemp("olist"), np.random.default_rng(2019))
    return sim.fit(folder, columns="olist", name="olist")


def _early_days(fit):
    frame = fit.history.frame
    return frame, fit.days.between(frame["delivered"].to_numpy().astype("datetime64[D]"),
                                   frame["promised"].to_numpy().astype("datetime64[D]"))


def test_olist_fit_reproduces_the_late_share(fitted):
    late = fitted.promise.late_share
    n = fitted.history.orders
    tolerance = Z * np.sqrt(LATE_SHARE * (1 - LATE_SHARE) / n) + SHARE_ROUNDING
    assert abs(late.value - LATE_SHARE) <= tolerance, (late, tolerance)


def test_olist_fit_reproduces_the_mean_stars_of_on_time_and_late_orders(fitted):
    frame, early = _early_days(fitted)
    rated = frame["rating"].notna().to_numpy()
    fit = fitted.satisfaction
    predicted = fit.expected_stars(fit.satisfaction(np.maximum(early, 0), np.maximum(-early, 0)))
    for group, target in ((early >= 0, ON_TIME_STARS), (early < 0, LATE_STARS)):
        stars = frame["rating"].to_numpy()[group & rated]
        tolerance = Z * stars.std(ddof=1) / np.sqrt(stars.size) + STARS_ROUNDING
        model = predicted[group & rated].mean()
        assert abs(model - target) <= tolerance, (target, model, tolerance)


def test_olist_fit_finds_the_flat_early_side_and_the_sharp_late_one(fitted):
    fit = fitted.satisfaction
    assert fit.plateau.covers(OLIST_SHOP.rating.plateau), fit.plateau
    assert fit.loss_aversion.low > 1, fit.loss_aversion


def test_olist_fit_finds_estimates_padded_by_well_over_a_week(fitted):
    padding = fitted.promise.padding
    assert padding.low > WEEK, padding
    frame, _ = _early_days(fitted)
    calendar_days = (frame["promised"] - frame["delivered"].dt.normalize()).dt.days
    assert calendar_days.median() > 7
