"""The 'optimize:' block: candidates from values or ranges, one objective, a selection method."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from factories import small_scenario, small_scenario_data

from sim.errors import ScenarioError
from sim.experiment import OUTCOMES
from sim.scenario import parse_scenario, scenario_schema
from sim.scenario.optimize import (
    MAX_CANDIDATES,
    OBJECTIVE_METRICS,
    KimNelson,
    Optimize,
    Parameter,
    Subset,
)

QUANTILE = "quantile_95_ground"


def block(**changes: Any) -> dict[str, Any]:
    """A valid optimize block of the small scenario, with ``changes``."""
    return {
        "strategy": QUANTILE,
        "parameters": [{"path": "p", "values": [0.8, 0.9]}],
        "objective": {"metric": "profit_per_order"},
        **changes,
    }


def load(**changes: Any):
    return parse_scenario(small_scenario_data(optimize=block(**changes)), source="x.yaml")


def test_optimize_block_defaults_to_a_subset_selection_with_a_confirmation():
    spec = load().optimize

    assert isinstance(spec, Optimize)
    assert spec.method == Subset(kind="subset")
    assert spec.confirmation == 10
    assert spec.objective.maximize
    assert spec.candidate_count == 2


def test_optimize_block_is_optional_and_absent_by_default():
    assert small_scenario().optimize is None


def test_parameter_range_is_spelt_out_inclusive_and_integral_when_it_can_be():
    assert Parameter(path="p", low=0.5, high=0.9, step=0.1).grid() == [0.5, 0.6, 0.7, 0.8, 0.9]
    assert Parameter(path="max_days", low=2, high=7, step=2).grid() == [2, 4, 6]
    assert all(isinstance(v, int) for v in Parameter(path="d", low=1, high=3, step=1).grid())


def test_candidates_are_every_combination_of_the_parameters():
    spec = load(parameters=[{"path": "p", "low": 0.5, "high": 0.9, "step": 0.1},
                            {"path": "service", "values": ["overnight", "ground"]}]).optimize
    assert spec.candidate_count == 10


def test_keys_set_together_take_one_list_per_candidate():
    spec = load(strategy="zappos_buffer",
                parameters=[{"paths": ["min_days", "max_days"],
                             "values": [[1, 2], [2, 3], [3, 4]]}]).optimize
    assert spec.parameters[0].keys == ["min_days", "max_days"]
    assert spec.candidate_count == 3


def test_objective_weights_and_direction():
    spec = load(objective={"weights": {"profit_per_order": 1.0, "satisfaction_mean": 5.0},
                           "maximize": False}).optimize
    assert spec.objective.terms == {"profit_per_order": 1.0, "satisfaction_mean": 5.0}
    assert spec.objective.label == "min 1*profit_per_order + 5*satisfaction_mean"
    assert load().optimize.objective.label == "max profit_per_order"


def test_kn_method_reads_its_indifference_zone_and_replications():
    spec = load(method={"kind": "kn", "indifference": 0.2, "first_replications": 5,
                        "max_replications": 40}).optimize
    assert spec.method == KimNelson(kind="kn", indifference=0.2, first_replications=5,
                                    max_replications=40)


def test_objective_metrics_are_the_results_outcomes():
    assert set(typing.get_args(OBJECTIVE_METRICS)) == set(OUTCOMES)


def test_optimize_block_is_in_the_schema():
    defs = scenario_schema()["$defs"]
    assert {"Optimize", "Parameter", "Objective", "KimNelson", "Subset"} <= set(defs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"strategy": "nope"},
         r"^x\.yaml: optimize\.strategy: 'nope' is not a strategy \(one of zappos_buffer, "
         r"competitor_overnight, quantile_95_ground\)$"),
        ({"parameters": []},
         r"^x\.yaml: optimize\.parameters: List should have at least 1 item"),
        ({"parameters": [{"path": "p"}]},
         r"^x\.yaml: optimize\.parameters\[0\]: give 'values', or 'low', 'high' and 'step'$"),
        ({"parameters": [{"path": "p", "values": [0.5], "low": 0.1}]},
         r"^x\.yaml: optimize\.parameters\[0\]: give 'values' or a range \('low', 'high', "
         r"'step'\), not both$"),
        ({"parameters": [{"path": "p", "low": 0.9, "high": 0.5, "step": 0.1}]},
         r"^x\.yaml: optimize\.parameters\[0\]: 'high' must be >= 'low', got low=0\.9, "
         r"high=0\.5$"),
        ({"parameters": [{"path": "p", "low": 0.5, "high": 0.9, "step": 0}]},
         r"^x\.yaml: optimize\.parameters\[0\]\.step: Input should be greater than 0, got 0$"),
        ({"parameters": [{"path": "p", "values": []}]},
         r"^x\.yaml: optimize\.parameters\[0\]\.values: List should have at least 1 item"),
        ({"parameters": [{"path": "p", "values": [0.5, 0.5]}]},
         r"^x\.yaml: optimize\.parameters\[0\]: values must be unique, 0\.5 appears twice$"),
        ({"parameters": [{"paths": ["min_days", "max_days"], "values": [[1, 2], 3]}]},
         r"^x\.yaml: optimize\.parameters\[0\]: values\[1\] must be a list of 2 values \(one "
         r"per key of 'paths'\), got 3$"),
        ({"parameters": [{"paths": ["min_days", "max_days"], "low": 1, "high": 2, "step": 1}]},
         r"^x\.yaml: optimize\.parameters\[0\]: keys set together need 'values'"),
        ({"parameters": [{"path": "p", "paths": ["p", "service"], "values": [[0.5, "a"]]}]},
         r"^x\.yaml: optimize\.parameters\[0\]: give either 'path' or 'paths'$"),
        ({"parameters": [{"values": [0.5]}]},
         r"^x\.yaml: optimize\.parameters\[0\]: give either 'path' or 'paths'$"),
        ({"parameters": [{"paths": ["p"], "values": [[0.5]]}]},
         r"^x\.yaml: optimize\.parameters\[0\]\.paths: List should have at least 2 items"),
        ({"parameters": [{"path": "p", "values": [[0.5, 0.6]]}]},
         r"^x\.yaml: optimize\.parameters\[0\]: values\[0\] must be a single value \(a list "
         r"needs 'paths'\), got \[0\.5, 0\.6\]$"),
        ({"parameters": [{"path": "p", "values": [0.5]}, {"path": "p", "values": [0.6]}]},
         r"^x\.yaml: optimize: parameters: 'p' appears twice$"),
        ({"parameters": [{"path": "a", "low": 1, "high": 200, "step": 1},
                         {"path": "b", "low": 1, "high": 200, "step": 1}]},
         rf"^x\.yaml: optimize: at most {MAX_CANDIDATES} candidates, got 40000 combinations$"),
        ({"objective": {}},
         r"^x\.yaml: optimize\.objective: give either 'metric' or 'weights'$"),
        ({"objective": {"metric": "profit_per_order", "weights": {"promise_kept": 1.0}}},
         r"^x\.yaml: optimize\.objective: give either 'metric' or 'weights'$"),
        ({"objective": {"metric": "profit"}},
         r"^x\.yaml: optimize\.objective\.metric: Input should be 'promise_kept', .*"
         r"got 'profit'$"),
        ({"objective": {"weights": {"profit_per_order": 0}}},
         r"^x\.yaml: optimize\.objective: weights\.profit_per_order: must be a finite "
         r"non-zero number, got 0\.0$"),
        ({"method": {"kind": "kn"}},
         r"^x\.yaml: optimize\.method\.indifference: required key is missing$"),
        ({"method": {"kind": "kn", "indifference": 0.1, "first_replications": 20,
                     "max_replications": 10}},
         r"^x\.yaml: optimize\.method: 'max_replications' must be >= 'first_replications' "
         r"\(20\), got 10$"),
        ({"method": {"kind": "anneal"}},
         r"^x\.yaml: optimize\.method: Input tag 'anneal' found using 'kind' does not match"),
        ({"method": {"kind": "subset", "replications": 1}},
         r"^x\.yaml: optimize\.method\.replications: Input should be greater than or equal "
         r"to 2, got 1$"),
        ({"confirmation": 1},
         r"^x\.yaml: optimize: 'confirmation' must be 0 \(none\) or >= 2 replications, "
         r"got 1$"),
        ({"budget": 10},
         r"^x\.yaml: optimize\.budget: unknown key 'budget'$"),
    ],
)
def test_optimize_block_errors_name_the_key(changes, message):
    with pytest.raises(ScenarioError, match=message):
        load(**changes)
