"""The sensitivity block: a design size per method, an outcome of one kind, distinct ranges."""

import re
from typing import get_args

import pytest
from factories import small_scenario

from sim.errors import ScenarioError
from sim.experiment.runner import OUTCOMES
from sim.scenario.sensitivity import SENSITIVITY_METRICS, SensitivityOutcome

BLOCK = {
    "samples": 8,
    "outcome": {"metric": "satisfaction_mean",
                "difference": ["zappos_buffer", "competitor_overnight"]},
    "parameters": [
        {"path": "satisfaction.loss_aversion", "low": 1.0, "high": 3.5, "label": "loss aversion"},
        {"path": "economics.late_credit", "low": 0, "high": 10},
    ],
}


def test_sensitivity_block_loads_with_its_defaults():
    block = small_scenario(sensitivity=BLOCK).sensitivity
    assert block.method == "sobol" and block.levels == 4 and not block.second_order
    assert block.replications is None and block.seed == 0
    assert [p.name for p in block.parameters] == ["loss aversion", "economics.late_credit"]
    assert block.outcome.strategies == ["zappos_buffer", "competitor_overnight"]
    assert block.outcome.describe() == (
        "satisfaction_mean: zappos_buffer - competitor_overnight (paired)")


@pytest.mark.parametrize(
    ("change", "points"),
    [
        ({}, 8 * (2 + 2)),
        ({"second_order": True}, 8 * (2 * 2 + 2)),
        ({"method": "morris", "samples": 5}, 5 * (2 + 1)),
    ],
)
def test_sensitivity_points_follow_the_method(change, points):
    assert small_scenario(sensitivity={**BLOCK, **change}).sensitivity.points == points


def test_sensitivity_outcome_of_one_strategy_is_described_by_it():
    outcome = {"metric": "profit_total", "strategy": "zappos_buffer"}
    block = small_scenario(sensitivity={**BLOCK, "outcome": outcome}).sensitivity
    assert block.outcome.strategies == ["zappos_buffer"]
    assert block.outcome.describe() == "profit_total of zappos_buffer"


def test_sensitivity_metrics_are_the_measured_outcomes():
    assert set(get_args(SENSITIVITY_METRICS)) == set(OUTCOMES)


TWO = [{"path": "a", "low": 0, "high": 1}, {"path": "b", "low": 0, "high": 1}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"samples": 10}, "sensitivity: 'samples' must be a power of 2 for method 'sobol' "
                          "(the Sobol' sequence is balanced only then), got 10; try 8 or 16"),
        ({"samples": 1}, "sensitivity.samples: Input should be greater than or equal to 2"),
        ({"method": "morris", "samples": 10, "levels": 3},
         "sensitivity: 'levels' must be even for method 'morris', got 3"),
        ({"method": "fast"}, "sensitivity.method: Input should be 'sobol' or 'morris'"),
        ({"parameters": [{"path": "a", "low": 2, "high": 1}]},
         "sensitivity.parameters[0]: 'high' must be > 'low', got 2.0..1.0"),
        ({"parameters": [{"path": "a", "low": 0, "high": float("inf")}]},
         "sensitivity.parameters[0].high: Input should be a finite number"),
        ({"parameters": [TWO[0], TWO[0]]}, "sensitivity: parameters[1].path: 'a' appears twice"),
        ({"parameters": [{**TWO[0], "label": "x"}, {**TWO[1], "label": "x"}]},
         "sensitivity: parameters[1].label: 'x' names two parameters"),
        ({"parameters": [{**TWO[0], "label": "b"}, TWO[1]]},
         "sensitivity: parameters[1].label: 'b' names two parameters"),
        ({"parameters": []}, "sensitivity.parameters: List should have at least 1 item"),
        ({"parameters": [{**TWO[0], "pth": "a"}]},
         "sensitivity.parameters[0].pth: unknown key 'pth' (did you mean 'path'?)"),
        ({"outcome": {"metric": "satisfaction_mean"}},
         "sensitivity.outcome: give either 'strategy' or 'difference' (two strategies), not "
         "neither"),
        ({"outcome": {"metric": "satisfaction_mean", "strategy": "a", "difference": ["a", "b"]}},
         "sensitivity.outcome: give either 'strategy' or 'difference' (two strategies), not both"),
        ({"outcome": {"metric": "satisfaction_mean", "difference": ["a", "a"]}},
         "sensitivity.outcome: 'difference' needs two different strategies, got ['a', 'a']"),
        ({"outcome": {"metric": "happiness", "strategy": "a"}},
         "sensitivity.outcome.metric: Input should be 'promise_kept'"),
        ({"replications": 1}, "sensitivity.replications: Input should be greater than or equal "
                              "to 2, got 1"),
        ({"samplez": 8}, "sensitivity.samplez: unknown key 'samplez' (did you mean 'samples'?)"),
    ],
)
def test_sensitivity_bad_blocks_are_one_line_errors(change, message):
    with pytest.raises(ScenarioError, match=re.escape(f"<small>: {message}")) as err:
        small_scenario(sensitivity={**BLOCK, **change})
    assert "\n" not in str(err.value)


def test_sensitivity_outcome_names_a_missing_strategy_by_key():
    outcome = SensitivityOutcome(metric="profit_total", difference=["zappos_buffer", "nobody"])
    with pytest.raises(ValueError, match=re.escape(
            "sensitivity.outcome.difference[1]: 'nobody' is not a strategy "
            "(one of a, zappos_buffer)")):
        outcome.check_strategies(["a", "zappos_buffer"])
