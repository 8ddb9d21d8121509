import pytest
from factories import small_scenario

from sim.errors import ScenarioError
from sim.scenario.overrides import get_value, with_values
from sim.scenario.paths import split_path


@pytest.fixture(scope="module")
def scenario():
    return small_scenario()


def test_paths_with_brackets_and_dots_are_the_same():
    assert split_path("warehouse.shifts[1].pickers") == ["warehouse", "shifts", "1", "pickers"]
    assert split_path("warehouse.shifts.1.pickers") == ["warehouse", "shifts", "1", "pickers"]


def test_with_values_sets_keys_by_index_and_by_name(scenario):
    changed = with_values(scenario, {"warehouse.shifts[1].pickers": 9,
                                     "strategies.zappos_buffer.max_days": 7,
                                     "carrier.service_levels.ground.cost": 5.5})
    assert changed.warehouse.shifts[1].pickers == 9
    assert changed.strategies[0].max_days == 7
    assert get_value(changed, "carrier.service_levels.ground.cost") == 5.5
    assert scenario.strategies[0].max_days == 5  # the original is untouched


def test_with_values_validates_the_whole_scenario_again(scenario):
    with pytest.raises(ScenarioError, match=r"^src: setting strategies.zappos_buffer.min_days: "
                                            r"strategies\[0\]: 'max_days' must be >= 'min_days'"):
        with_values(scenario, {"strategies.zappos_buffer.min_days": 9}, source="src")


@pytest.mark.parametrize(("path", "message"), [
    ("nope", "nope: no key 'nope' in the scenario"),
    ("strategies.nobody.max_days", "no item 'nobody' in strategies \\(names: zappos_buffer"),
    ("warehouse.shifts.7.pickers", "warehouse.shifts has 2 items, no index 7"),
    ("demand.orders_per_day.x", "demand.orders_per_day is a value, not a section"),
    ("demand..x", "not a key path"),
])
def test_with_values_names_a_bad_path(scenario, path, message):
    with pytest.raises(ScenarioError, match=message):
        with_values(scenario, {path: 1}, source="src")


def test_scenario_method_is_the_same_as_the_function(scenario):
    assert scenario.with_values({"economics.price": 90.0}) == with_values(
        scenario, {"economics.price": 90.0})


def test_order_records_folder_survives_a_change(scenario):
    with_records = scenario.model_copy(update={"experiment": scenario.experiment.model_copy(
        update={"order_records": "orders/x"})})
    assert with_values(with_records, {"economics.price": 90.0}).experiment.order_records == (
        "orders/x")
