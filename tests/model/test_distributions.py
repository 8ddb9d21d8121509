"""Distributions of scenario files: means, quantile functions and parameter checks."""

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import special, stats

from sim.scenario.distributions import Distribution

DISTRIBUTION = TypeAdapter(Distribution)

CASES = {
    "constant": {"dist": "constant", "value": 2.5},
    "uniform": {"dist": "uniform", "low": 1.0, "high": 4.0},
    "exponential": {"dist": "exponential", "mean": 3.0},
    "lognormal": {"dist": "lognormal", "median": 3.5, "sigma": 0.5},
    "lognormal_wide": {"dist": "lognormal", "median": 0.7, "sigma": 1.2},
    "gamma": {"dist": "gamma", "mean": 2.0, "cv": 0.6},
    "gamma_skewed": {"dist": "gamma", "mean": 2.0, "cv": 2.5},
    "normal": {"dist": "normal", "mean": 5.0, "sd": 1.0},
    "normal_truncated": {"dist": "normal", "mean": 0.5, "sd": 1.0},
    "triangular": {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0},
    "triangular_at_low": {"dist": "triangular", "low": 0.0, "mode": 0.0, "high": 3.0},
    "empirical": {"dist": "empirical", "values": [1, 2, 5], "weights": [0.5, 0.3, 0.2]},
    "empirical_equal": {"dist": "empirical", "values": [0.5, 1.5, 4.0, 8.0]},
}

# the same laws as written in scipy, to check the quantile functions point by point
SCIPY = {
    "uniform": stats.uniform(loc=1.0, scale=3.0),
    "exponential": stats.expon(scale=3.0),
    "lognormal": stats.lognorm(s=0.5, scale=3.5),
    "lognormal_wide": stats.lognorm(s=1.2, scale=0.7),
    "gamma": stats.gamma(a=1 / 0.6**2, scale=2.0 * 0.6**2),
    "gamma_skewed": stats.gamma(a=1 / 2.5**2, scale=2.0 * 2.5**2),
    "triangular": stats.triang(c=0.2, loc=1.0, scale=5.0),
    "triangular_at_low": stats.triang(c=0.0, loc=0.0, scale=3.0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_distribution_sample_mean_within_five_standard_errors(name):
    dist = DISTRIBUTION.validate_python(CASES[name])
    n = 200_000

    draws = dist.sample(np.random.default_rng([7, len(name)]), n)

    assert draws.shape == (n,)
    assert np.all(draws >= 0)
    standard_error = draws.std(ddof=1) / math.sqrt(n)
    if standard_error == 0:  # a constant
        assert np.all(draws == dist.mean)
    else:
        assert abs(draws.mean() - dist.mean) < 5 * standard_error, (draws.mean(), dist.mean)


@pytest.mark.parametrize("name", sorted(CASES))
def test_distribution_ppf_is_non_decreasing(name):
    dist = DISTRIBUTION.validate_python(CASES[name])
    u = np.concatenate([[0.0, 1e-12], np.linspace(0.0, 1.0, 10_001)[1:-1], [1 - 1e-12]])

    q = dist.ppf(u)

    assert np.all(np.isfinite(q))
    assert np.all(np.diff(q) >= 0)


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_distribution_ppf_matches_scipy(name):
    dist = DISTRIBUTION.validate_python(CASES[name])
    u = np.linspace(0.001, 0.999, 999)

    np.testing.assert_allclose(dist.ppf(u), SCIPY[name].ppf(u), rtol=1e-9, atol=1e-12)


def test_distribution_normal_is_truncated_at_zero():
    dist = DISTRIBUTION.validate_python(CASES["normal_truncated"])

    q = dist.ppf(np.array([0.01, 0.3, 0.5, 0.9]))

    assert q[0] == 0.0  # below the 31% of the normal mass that is negative
    assert q[2] == pytest.approx(0.5)
    assert q[3] == pytest.approx(0.5 + stats.norm.ppf(0.9))


def test_distribution_empirical_takes_only_its_values_with_their_weights():
    dist = DISTRIBUTION.validate_python(CASES["empirical"])
    n = 100_000

    draws = dist.sample(np.random.default_rng(3), n)

    values, counts = np.unique(draws, return_counts=True)
    assert list(values) == [1.0, 2.0, 5.0]
    result = stats.chisquare(counts, n * np.array([0.5, 0.3, 0.2]))
    assert result.pvalue > 1e-3


def test_distribution_exponential_mean_key_is_named_mean():
    dist = DISTRIBUTION.validate_python({"dist": "exponential", "mean": 3.0})

    assert dist.mean == 3.0
    assert dist.model_dump(by_alias=True) == {"dist": "exponential", "mean": 3.0}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dist": "uniform", "low": 3.0, "high": 1.0}, r"'high' must be >= 'low', got low=3\.0"),
        (
            {"dist": "triangular", "low": 1.0, "mode": 5.0, "high": 4.0},
            r"must have low <= mode <= high and low < high, got low=1\.0, mode=5\.0",
        ),
        (
            {"dist": "triangular", "low": 2.0, "mode": 2.0, "high": 2.0},
            r"low < high, got low=2\.0, mode=2\.0, high=2\.0",
        ),
        ({"dist": "lognormal", "median": 3.0, "sigma": 0.0}, r"sigma\n.*greater than 0"),
        ({"dist": "lognormal", "median": 3.0, "sigma": -0.4}, r"sigma\n.*greater than 0"),
        ({"dist": "lognormal", "median": 0.0, "sigma": 0.4}, r"median\n.*greater than 0"),
        ({"dist": "gamma", "mean": 2.0, "cv": 0.0}, r"cv\n.*greater than 0"),
        ({"dist": "exponential", "mean": -1.0}, r"mean\n.*greater than 0"),
        ({"dist": "normal", "mean": 1.0, "sd": 0.0}, r"sd\n.*greater than 0"),
        ({"dist": "constant", "value": -1.0}, r"value\n.*greater than or equal to 0"),
        (
            {"dist": "empirical", "values": [1, 2], "weights": [1.0]},
            r"'weights' must have one entry per value \(2\), got 1",
        ),
        (
            {"dist": "empirical", "values": [1, 2], "weights": [0.0, 0.0]},
            r"'weights' must not all be zero",
        ),
        ({"dist": "empirical", "values": []}, r"values\n.*at least 1 item"),
        ({"dist": "lognormal", "median": 3.0, "sigma": float("nan")}, r"sigma\n.*finite"),
        ({"dist": "weibull", "scale": 1.0}, r"Input tag 'weibull' found using 'dist'"),
        ({"dist": "lognormal", "median": 3.0, "sigma": 0.4, "mu": 1}, r"mu\n.*Extra inputs"),
    ],
)
def test_distribution_invalid_parameters_are_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        DISTRIBUTION.validate_python(data)


def test_distribution_invalid_parameter_is_refused_through_parse_scenario():
    from sim.errors import ScenarioError
    from sim.scenario import parse_scenario

    scenario = {
        "name": "x",
        "horizon": {"start": "2025-01-06", "days": 10},
        "demand": {"orders_per_day": 10},
        "warehouse": {
            "shifts": [{"start": "08:00", "end": "16:00", "pickers": 2}],
            "pick_minutes": {"dist": "lognormal", "median": 3.0, "sigma": -0.4},
        },
        "carrier": {
            "service_levels": [
                {
                    "name": "ground",
                    "nominal_days": 3,
                    "cost": 5,
                    "transit_days": {"dist": "constant", "value": 2},
                },
            ]
        },
        "strategies": [{"name": "tight", "kind": "tight", "service": "ground"}],
    }

    with pytest.raises(
        ScenarioError, match=r"^<scenario>: warehouse\.pick_minutes\.sigma: .*greater than 0"
    ):
        parse_scenario(scenario)


def test_empirical_quantile_is_the_smallest_value_reaching_p_whatever_the_order():
    listed = DISTRIBUTION.validate_python({"dist": "empirical", "values": [4, 1, 3, 2]})
    sorted_ = DISTRIBUTION.validate_python({"dist": "empirical", "values": [1, 2, 3, 4]})
    p = np.array([0.0, 0.1, 0.25, 0.26, 0.5, 0.75, 0.76, 0.999])
    expected = [1, 1, 1, 2, 2, 3, 4, 4]  # inf{x: F(x) >= p}: at a step, the value itself
    np.testing.assert_array_equal(listed.ppf(p), expected)
    np.testing.assert_array_equal(sorted_.ppf(p), expected)
    weighted = DISTRIBUTION.validate_python(
        {"dist": "empirical", "values": [5, 1], "weights": [0.2, 0.8]})
    np.testing.assert_array_equal(weighted.ppf(np.array([0.5, 0.8, 0.81])), [1, 1, 5])


@pytest.mark.parametrize("name", ["lognormal", "lognormal_wide"])
def test_lognormal_draws_are_the_plain_formula_to_the_last_bit(name):
    """Quantiles and samples are worked out in place, with the numbers of the plain formula
    and the C library's exp (not numpy's, whose vector versions vary with the processor)."""
    dist = DISTRIBUTION.validate_python(CASES[name])
    u = np.random.default_rng(5).random(10_000)

    def formula(z):
        return np.array([dist.median * math.exp(dist.sigma * v) for v in z])

    np.testing.assert_array_equal(dist.ppf(u), formula(special.ndtri(u)))
    assert dist.ppf(np.float64(0.3)) == formula([special.ndtri(0.3)])[0]
    np.testing.assert_array_equal(dist.sample(np.random.default_rng(6), 5000),
                                  formula(np.random.default_rng(6).standard_normal(5000)))
