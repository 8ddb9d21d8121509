"""Whole-scenario checks: custom strategies import, measured metrics, sweeps fit their scenario."""

import pytest
from factories import small_scenario, small_scenario_data

from sim.errors import ScenarioError
from sim.scenario import parse_scenario
from sim.scenario.checks import check_imports, check_measured, check_scenario


def with_custom(path: str) -> dict:
    data = small_scenario_data()
    data["strategies"][0] = {"name": "mine", "kind": "custom", "path": path}
    data["baseline"] = "mine"
    return data


def test_check_imports_names_the_key_of_a_strategy_that_does_not_import():
    data = with_custom("fractions:NoSuchRule")
    scenario = small_scenario().model_validate(data)

    with pytest.raises(ScenarioError, match=r"^x.yaml: strategies\[0\]\.path: cannot import "
                                            r"strategy 'fractions:NoSuchRule': module "
                                            r"'fractions' has no 'NoSuchRule'$"):
        check_imports(scenario, "x.yaml")


def test_check_imports_passes_a_strategy_that_imports():
    check_imports(small_scenario().model_validate(with_custom("fractions:Fraction")), "x.yaml")


def test_parse_scenario_runs_the_checks():
    with pytest.raises(ScenarioError, match=r"^src: strategies\[0\]\.path: cannot import"):
        parse_scenario(with_custom("no_such_module_zz:Rule"), source="src")


@pytest.mark.parametrize(("metric", "section"), [("lifetime_value", "customers"),
                                                 ("conversion", "market"),
                                                 ("expected_stars", "satisfaction.stars")])
def test_check_measured_names_the_missing_section(metric, section):
    with pytest.raises(ScenarioError, match=rf"^x: optimize.objective: '{metric}' is measured "
                                            rf"only with a '{section}:' section$"):
        check_measured(small_scenario(), metric, "optimize.objective", "x")


def test_check_measured_passes_a_measured_metric():
    check_measured(small_scenario(), "profit_total", "sweep.metric", "x")


def test_check_measured_passes_expected_stars_with_a_stars_reading():
    stars = {"scale": 0.5, "thresholds": [0.0], "source": "a test"}
    check_measured(small_scenario(satisfaction={"stars": stars}), "expected_stars",
                   "sweep.metric", "x")


def test_check_scenario_without_sweep_or_custom_strategy_passes():
    check_scenario(small_scenario(), "x")
