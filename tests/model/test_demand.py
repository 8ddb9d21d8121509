"""DemandModel: Poisson daily counts by weekday and month, and arrival hours by profile."""

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from sim.model.calendar import BusinessCalendar
from sim.model.demand import DemandModel
from sim.scenario.operations import Demand

MONDAY = dt.date(2025, 1, 6)
CALENDAR = BusinessCalendar.build(MONDAY, 400)


def counts(model: DemandModel, days, draws: int, seed: int) -> np.ndarray:
    """Orders of each of ``days`` in ``draws`` independent repetitions, shape (draws, days)."""
    rng = np.random.default_rng(seed)
    return np.array([[model.arrivals(d, rng).size for d in days] for _ in range(draws)])


def test_demand_daily_rate_follows_weekday_and_monthly_profiles():
    weekday = [1.0, 1.0, 2.0, 1.0, 1.0, 0.5, 0.0]  # Wednesday doubled, Sunday closed
    monthly = [1.0, 0.5] + [1.0] * 10

    model = DemandModel.build(CALENDAR, 60, 100.0, weekday_profile=weekday, monthly_profile=monthly)

    for day in range(60):
        date = CALENDAR.date_of(day)
        expected = 100.0 * weekday[date.weekday()] * monthly[date.month - 1]
        assert model.daily_rate[day] == pytest.approx(expected), date
    assert model.expected_orders == pytest.approx(model.daily_rate.sum())


def test_demand_from_spec_reads_weekday_names_and_day_multiplier():
    spec = Demand(orders_per_day=200, weekday_profile={"Wed": 2.0, "Sun": 0.5})
    multiplier = np.ones(CALENDAR.days)
    multiplier[9] = 3.0  # a Wednesday of a peak

    model = DemandModel.from_spec(spec, CALENDAR, 14, multiplier)

    assert model.days == 14
    assert list(model.daily_rate[:7]) == [200, 200, 400, 200, 200, 200, 100]
    assert model.daily_rate[9] == 1200


def test_demand_daily_counts_are_poisson_with_the_profiled_mean():
    model = DemandModel.build(CALENDAR, 14, 40.0, weekday_profile=[1, 1, 2, 1, 1, 0.5, 1])
    draws = 2000

    n = counts(model, range(14), draws, seed=1)

    for day in range(14):
        x = n[:, day]
        rate = model.daily_rate[day]
        assert abs(x.mean() - rate) < 5 * math.sqrt(rate / draws), (day, x.mean(), rate)
        # index of dispersion: sum (x - mean)^2 / mean ~ chi2(draws - 1) for Poisson counts
        dispersion = np.sum((x - x.mean()) ** 2) / x.mean()
        p = stats.chi2.sf(dispersion, draws - 1)
        assert 1e-4 < p < 1 - 1e-4, (day, dispersion)


def test_demand_weekday_with_multiplier_two_gets_twice_the_orders():
    model = DemandModel.build(CALENDAR, 7, 50.0, weekday_profile=[1, 1, 2, 1, 1, 1, 1])
    draws = 3000

    n = counts(model, [1, 2], draws, seed=2)  # Tuesday, Wednesday
    tuesday, wednesday = n[:, 0], n[:, 1]

    difference = wednesday.mean() - 2 * tuesday.mean()
    standard_error = math.sqrt(wednesday.var(ddof=1) / draws + 4 * tuesday.var(ddof=1) / draws)
    assert abs(difference) < 4 * standard_error
    assert wednesday.mean() > 1.8 * tuesday.mean()


def test_demand_month_with_multiplier_half_gets_half_the_orders():
    monthly = [1.0, 0.5] + [1.0] * 10
    model = DemandModel.build(CALENDAR, 60, 80.0, monthly_profile=monthly)
    january = [d for d in range(60) if CALENDAR.date_of(d).month == 1]
    february = [d for d in range(60) if CALENDAR.date_of(d).month == 2]

    n = counts(model, january + february, 200, seed=3)
    per_day_jan = n[:, : len(january)].mean(axis=1)
    per_day_feb = n[:, len(january) :].mean(axis=1)

    difference = per_day_feb - 0.5 * per_day_jan
    standard_error = difference.std(ddof=1) / math.sqrt(difference.size)
    assert abs(difference.mean()) < 4 * standard_error
    assert abs(per_day_feb.mean() - 40.0) < 4 * per_day_feb.std(ddof=1) / math.sqrt(200)


def test_demand_no_orders_in_hours_of_zero_intensity():
    hourly = [0.0] * 7 + [1.0] * 5 + [0.0, 0.0] + [2.0] * 8 + [0.0, 0.0]  # closed 0-7, 12-14, 22-24
    model = DemandModel.build(CALENDAR, 7, 5000.0, hourly_profile=hourly)
    rng = np.random.default_rng(4)

    hours = np.concatenate([model.arrivals(d, rng) - 24.0 * d for d in range(7)])
    # also the breakpoints of the profile in [0, 1), where a uniform could land exactly
    edges = model.hour_of(model.hourly_cdf[model.hourly_cdf < 1.0])

    for h in (hours, edges):
        closed = np.asarray(hourly)[np.floor(h).astype(int)] == 0
        assert not np.any(closed), h[closed][:5]


def test_demand_hour_counts_follow_the_hourly_profile():
    hourly = [0.0] * 7 + [1.0] * 5 + [0.0, 0.0] + [2.0] * 8 + [0.0, 0.0]
    model = DemandModel.build(CALENDAR, 7, 5000.0, hourly_profile=hourly)
    rng = np.random.default_rng(5)

    hours = np.concatenate([model.arrivals(d, rng) - 24.0 * d for d in range(7)])

    observed = np.bincount(np.floor(hours).astype(int), minlength=24)
    weights = np.asarray(hourly)
    open_hours = weights > 0
    expected = hours.size * weights[open_hours] / weights.sum()
    assert stats.chisquare(observed[open_hours], expected).pvalue > 1e-3
    # and uniform within the hour: the fractional parts
    assert stats.kstest(hours % 1.0, "uniform").pvalue > 1e-3


def test_demand_arrivals_are_sorted_and_inside_their_day():
    model = DemandModel.build(CALENDAR, 30, 300.0, hourly_profile=[1.0] * 23 + [5.0])
    rng = np.random.default_rng(6)

    for day in range(30):
        t = model.arrivals(day, rng)
        assert np.all(np.diff(t) >= 0)
        assert np.all(t >= 24.0 * day)
        assert np.all(t < 24.0 * (day + 1))


def test_demand_day_with_zero_rate_has_no_orders():
    model = DemandModel.build(CALENDAR, 7, 300.0, weekday_profile=[1, 1, 1, 1, 1, 1, 0])
    rng = np.random.default_rng(7)

    assert model.arrivals(6, rng).size == 0  # Sunday


def test_demand_arrivals_of_days_are_each_days_arrivals_in_one_array():
    model = DemandModel.build(CALENDAR, 30, 40.0, weekday_profile=[1, 1, 1, 1, 1, 0.5, 0],
                              hourly_profile=[0.2] * 8 + [2.0] * 16)
    days = range(3, 17)  # Sundays without orders among them

    batch = model.arrivals_of_days(days, np.random.default_rng(9))

    rng = np.random.default_rng(9)
    np.testing.assert_array_equal(batch, np.concatenate([model.arrivals(d, rng) for d in days]))


def test_demand_arrivals_of_days_draw_what_numpy_poisson_and_random_draw():
    """The compiled Poisson count is numpy's, draw for draw, at every rate (multiplied uniforms
    below 10, transformed rejection from 10 on, nothing at 0), and leaves the stream where
    numpy's ``rng.random(rng.poisson(rate))`` a day leaves it."""
    rates = np.concatenate([[0.0, 0.3, 9.99, 10.0, 10.4, 25.0, 1e4],
                            np.random.default_rng(1).uniform(0.0, 60.0, 400)])
    model = DemandModel(daily_rate=rates, hourly_cdf=np.linspace(0.0, 1.0, 25))
    for seed in range(5):
        compiled, day_by_day = np.random.default_rng(seed), np.random.default_rng(seed)

        batch = model.arrivals_of_days(range(rates.size), compiled)

        each_day = [model.arrivals(d, day_by_day) for d in range(rates.size)]
        np.testing.assert_array_equal(batch, np.concatenate(each_day))
        assert compiled.bit_generator.state == day_by_day.bit_generator.state


@pytest.mark.parametrize("lam", [0.5, 3.0, 9.9, 10.0, 11.0, 15.0, 60.0, 1e5])
def test_poisson_count_is_numpys_draw_for_draw(lam):
    from sim.model.demand import _bits, _poisson

    compiled, reference = np.random.default_rng(7), np.random.default_rng(7)
    bits = _bits(compiled)
    drawn = [_poisson(bits, lam) for _ in range(20_000)]
    np.testing.assert_array_equal(drawn, reference.poisson(lam, 20_000))
    assert compiled.bit_generator.state == reference.bit_generator.state


def test_demand_arrivals_of_days_refuse_a_negative_rate_as_numpy_does():
    model = DemandModel(daily_rate=np.array([5.0, -1.0]), hourly_cdf=np.linspace(0.0, 1.0, 25))
    with pytest.raises(ValueError, match="lam < 0"):
        model.arrivals_of_days(range(2), np.random.default_rng(0))


def test_hour_of_inverts_the_hourly_cdf_exactly_as_a_search_would():
    from sim.model.demand import _hours_of_day

    rng = np.random.default_rng(0)
    for _ in range(50):
        weights = rng.uniform(0, 2, 24) * (rng.random(24) > 0.3)  # some empty hours
        weights[rng.integers(24)] += 1.0
        cdf = np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
        cdf[-1] = 1.0
        u = rng.random(500)
        u = np.concatenate([u, np.sort(u), cdf[:-1], [np.nextafter(1.0, 0.0)]])
        hour = np.clip(np.searchsorted(cdf, u, side="right") - 1, 0, 23)
        width = cdf[hour + 1] - cdf[hour]
        expected = hour + np.where(width > 0, (u - cdf[hour]) / np.where(width > 0, width, 1), 0)
        out = np.empty_like(u)
        _hours_of_day(u, cdf, out)
        np.testing.assert_array_equal(out, expected)
