"""The compiled day loop gives the scheduled days' numbers, bit for bit, and says when it runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import sim.world.day_loop as day_loop
import sim.world.days as days
from sim.errors import ExperimentError
from sim.experiment.streams import replication_streams
from sim.scenario import load_scenario, parse_scenario
from sim.world import build_strategies, build_world, simulate
from sim.world.ledger import Ledger

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _idle(env, replication):
    """A process that does nothing: its presence makes the days run as SimPy schedules them."""
    yield env.timeout(0)


def _assert_same(compiled: Ledger, scheduled: Ledger) -> None:
    for field in dataclasses.fields(Ledger):
        if field.name == "_held":
            continue
        a, b = getattr(compiled, field.name), getattr(scheduled, field.name)
        if field.name == "weekly":
            for group in ("sums", "snapshots"):
                for key, values in getattr(a, group).items():
                    np.testing.assert_array_equal(values, getattr(b, group)[key], err_msg=key)
        else:
            np.testing.assert_array_equal(a, b, err_msg=field.name)


def _both(scenario, strategy: str, replication: int = 0) -> tuple[Ledger, Ledger]:
    world = build_world(scenario)
    chosen = build_strategies(scenario, world)[strategy]
    streams = replication_streams(scenario.experiment.seed, replication)
    firm_runs = []
    for processes in ((), (_idle,)):
        firm_runs.append(simulate(world, chosen, streams, name=strategy, processes=processes))
    return firm_runs[0], firm_runs[1]


def _small_world(**changes):
    data = load_scenario(SCENARIOS / "repeat_customers.yaml").model_dump(
        mode="json", by_alias=True, exclude_none=True)
    data["horizon"]["days"] = 120
    data["demand"]["orders_per_day"] = 25
    data["disruptions"]["events"][0]["rate_per_year"] = 12
    data["strategies"].append({"name": "controlled", "kind": "controlled", "dispatch_days": 0,
                               "transit_low": 0.5, "transit_high": 0.95,
                               "service": "overnight"})
    for key, value in changes.items():
        data[key] = {**data.get(key, {}), **value}
    return parse_scenario(data, source="<small customer world>")


@pytest.mark.parametrize("strategy", ["zappos_buffer", "competitor_overnight", "controlled"])
def test_the_loop_gives_the_scheduled_days_numbers(strategy: str) -> None:
    scenario = _small_world(customers={"word_of_mouth": {"reputation_effect": 2.0}})
    compiled, scheduled = _both(scenario, strategy, replication=1)
    assert compiled.orders > 1000 and compiled.new_customers > 0
    _assert_same(compiled, scheduled)


def test_negotiating_customers_get_the_same_cuts() -> None:
    scenario = _small_world(customers={"pushback": {"share": 0.5, "patience": 1}})
    compiled, scheduled = _both(scenario, "zappos_buffer", replication=2)
    _assert_same(compiled, scheduled)


def test_the_loop_grows_every_pool_it_is_short_of(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(day_loop, "_WORK_CHUNK", 1)
    monkeypatch.setattr(day_loop, "_FLIGHT_SPARE", 1)
    monkeypatch.setattr(days, "expected_customers", lambda world: 1)
    scenario = _small_world()
    compiled, scheduled = _both(scenario, "zappos_buffer")
    _assert_same(compiled, scheduled)


def test_a_warehouse_that_falls_behind_fails_alike() -> None:
    scenario = _small_world(demand={"orders_per_day": 400}, warehouse={
        "shifts": [{"start": "06:00", "end": "14:00", "pickers": 1}]})
    for processes in ((), (_idle,)):
        world = build_world(scenario)
        strategy = build_strategies(scenario, world)["zappos_buffer"]
        with pytest.raises(ExperimentError, match="falls behind for good: orders of day"):
            simulate(world, strategy, replication_streams(1, 0), processes=processes)


def test_what_runs_the_loop() -> None:
    scenario = _small_world()
    world = build_world(scenario)
    strategies = build_strategies(scenario, world)
    streams = replication_streams(1, 0)
    setting = days.set_up(world, streams)

    def fits(name: str, *, by_day: bool = False, plain: bool = True) -> bool:
        firm = day_loop.Firm(world, strategies[name], setting.schedule, name=name, price=1.0,
                             customers=setting.customers, returning=setting.returning)
        return day_loop.fits_compiled_days(
            world, [firm], streams if plain else (lambda name: streams(name)), day_by_day=by_day)

    assert fits("zappos_buffer") and fits("competitor_overnight")
    assert not fits("zappos_buffer", by_day=True)
    assert not fits("zappos_buffer", plain=False)
    assert not fits("quantile_95_ground")
