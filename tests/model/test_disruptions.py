"""DisruptionSchedule and SeasonalPeaks: how many events, when, what they do; known seasons."""

import datetime as dt
import math

import numpy as np
import pytest

from sim.model.calendar import BusinessCalendar
from sim.model.disruptions import DisruptionSchedule, SeasonalPeaks
from sim.scenario.operations import Disruption, Peak

YEAR_2025 = BusinessCalendar.build(dt.date(2025, 1, 1), 2 * 365)


def storm(**changes) -> Disruption:
    data = {
        "kind": "storm",
        "rate_per_year": 6.0,
        "duration_days": {"dist": "gamma", "mean": 2.0, "cv": 0.6},
        "warehouse_capacity": 0.5,
        "transit_multiplier": 1.5,
        "transit_delay_days": 1.0,
    }
    return Disruption.model_validate(data | changes)


def schedule(rows) -> DisruptionSchedule:
    """A schedule from ``(start, end, capacity, multiplier, delay)`` rows in hours."""
    columns = [np.array(c, dtype=float) for c in zip(*rows)]
    return DisruptionSchedule(np.array(["x"] * len(rows), dtype=object), *columns)


def event_counts(specs, days: int, draws: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array(
        [len(DisruptionSchedule.draw(specs, YEAR_2025, days, rng)) for _ in range(draws)]
    )


@pytest.mark.parametrize(("rate", "days"), [(6.0, 365), (0.5, 730), (40.0, 100)])
def test_disruptions_count_matches_rate_times_years(rate, days):
    draws = 1500

    n = event_counts([storm(rate_per_year=rate)], days, draws, seed=int(rate * 10) + days)

    expected = rate * days / 365.25
    standard_error = math.sqrt(expected / draws)  # Poisson: variance = mean
    assert abs(n.mean() - expected) < 5 * standard_error, (n.mean(), expected)
    # Poisson: variance = mean; the sample variance has relative error sqrt((1/mean + 2)/n)
    assert n.var(ddof=1) == pytest.approx(expected, rel=5 * math.sqrt((1 / expected + 2) / draws))


def test_disruptions_seasonal_count_matches_rate_per_year():
    winter = [12, 1, 2]
    draws = 1500

    n = event_counts([storm(rate_per_year=6.0, months=winter)], 365, draws, seed=9)

    days_in_season = 31 + 28 + 31  # Jan, Feb and Dec of 2025
    expected = 6.0 * days_in_season / (365.25 * 3 / 12)  # about one year's worth
    assert abs(n.mean() - expected) < 5 * math.sqrt(expected / draws), (n.mean(), expected)


def test_disruptions_kinds_add_up():
    draws = 1500
    specs = [storm(rate_per_year=4.0), storm(kind="outage", rate_per_year=2.0)]

    n = event_counts(specs, 365, draws, seed=10)

    expected = 6.0 * 365 / 365.25
    assert abs(n.mean() - expected) < 5 * math.sqrt(expected / draws)


def test_disruptions_events_start_only_in_their_months():
    rng = np.random.default_rng(12)
    months = {3, 7}

    starts = np.concatenate(
        [
            DisruptionSchedule.draw(
                [storm(rate_per_year=20.0, months=[3, 7])], YEAR_2025, 730, rng
            ).start
            for _ in range(50)
        ]
    )

    assert starts.size > 500
    started = {YEAR_2025.date_of(int(s // 24)).month for s in starts}
    assert started == months


def test_disruptions_draw_sorts_events_and_lasts_their_duration():
    rng = np.random.default_rng(13)
    specs = [storm(duration_days={"dist": "uniform", "low": 1.0, "high": 3.0})]

    drawn = DisruptionSchedule.draw(specs, YEAR_2025, 730, rng)

    assert len(drawn) > 0
    assert np.all(np.diff(drawn.start) >= 0)
    duration = drawn.end - drawn.start
    assert np.all((duration >= 24.0) & (duration <= 72.0))
    assert drawn.outages == list(zip(drawn.start, drawn.end, [0.5] * len(drawn)))


def test_disruptions_zero_rate_draws_nothing():
    rng = np.random.default_rng(14)

    drawn = DisruptionSchedule.draw([storm(rate_per_year=0.0)], YEAR_2025, 365, rng)

    assert len(drawn) == 0
    multiplier, delay = drawn.transit_effect(np.array([1.0, 100.0]))
    assert list(multiplier) == [1.0, 1.0] and list(delay) == [0.0, 0.0]


def test_disruptions_transit_effect_applies_only_while_active():
    events = schedule([(10.0, 20.0, 1.0, 1.5, 1.0), (15.0, 30.0, 0.5, 2.0, 0.5)])
    t = np.array([5.0, 10.0, 15.0, 19.99, 20.0, 29.99, 30.0, 100.0])

    multiplier, delay = events.transit_effect(t)

    np.testing.assert_allclose(multiplier, [1.0, 1.5, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0])
    np.testing.assert_allclose(delay, [0.0, 1.0, 1.5, 1.5, 0.5, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(events.capacity_at(t), [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0])


def test_disruptions_none_has_no_effect():
    empty = DisruptionSchedule.none()
    t = np.array([0.0, 50.0])

    multiplier, delay = empty.transit_effect(t)

    assert len(empty) == 0 and empty.outages == []
    assert list(multiplier) == [1.0, 1.0] and list(delay) == [0.0, 0.0]
    assert list(empty.capacity_at(t)) == [1.0, 1.0]


def test_seasonalpeaks_wrap_the_year_end():
    calendar = BusinessCalendar.build(dt.date(2024, 12, 1), 60)
    peak = Peak(
        name="holidays", start="12-20", end="01-05", demand_multiplier=2.0, transit_multiplier=1.5
    )

    peaks = SeasonalPeaks.build([peak], calendar)

    inside = [
        calendar.date_of(d) >= dt.date(2024, 12, 20) and calendar.date_of(d) <= dt.date(2025, 1, 5)
        for d in range(calendar.days)
    ]
    np.testing.assert_array_equal(peaks.demand, np.where(inside, 2.0, 1.0))
    np.testing.assert_array_equal(peaks.transit, np.where(inside, 1.5, 1.0))
    assert sum(inside) == 17  # Dec 20..31 and Jan 1..5


def test_seasonalpeaks_overlapping_peaks_multiply():
    calendar = BusinessCalendar.build(dt.date(2025, 11, 1), 60)
    peaks = SeasonalPeaks.build(
        [
            Peak(name="a", start="11-25", end="12-23", demand_multiplier=1.25),
            Peak(name="b", start="12-01", end="12-05", demand_multiplier=2.0),
        ],
        calendar,
    )

    def on(date):
        return peaks.demand[(date - calendar.start).days]

    assert on(dt.date(2025, 11, 24)) == 1.0
    assert on(dt.date(2025, 11, 25)) == 1.25
    assert on(dt.date(2025, 12, 3)) == 2.5
    assert on(dt.date(2025, 12, 23)) == 1.25
    assert on(dt.date(2025, 12, 24)) == 1.0


def test_seasonalpeaks_transit_at_reads_the_day_of_shipping():
    calendar = BusinessCalendar.build(dt.date(2024, 12, 18), 10)
    peaks = SeasonalPeaks.build(
        [Peak(name="p", start="12-20", end="12-21", transit_multiplier=2.0)], calendar
    )

    t = np.array([47.99, 48.0, 71.99, 72.0, 95.99, 96.0, 24.0 * 50])

    np.testing.assert_array_equal(peaks.transit_at(t), [1.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0])
