"""The 'sweep:' block: what a sweep may say, and how check_sweep holds it to its scenario."""

from typing import get_args

import pytest
from factories import small_scenario, small_scenario_data

from sim.errors import ScenarioError
from sim.scenario import Scenario, parse_scenario
from sim.scenario.checks import check_sweep
from sim.scenario.sweep import SWEEP_METRICS, Sweep, SweepParameter

MAX_DAYS = "strategies.zappos_buffer.max_days"
MIN_DAYS = "strategies.zappos_buffer.min_days"


def parse_sweep(sweep):
    return parse_scenario(small_scenario_data(sweep=sweep), source="x.yaml")


def unchecked(sweep):
    """The scenario with ``sweep``, its paths not yet checked (what check_sweep is given)."""
    return Scenario.model_validate(small_scenario_data(sweep=sweep))


def test_loading_a_scenario_checks_its_sweep_paths():
    with pytest.raises(ScenarioError, match=r"^x.yaml: sweep.parameters\[0\].path: "):
        parse_scenario(small_scenario_data(
            sweep={"parameters": [{"path": "strategies.nobody.max_days", "values": [1, 2]}]}),
            source="x.yaml")


def test_sweep_grid_of_listed_values_loads():
    scenario = parse_sweep({"parameters": [{"path": MAX_DAYS, "values": [5, 6, 7]}]})

    assert scenario.sweep.design == "grid"
    assert scenario.sweep.metric == "satisfaction_mean"
    assert scenario.sweep.parameters[0].values == [5, 6, 7]


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ({"values": [1, 2]}, r"give 'path' \(one key\) or 'paths'"),
        ({"path": MAX_DAYS, "paths": [MIN_DAYS, MAX_DAYS], "values": [1]}, "exactly one of them"),
        ({"path": MAX_DAYS}, "give 'values' or a range 'low' and 'high'"),
        ({"path": MAX_DAYS, "values": [1], "low": 1, "high": 2}, "exactly one of them"),
        ({"path": MAX_DAYS, "low": 3, "steps": 2}, "a range needs both 'low' and 'high'"),
        ({"path": MAX_DAYS, "low": 3, "high": 3, "steps": 2}, r"'high' must be > 'low', got 3..3"),
        ({"path": "demand.orders_per_day", "low": 0, "high": 9, "steps": 2, "log": True},
         r"'log' needs 'low' > 0, got 0"),
        ({"path": MAX_DAYS, "low": 1.5, "high": 4, "steps": 2, "integer": True},
         r"with 'integer', 'low' and 'high' must be whole numbers, got 1.5..4"),
        ({"path": MAX_DAYS, "values": [1, 2], "steps": 2}, "'steps' is for a range"),
        ({"path": MAX_DAYS, "values": [1, 2], "log": True}, "'log' is for a range"),
        ({"path": MAX_DAYS, "values": [1, 2], "offsets": [1]}, "'offsets' go with 'paths'"),
        ({"paths": [MIN_DAYS, MAX_DAYS], "values": [1, 2], "offsets": [0, 1, 2]},
         r"'offsets' must have one number per path \(2\), got 3"),
        ({"paths": [MIN_DAYS, MAX_DAYS], "values": [[1, 2], [3]]},
         r"values\[1\] must hold one value per path \(2\), got 1"),
        ({"paths": [MIN_DAYS, MAX_DAYS], "values": [[1, 2], 3]},
         r"values\[0\]: with 'paths', every value is a list of one value per path or every "
         r"value is a number"),
        ({"paths": [MIN_DAYS, "strategies[zappos_buffer].min_days"], "values": [1]},
         "'paths' must be different keys, 'strategies.zappos_buffer.min_days' appears twice"),
    ],
)
def test_sweep_parameter_refuses_an_unclear_parameter_in_one_line(parameter, message):
    with pytest.raises(ScenarioError, match=rf"^x\.yaml: sweep\.parameters\[0\]: .*{message}"):
        parse_sweep({"parameters": [parameter]})


@pytest.mark.parametrize(
    ("sweep", "message"),
    [
        ({"parameters": [{"path": MAX_DAYS, "low": 4, "high": 8}]},
         r"parameters\[0\]: a range in a grid needs 'steps'"),
        ({"points": 8, "parameters": [{"path": MAX_DAYS, "values": [5, 6]}]},
         "points: a grid has one point per combination of values"),
        ({"design": "latin_hypercube", "parameters": [{"path": MAX_DAYS, "low": 4, "high": 8}]},
         "points: a latin_hypercube design needs 'points'"),
        ({"design": "sobol", "points": 12, "parameters": [{"path": MAX_DAYS, "low": 4, "high": 8}]},
         r"points: a sobol design needs a power of 2 for its balance, got 12 \(try 8 or 16\)"),
        ({"design": "sobol", "points": 8,
          "parameters": [{"path": MAX_DAYS, "low": 4, "high": 8, "steps": 3}]},
         r"parameters\[0\]\.steps: only a grid takes 'steps'"),
        ({"parameters": [{"path": MAX_DAYS, "values": [5, 6]},
                         {"paths": [MIN_DAYS, "strategies[zappos_buffer].max_days"],
                          "values": [[1, 2]]}]},
         r"parameters\[1\]: 'strategies\[zappos_buffer\]\.max_days' is already swept by "
         r"parameters\[0\]"),
        ({"parameters": [{"path": "demand.orders_per_day", "low": 1, "high": 9, "steps": 200},
                         {"path": MAX_DAYS, "low": 5, "high": 99, "steps": 60}]},
         "the grid has 12000 points, more than 10000"),
    ],
)
def test_sweep_refuses_a_design_that_does_not_fit_in_one_line(sweep, message):
    with pytest.raises(ScenarioError, match=rf"^x\.yaml: sweep: {message}"):
        parse_sweep(sweep)


def test_sweep_refuses_an_unknown_metric_and_an_unknown_key():
    with pytest.raises(ScenarioError, match=r"^x\.yaml: sweep\.metric: Input should be .*'orders'"):
        parse_sweep({"metric": "orders", "parameters": [{"path": MAX_DAYS, "values": [5]}]})
    with pytest.raises(ScenarioError, match=r"sweep\.parameters\[0\]\.step: unknown key 'step'"):
        parse_sweep({"parameters": [{"path": MAX_DAYS, "low": 4, "high": 8, "step": 2}]})


def test_sweep_metrics_are_the_outcomes_of_a_run():
    from sim.experiment.runner import OUTCOMES

    assert list(get_args(SWEEP_METRICS)) == OUTCOMES


def test_sweep_parameter_labels_name_the_keys():
    assert SweepParameter(path=MAX_DAYS, values=[1]).label == MAX_DAYS
    assert SweepParameter(name="window", path=MAX_DAYS, values=[1]).label == "window"
    assert (SweepParameter(paths=[MIN_DAYS, MAX_DAYS], values=[[1, 2]]).label
            == "strategies.zappos_buffer: min_days / max_days")
    assert (SweepParameter(paths=[MIN_DAYS, "economics.price"], low=0, high=3).label
            == f"{MIN_DAYS} / economics.price")


def test_check_sweep_returns_the_sweep_with_integers_settled():
    scenario = unchecked({"parameters": [
        {"path": MAX_DAYS, "low": 5, "high": 9, "steps": 3},
        {"path": "economics.price", "low": 50, "high": 90, "steps": 3},
        {"path": "warehouse.shifts.0.pickers", "values": [3, 4]},
    ]})

    settled = check_sweep(scenario, "x.yaml")

    assert [p.integer for p in settled.parameters] == [True, False, None]
    assert isinstance(settled, Sweep)


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ({"path": "strategies.zappo.max_days", "values": [5]},
         r"sweep\.parameters\[0\]\.path: strategies\.zappo\.max_days: no item 'zappo' in "
         r"strategies \(names: zappos_buffer, competitor_overnight, quantile_95_ground\)"),
        ({"path": "warehouse.pickers", "values": [5]},
         r"sweep\.parameters\[0\]\.path: warehouse\.pickers: no key 'pickers' in warehouse"),
        ({"paths": [MIN_DAYS, "strategies.zappos_buffer.max_day"], "values": [[1, 2]]},
         r"sweep\.parameters\[0\]\.paths\[1\]: strategies\.zappos_buffer\.max_day: no key "
         r"'max_day'"),
        ({"path": "customers.learning_rate", "low": 0.1, "high": 0.5, "steps": 2},
         r"sweep\.parameters\[0\]\.path: customers\.learning_rate: customers is a value, not a "
         r"section"),
        ({"path": "strategies.zappos_buffer.service", "low": 1, "high": 2, "steps": 2},
         r"sweep\.parameters\[0\]: a range needs a numeric key, but "
         r"strategies\.zappos_buffer\.service holds 'overnight'"),
        ({"path": MAX_DAYS, "low": 4.5, "high": 8, "steps": 2},
         rf"sweep\.parameters\[0\]: {MAX_DAYS} takes whole numbers: 'low' and 'high' must be "
         r"whole, got 4.5..8"),
        ({"path": MAX_DAYS, "low": 4, "high": 8, "steps": 2, "integer": False},
         r"sweep\.parameters\[0\]\.integer: .* takes whole numbers: set 'integer: true'"),
        ({"paths": [MIN_DAYS, MAX_DAYS], "low": 1, "high": 3, "steps": 3, "offsets": [0, 0.5]},
         r"sweep\.parameters\[0\]\.offsets: whole numbers are swept, so offsets must be whole, "
         r"got \[0\.0, 0\.5\]"),
    ],
)
def test_check_sweep_names_the_parameter_whose_path_does_not_fit(parameter, message):
    scenario = unchecked({"parameters": [{"path": "economics.price", "values": [80]},
                                                    parameter]})
    message = message.replace(r"parameters\[0\]", r"parameters\[1\]")

    with pytest.raises(ScenarioError, match=rf"^x\.yaml: {message}"):
        check_sweep(scenario, "x.yaml")


def test_check_sweep_needs_a_sweep_and_a_measured_metric():
    with pytest.raises(ScenarioError, match=r"^x\.yaml: sweep: missing"):
        check_sweep(small_scenario(), "x.yaml")
    no_memory = unchecked({"metric": "lifetime_value",
                                      "parameters": [{"path": MAX_DAYS, "values": [5]}]})
    with pytest.raises(ScenarioError, match=r"^x\.yaml: sweep\.metric: 'lifetime_value' is "
                                            r"measured only with a 'customers:' section"):
        check_sweep(no_memory, "x.yaml")
    no_market = unchecked({"metric": "market_share",
                                      "parameters": [{"path": MAX_DAYS, "values": [5]}]})
    with pytest.raises(ScenarioError, match=r"sweep\.metric: 'market_share' is measured only "
                                            r"with a 'market:' section"):
        check_sweep(no_market, "x.yaml")


def test_check_sweep_refuses_one_key_swept_twice_under_two_spellings():
    scenario = unchecked({"parameters": [
        {"path": MAX_DAYS, "values": [5]},
        {"paths": ["economics.price", "strategies.0.max_days"], "values": [[80, 6]]},
    ]})

    with pytest.raises(ScenarioError, match=r"^x\.yaml: sweep\.parameters\[1\]\.paths\[1\]: "
                                            r"strategies\.0\.max_days is the key parameters\[0\] "
                                            r"sweeps already"):
        check_sweep(scenario, "x.yaml")


def test_check_sweep_refuses_two_parameters_with_one_name():
    scenario = unchecked({"parameters": [
        {"name": "a", "path": MAX_DAYS, "values": [5]},
        {"name": "a", "path": "economics.price", "values": [80]},
    ]})

    with pytest.raises(ScenarioError, match=r"^x\.yaml: sweep\.parameters: two parameters have "
                                            r"the same name"):
        check_sweep(scenario, "x.yaml")
