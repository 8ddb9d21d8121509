"""Satisfaction read in stars: the expected rating of an ordered logit, and its histogram mean."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.satisfaction import Disconfirmation
from sim.model.stars import StarScale, expected_stars
from sim.scenario.stars import Stars

SPEC = Stars(scale=0.6, thresholds=[-3.0, -2.0, -1.0, 0.5], source="a test")
EDGES = np.linspace(-15.0, 5.0, 401)


def test_expected_stars_by_hand_for_two_thresholds():
    spec = Stars(scale=0.5, thresholds=[-1.0, 1.0], source="a test")
    logistic = lambda x: 1.0 / (1.0 + math.exp(-x))  # noqa: E731
    eta = 0.5 * 1.2
    one = logistic(-1.0 - eta)
    two = logistic(1.0 - eta) - one
    three = 1.0 - logistic(1.0 - eta)

    assert expected_stars(np.array([1.2]), spec)[0] == pytest.approx(
        1.0 * one + 2.0 * two + 3.0 * three, rel=1e-12)


def test_expected_stars_weighs_the_given_values():
    spec = Stars(scale=1.0, thresholds=[0.0], values=[1.0, 5.0], source="a test")

    assert expected_stars(np.array([0.0]), spec)[0] == pytest.approx(3.0, rel=1e-12)


@given(scale=st.floats(0.01, 10.0), low=st.floats(-5.0, 5.0),
       gaps=st.lists(st.floats(0.05, 3.0), min_size=1, max_size=5))
def test_expected_stars_rises_with_satisfaction_from_the_lowest_to_the_highest_value(
    scale, low, gaps
):
    stars = StarScale(scale, tuple(low + np.concatenate([[0.0], np.cumsum(gaps)])))
    s = np.linspace(-40.0, 40.0, 2001)

    rating = stars.expected(s)

    assert np.all(np.diff(rating) >= 0.0)
    assert np.all((rating >= 1.0) & (rating <= len(stars.thresholds) + 1.0))


def test_expected_stars_tends_to_the_lowest_and_highest_values():
    stars = StarScale.from_spec(SPEC)

    low, high = stars.expected(np.array([-np.inf, np.inf]))
    far_low, far_high = stars.expected(np.array([-1e4, 1e4]))

    assert (low, high) == (1.0, 5.0)
    assert far_low == pytest.approx(1.0, abs=1e-12)
    assert far_high == pytest.approx(5.0, abs=1e-12)


def test_expected_stars_of_a_spec_is_that_of_its_star_scale():
    s = np.linspace(-10.0, 10.0, 41)

    np.testing.assert_array_equal(expected_stars(s, SPEC), StarScale.from_spec(SPEC).expected(s))
    assert StarScale.from_spec(SPEC).star_values == (1.0, 2.0, 3.0, 4.0, 5.0)


def test_max_slope_bounds_the_rise_of_the_expected_rating():
    stars = StarScale(2.0, (-1.0, -0.9, 0.0, 3.0), (1.0, 2.0, 4.0, 4.5, 5.0))
    s = np.linspace(-5.0, 5.0, 100_001)

    steepest = np.max(np.diff(stars.expected(s)) / np.diff(s))

    assert steepest <= stars.max_slope
    assert stars.max_slope == 2.0 * (5.0 - 1.0) / 4.0


@pytest.mark.parametrize(("scale", "thresholds", "values"), [
    (0.0, (0.0,), None),
    (1.0, (), None),
    (1.0, (1.0, 0.0), None),
    (1.0, (0.0,), (1.0, 2.0, 3.0)),
    (1.0, (0.0,), (2.0, 1.0)),
])
def test_star_scale_refuses_what_is_not_an_ordered_logit(scale, thresholds, values):
    with pytest.raises(ValueError, match=r"^a star scale needs scale > 0"):
        StarScale(scale, thresholds, values)


def _binned(s):
    """Counts of ``s`` in 400 bins over [-15, 5], those beyond in the edge bins (the ledger's)."""
    return np.bincount(np.clip(((s + 15.0) * 20.0).astype(int), 0, 399), minlength=400)


@pytest.mark.parametrize(("spread", "delight_cap", "beyond"), [(1.0, 3.0, False),
                                                                (4.0, None, True)])
def test_histogram_mean_is_within_its_bound_of_the_exact_mean(spread, delight_cap, beyond):
    days_early = np.random.default_rng(11).normal(1.5, spread, 200_000)
    s = Disconfirmation(delight_cap=delight_cap).value(days_early)
    counts = _binned(s)
    stars = StarScale.from_spec(SPEC)

    exact = stars.expected(s).mean()
    approximate = stars.histogram_mean(counts, EDGES)
    bound = stars.histogram_error_bound(counts, EDGES)

    assert abs(approximate - exact) <= bound + 1e-12
    assert bool(np.any((s < -15.0) | (s > 5.0))) == beyond
    if not beyond:  # every order inside the range: half a bin's steepest rise
        assert bound == pytest.approx(stars.max_slope * 0.025, rel=1e-12)


def test_histogram_bound_inside_the_range_is_half_a_bin_times_the_steepest_rise():
    stars = StarScale.from_spec(SPEC)
    counts = np.zeros(400)
    counts[100:300] = 1.0

    assert stars.histogram_error_bound(counts, EDGES) == pytest.approx(
        stars.max_slope * 0.025, rel=1e-12)


def test_histogram_mean_of_no_orders_is_nan():
    stars = StarScale.from_spec(SPEC)

    assert math.isnan(stars.histogram_mean(np.zeros(400), EDGES))
    assert math.isnan(stars.histogram_error_bound(np.zeros(400), EDGES))
