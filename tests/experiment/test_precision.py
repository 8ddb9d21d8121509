import math

import pytest
from factories import small_scenario
from scipy import stats

import sim
from sim.errors import ExperimentError
from sim.experiment import Precision


@pytest.fixture(scope="module")
def scenario():
    # One strategy on a fixed service with no late credits: every order earns the same
    # profit c, so profit_total = c * orders with orders Poisson: its variance is c**2 * mean.
    return small_scenario(
        strategies=[{"name": "ground", "kind": "tight", "service": "ground"}],
        baseline=None,
        experiment={"replications": 4, "seed": 11},
    )


def test_precision_stops_at_the_target_of_a_known_variance(scenario):
    c = 80.0 * 0.4 - 6.0
    pilot = sim.run(scenario, replications=20, workers=1)
    orders = pilot.replications["orders"].mean()
    sigma = c * math.sqrt(orders)
    profit_sd = pilot.replications["profit_total"].std(ddof=1)
    low, high = (sigma * math.sqrt(stats.chi2.ppf(q, 19) / 19) for q in (0.0005, 0.9995))
    assert low < profit_sd < high  # the variance is the Poisson one

    target = 1.96 * sigma / math.sqrt(25)  # about 25 replications needed
    result = sim.run(scenario, workers=1, precision=Precision(target, metric="profit_total"))
    report = result.manifest["precision"]
    n = report["replications"]
    assert report["reached"] and report["half_width"] <= target
    assert len(result.replications) == n
    # n* replications give the target with the true sigma; the rule stops where the sample
    # sd says so: n* scaled by the 99.9% chi-square band of s**2/sigma**2 at the final n
    # (and up to 1.5 times more, one step of the estimate-driven increase)
    n_star = (stats.t.ppf(0.975, n - 1) * sigma / target) ** 2
    band = [stats.chi2.ppf(q, n - 1) / (n - 1) for q in (0.0005, 0.9995)]
    assert n_star * band[0] <= n <= 1.5 * n_star * band[1]


def test_precision_stops_at_the_maximum_and_says_so(scenario):
    result = sim.run(scenario, workers=1,
                     precision=Precision(1e-9, metric="profit_total", max_replications=5))
    report = result.manifest["precision"]
    assert report["replications"] == 5 and not report["reached"]
    assert report["half_width"] > 1e-9


def test_precision_metric_may_be_a_unique_prefix():
    assert Precision(0.1, metric="satisfaction").metric == "satisfaction_mean"
    with pytest.raises(ExperimentError, match="'metric': 'late' is ambiguous"):
        Precision(0.1, metric="late")
    with pytest.raises(ExperimentError, match="'metric': 'happiness' is unknown"):
        Precision(0.1, metric="happiness")


def test_precision_rejects_a_target_that_is_not_positive():
    with pytest.raises(ExperimentError, match="'precision' must be a number > 0, got 0"):
        Precision(0.0)


def test_paired_precision_targets_the_difference():
    scenario = small_scenario(experiment={"replications": 3, "seed": 2})
    result = sim.run(scenario, workers=2, precision=Precision(0.05, paired=True))
    diffs = result.differences[result.differences["metric"] == "satisfaction_mean"]
    assert ((diffs["ci_high"] - diffs["ci_low"]) / 2 <= 0.05).all()
    assert result.manifest["precision"]["paired"]
