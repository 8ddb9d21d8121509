"""Disconfirmation: the value of a delivery d business days before the expectation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.satisfaction import Disconfirmation
from sim.scenario.customers import Satisfaction

days = st.floats(min_value=-60.0, max_value=60.0, allow_nan=False)
curvature = st.floats(min_value=0.05, max_value=1.0)
aversion = st.floats(min_value=0.01, max_value=100.0)
cap = st.none() | st.floats(min_value=0.0, max_value=20.0)


@given(loss_aversion=aversion, gain=curvature, loss=curvature, delight_cap=cap)
def test_disconfirmation_value_is_zero_when_on_time(loss_aversion, gain, loss, delight_cap):
    model = Disconfirmation(loss_aversion, gain, loss, delight_cap)

    assert model.value(np.array([0.0]))[0] == 0.0


@given(x=st.floats(min_value=1e-3, max_value=60.0), loss_aversion=aversion, a=curvature)
def test_disconfirmation_late_hurts_loss_aversion_times_more_than_early_pleases(
    x, loss_aversion, a
):
    model = Disconfirmation(loss_aversion=loss_aversion, gain_curvature=a, loss_curvature=a)

    early, late = model.value(np.array([x, -x]))

    assert early > 0 > late
    assert -late == pytest.approx(loss_aversion * early, rel=1e-12)


def test_disconfirmation_default_is_tversky_kahneman():
    model = Disconfirmation.from_spec(Satisfaction())

    early, late = model.value(np.array([2.0, -2.0]))

    assert early == pytest.approx(2.0**0.88)
    assert late == pytest.approx(-2.25 * 2.0**0.88)


@given(d=st.floats(min_value=0.0, max_value=60.0), loss_aversion=aversion, loss=curvature)
def test_disconfirmation_zero_delight_cap_makes_early_worth_exactly_zero(d, loss_aversion, loss):
    # Gneezy & Epley (2014): exceeding a promise is judged no better than keeping it
    model = Disconfirmation(loss_aversion=loss_aversion, loss_curvature=loss, delight_cap=0.0)

    assert model.value(np.array([d]))[0] == 0.0
    assert model.value(np.array([-max(d, 0.5)]))[0] < 0.0  # breaking it still hurts


def test_disconfirmation_delight_cap_bounds_gains_only():
    model = Disconfirmation(delight_cap=1.5)

    values = model.value(np.array([-10.0, -1.0, 0.5, 1.0, 3.0, 100.0]))

    assert values[-1] == 1.5 and values[-2] == 1.5
    assert values[2] == pytest.approx(0.5**0.88)
    assert values[0] == pytest.approx(-2.25 * 10.0**0.88)  # losses are not capped


@given(d1=days, d2=days, loss_aversion=aversion, gain=curvature, loss=curvature, delight_cap=cap,
       tolerance=st.floats(0.0, 3.0))
def test_disconfirmation_value_is_monotone_in_days_early(
    d1, d2, loss_aversion, gain, loss, delight_cap, tolerance
):
    model = Disconfirmation(loss_aversion, gain, loss, delight_cap,
                            late_tolerance_days=tolerance)
    low, high = sorted((d1, d2))

    v_low, v_high = model.value(np.array([low, high]))

    assert v_low <= v_high


def test_disconfirmation_lateness_within_the_tolerance_goes_unnoticed():
    model = Disconfirmation(loss_aversion=3.0, loss_curvature=1.0, late_tolerance_days=0.5)

    values = model.value(np.array([-0.25, -0.5, -0.75, -2.5, 1.0]))

    np.testing.assert_allclose(values, [0.0, 0.0, -0.75, -6.0, 1.0])


def test_disconfirmation_zero_tolerance_is_the_plain_value_function():
    d = np.linspace(-5.0, 5.0, 101)
    # numpy's vectorised power (AVX-512 hosts) and libm's, which the model uses, may differ
    # in the last place
    np.testing.assert_array_max_ulp(Disconfirmation(late_tolerance_days=0.0).value(d),
                                    np.where(d >= 0, np.abs(d) ** 0.88, -2.25 * np.abs(d) ** 0.88),
                                    maxulp=2)


@pytest.mark.parametrize(("reference", "expected"), [("start", 10.0), ("mid", 12.5), ("end", 15.0)])
def test_disconfirmation_reference_picks_point_of_window(reference, expected):
    model = Disconfirmation(reference=reference)

    expectation = model.expectation(np.array([10.0, 7.0]), np.array([15.0, 7.0]))

    assert list(expectation) == [expected, 7.0]


def test_disconfirmation_from_spec_carries_every_field():
    spec = Satisfaction(
        loss_aversion=3.0,
        gain_curvature=0.5,
        loss_curvature=0.7,
        delight_cap=0.0,
        reference="mid",
        delight_days=2.0,
        late_tolerance_days=0.25,
    )

    model = Disconfirmation.from_spec(spec)

    assert model == Disconfirmation(3.0, 0.5, 0.7, 0.0, "mid", 2.0, 0.25)
