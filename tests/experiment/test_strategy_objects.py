"""Strategy objects passed to ``sim.run``: run as the scenario's own, recorded, rerun or refused."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario

import sim
from sim.cli.app import main
from sim.errors import ExperimentError
from sim.model.promise import Buffer, Quote
from sim.world import build_world


def overnight() -> int:
    """The index of the small scenario's overnight service."""
    return build_world(small_scenario()).carrier.index("overnight")


def without_buffer() -> sim.Scenario:
    """The small scenario with its buffer strategy left out (it comes back as an object)."""
    scenario = small_scenario()
    kept = [s.model_dump(by_alias=True) for s in scenario.strategies if s.name != "zappos_buffer"]
    return scenario.with_values({"strategies": kept})


def rows(results: sim.Results, strategy: str) -> pd.DataFrame:
    table = results.replications
    return table[table["strategy"] == strategy].reset_index(drop=True)


def test_an_object_gives_the_numbers_of_the_same_rule_written_in_the_scenario():
    written = sim.run(small_scenario(), replications=3, workers=1)
    given = sim.run(without_buffer(), replications=3, workers=1,
                    strategies={"zappos_buffer": Buffer(4, 5, overnight())})

    pd.testing.assert_frame_equal(rows(given, "zappos_buffer"), rows(written, "zappos_buffer"))
    assert [s.name for s in given.scenario.strategies][-1] == "zappos_buffer"


def test_an_importable_dataclass_is_recorded_and_reruns_from_the_manifest(tmp_path, capsys):
    results = sim.run(without_buffer(), replications=2, workers=1,
                      strategies={"zappos_buffer": Buffer(4, 5, overnight())})
    folder = sim.write_results(results, tmp_path / "r")

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["strategy_objects"] == [{
        "name": "zappos_buffer", "class": "sim.model.promise:Buffer",
        "params": {"min_days": 4, "max_days": 5, "service": overnight()},
        "rerunnable": True, "why_not": None}]
    assert main(["rerun", str(folder), "-q"]) == 0


def notebook_class() -> type:
    """A strategy class as a notebook cell defines it: its module is ``__main__``."""

    class Tomorrow:
        name = "tomorrow"
        uses_backlog = False

        def __init__(self) -> None:
            self.quotes = 0

        def quote(self, view):
            self.quotes += 1
            due = view.calendar.delivery_day_end(view.arrival, 1)
            return Quote(due, due, np.zeros(due.size, dtype=np.int64))

    Tomorrow.__module__ = "__main__"
    Tomorrow.__qualname__ = "Tomorrow"
    return Tomorrow


def test_a_notebook_class_runs_on_one_worker_and_the_manifest_says_it_cannot_rerun(
        tmp_path, capsys):
    strategy = notebook_class()()
    results = sim.run(small_scenario(), replications=2, workers=1, strategies=[strategy])
    folder = sim.write_results(results, tmp_path / "r")

    [entry] = results.manifest["strategy_objects"]
    assert entry["class"] == "__main__:Tomorrow"
    assert not entry["rerunnable"]
    assert "defined in __main__ (a notebook cell or a script)" in entry["why_not"]
    assert strategy.quotes == 0  # every replication quoted with a fresh copy
    capsys.readouterr()
    assert main(["rerun", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot be rerun from the manifest: strategy 'tomorrow' (__main__:Tomorrow)" in err


def test_a_notebook_class_on_several_workers_is_one_clear_error():
    with pytest.raises(ExperimentError, match=(
            r"^strategy 'tomorrow': its class Tomorrow is defined in __main__, which worker "
            r"processes cannot import: run with workers=1, or define the class in a module$")):
        sim.run(small_scenario(), replications=2, workers=2, strategies=[notebook_class()()])


def test_objects_can_replace_the_scenarios_strategies():
    results = sim.run(small_scenario(), replications=2, workers=1, scenario_strategies=False,
                      strategies={"a": Buffer(1, 2, 0), "b": Buffer(3, 4, 0)})
    assert [s.name for s in results.scenario.strategies] == ["a", "b"]
    assert results.scenario.baseline_name == "a"


@dataclass
class NoQuote:
    days: int = 1


@pytest.mark.parametrize(("strategies", "message"), [
    ([NoQuote()], r"^strategies: 'NoQuote' \(NoQuote\) has no quote\(view\) method$"),
    ({"zappos_buffer": Buffer(1, 2, 0)},
     r"^strategies: the name 'zappos_buffer' is used twice \(pass a dict of name: strategy "
     r"to name them\)$"),
    ([], r"^strategies: no strategy objects given$"),
])
def test_bad_strategy_objects_are_one_line(strategies, message):
    with pytest.raises(ExperimentError, match=message):
        sim.run(small_scenario(), replications=2, workers=1, strategies=strategies)
