"""The promise rule: a padded fixed business-day rule is recovered exactly, counted as the
simulator's calendar counts."""

import datetime as dt

import numpy as np

from sim.history import SyntheticShop, fit_promise_rule, read_history
from sim.history.business_days import DeliveryDays
from sim.model.calendar import BusinessCalendar


def test_fit_promise_rule_recovers_business_days_per_region():
    shop = SyntheticShop(orders_per_day=30, rating=None)
    for seed in range(3):
        fit = fit_promise_rule(read_history(shop.generate(np.random.default_rng(seed), days=60)))
        assert fit.chosen.kind == "fixed business days" and fit.chosen.by == ("region",)
        assert fit.chosen.exact_share == 1.0 and fit.chosen.mean_abs_error == 0.0
        assert dict(fit.chosen.days) == {r.name: r.promise_days for r in shop.regions}
        assert fit.delivery_weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
        assert fit.padding.value > 0 and 0 < fit.late_share.value < 0.5


def test_promise_days_count_as_the_simulators_calendar():
    start = dt.date(2018, 12, 17)
    holidays = (dt.date(2018, 12, 25), dt.date(2019, 1, 1))
    calendar = BusinessCalendar.build(start, 60, holidays=holidays)
    days = DeliveryDays((True,) * 5 + (False, False),
                        tuple(np.datetime64(d, "D") for d in holidays))
    day = np.arange(30)
    for n in (0, 1, 3, 7):
        ours = days.offset(np.datetime64(start, "D") + day, n)
        theirs = np.datetime64(start, "D") + calendar.nth_delivery_day(day, n)
        assert np.array_equal(ours, theirs), n
