"""Key paths into plain scenario data: one spelling of a path, lookup by index or by name."""

import pytest

from sim.errors import ScenarioError
from sim.scenario.paths import same_key, set_values, split_path, value_at, where_indexed

DATA = {
    "strategies": [{"name": "fast", "p": 0.5}, {"name": "slow", "p": 0.9}],
    "warehouse": {"shifts": [{"pickers": 3}, {"pickers": 4}]},
    "economics": {"price": 80.0},
}


def test_same_key_writes_brackets_as_dots():
    assert same_key("warehouse.shifts[1].pickers") == "warehouse.shifts.1.pickers"
    assert same_key("warehouse.shifts.1.pickers") == "warehouse.shifts.1.pickers"


def test_split_path_reads_brackets_and_dots_alike():
    assert split_path("a.b[0].c") == split_path("a.b.0.c") == ["a", "b", "0", "c"]


@pytest.mark.parametrize("path", ["", "a..b", ".a", "a.", "a[]"])
def test_split_path_refuses_an_empty_part(path):
    with pytest.raises(ScenarioError, match="not a key path"):
        split_path(path)


@pytest.mark.parametrize(("path", "value"), [
    ("economics.price", 80.0),
    ("warehouse.shifts[1].pickers", 4),
    ("strategies.0.p", 0.5),
    ("strategies.slow.p", 0.9),
    ("strategies.slow", {"name": "slow", "p": 0.9}),
])
def test_value_at_finds_keys_by_index_and_items_by_name(path, value):
    assert value_at(DATA, path) == value


@pytest.mark.parametrize(("path", "message"), [
    ("nope", r"^nope: no key 'nope' in the scenario \(keys: economics, strategies, warehouse\)$"),
    ("strategies.nobody.p", r"^strategies.nobody.p: no item 'nobody' in strategies \(names: "
                            r"fast, slow\)$"),
    ("warehouse.shifts.2.pickers", r"warehouse.shifts has 2 items, no index 2$"),
    ("warehouse.shifts.-1.pickers", r"warehouse.shifts has 2 items, no index -1$"),
    ("economics.price.x", r"economics.price is a value, not a section \('x' cannot be in it\)$"),
])
def test_value_at_names_where_a_path_leads_nowhere(path, message):
    with pytest.raises(ScenarioError, match=message):
        value_at(DATA, path)


def test_where_indexed_gives_one_answer_for_two_spellings_of_a_key():
    assert where_indexed(DATA, "strategies.slow.p") == where_indexed(DATA, "strategies[1].p")
    assert where_indexed(DATA, "strategies.slow.p") == "strategies.1.p"


def test_set_values_sets_each_path_in_place():
    data = {"strategies": [dict(s) for s in DATA["strategies"]], "economics": {"price": 1.0}}

    set_values(data, {"strategies.slow.p": 0.7, "economics.price": 2.0})

    assert data == {"strategies": [{"name": "fast", "p": 0.5}, {"name": "slow", "p": 0.7}],
                    "economics": {"price": 2.0}}


def test_set_values_refuses_a_key_that_is_not_there():
    with pytest.raises(ScenarioError, match="no key 'cost' in economics"):
        set_values({"economics": {"price": 1.0}}, {"economics.cost": 2.0})
