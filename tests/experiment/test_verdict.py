"""Verdicts read from paired differences: the three outcomes, windows of weeks, views."""

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario

import sim
from sim.errors import ExperimentError
from sim.experiment.runner import Results
from sim.experiment.verdict import judge_claim, side_values, weekly_view_difference
from sim.scenario.claim import Side

CLAIM = {
    "says": "The buffer satisfies more.",
    "view": "under-promise",
    "metric": "satisfaction_mean",
    "higher": {"strategy": "zappos_buffer"},
    "lower": {"strategy": "competitor_overnight"},
}


def _results(scenario, values: dict[str, list[float]]) -> Results:
    """Results whose replications table holds ``values`` of satisfaction per strategy."""
    rows = [{"strategy": s, "replication": r, "satisfaction_mean": v}
            for s, vs in values.items() for r, v in enumerate(vs)]
    weeks = [{"strategy": s, "replication": r, "week": w, "orders": 10.0,
              "satisfaction_mean": v + w, "profit": 1.0, "market_share": np.nan,
              "promise_kept": 1.0}
             for s, vs in values.items() for r, v in enumerate(vs) for w in range(1, 9)]
    return Results(scenario=scenario, replications=pd.DataFrame(rows), summary=pd.DataFrame(),
                   differences=pd.DataFrame(), timeseries=pd.DataFrame(weeks), manifest={},
                   satisfaction_hist={})


@pytest.fixture(scope="module")
def scenario():
    return small_scenario(claim=CLAIM)


@pytest.mark.parametrize(
    ("higher", "lower", "expected"),
    [
        ([3.0, 3.1, 2.9, 3.05], [1.0, 1.1, 0.9, 1.0], "supported"),
        ([1.0, 1.1, 0.9, 1.0], [3.0, 3.1, 2.9, 3.05], "refuted"),
        ([1.0, 1.2, 0.8, 1.0], [1.1, 0.9, 1.0, 1.05], "not resolved"),
    ],
)
def test_verdict_follows_the_sign_of_the_paired_interval(scenario, higher, lower, expected):
    results = _results(scenario, {"zappos_buffer": higher, "competitor_overnight": lower})
    verdict = judge_claim(results)
    assert verdict.verdict == expected
    assert verdict.difference == pytest.approx(np.mean(np.subtract(higher, lower)))
    assert verdict.ci_low <= verdict.difference <= verdict.ci_high
    assert verdict.replications == 4


def test_verdict_pairs_by_replication(scenario):
    # a common shift per replication cancels in the paired difference: a tiny, sure effect
    base = np.array([0.0, 10.0, -10.0, 5.0])
    results = _results(scenario, {"zappos_buffer": list(base + 0.01),
                                  "competitor_overnight": list(base)})
    assert judge_claim(results).verdict == "supported"


def test_window_side_weights_rates_by_orders(scenario):
    results = _results(scenario, {"zappos_buffer": [0.0, 1.0], "competitor_overnight": [0, 0]})
    # warm-up 7 days: week 1 is the first measured week; weeks 2-3 after warm-up are weeks 3, 4
    values = side_values(results, Side(strategy="zappos_buffer", weeks=(2, 4)), "satisfaction_mean")
    assert values.to_list() == pytest.approx([3.5, 4.5])
    total = side_values(results, Side(strategy="zappos_buffer", weeks=(0, 8)), "profit_total")
    assert total.to_list() == [8.0, 8.0]


def test_window_past_the_horizon_is_an_error(scenario):
    results = _results(scenario, {"zappos_buffer": [0.0, 1.0], "competitor_overnight": [0, 0]})
    with pytest.raises(ExperimentError, match="past the measured horizon"):
        side_values(results, Side(strategy="zappos_buffer", weeks=(5, 20)), "satisfaction_mean")


def test_no_claim_is_an_error():
    results = _results(small_scenario(), {"zappos_buffer": [1, 2], "competitor_overnight": [0, 1]})
    with pytest.raises(ExperimentError, match="no claim"):
        judge_claim(results)


def test_weekly_difference_is_oriented_by_view(scenario):
    results = sim.run(scenario, replications=3, workers=1)
    weekly = weekly_view_difference(results)
    assert (weekly["mean"] > 0).all()  # the under-promise buffer is ahead every week
    never_view = small_scenario(claim={**CLAIM, "view": "never-under-promise",
                                       "higher": {"strategy": "competitor_overnight"},
                                       "lower": {"strategy": "zappos_buffer"}})
    flipped = weekly_view_difference(
        Results(never_view, results.replications, results.summary, results.differences,
                results.timeseries, results.manifest, results.satisfaction_hist)
    )
    pd.testing.assert_frame_equal(weekly, flipped)
