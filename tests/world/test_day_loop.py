"""The compiled day loop gives the scheduled days' numbers, bit for bit, and says when it runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import sim.world.day_loop as day_loop
import sim.world.days as days
import sim.world.market as market
import sim.world.replication as replication_module
from sim.errors import ExperimentError
from sim.experiment.streams import replication_streams
from sim.scenario import load_scenario, parse_scenario
from sim.world import build_strategies, build_world, simulate
from sim.world.ledger import Ledger

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


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
    """The ledgers of one replication run by the compiled loop and by the scheduled days."""
    world = build_world(scenario)
    chosen = build_strategies(scenario, world)[strategy]
    streams = replication_streams(scenario.experiment.seed, replication)
    compiled = simulate(world, chosen, streams, name=strategy)
    with pytest.MonkeyPatch.context() as patch:
        for module in (market, replication_module):
            patch.setattr(module, "fits_compiled_days", lambda *args, **kwargs: False)
        scheduled = simulate(world, chosen, streams, name=strategy)
    return compiled, scheduled


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
    for compiled in (True, False):
        world = build_world(scenario)
        strategy = build_strategies(scenario, world)["zappos_buffer"]
        with (pytest.raises(ExperimentError, match="falls behind for good: orders of day"),
              pytest.MonkeyPatch.context() as patch):
            if not compiled:
                patch.setattr(replication_module, "fits_compiled_days", lambda *a, **k: False)
            simulate(world, strategy, replication_streams(1, 0))


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
    big = build_world(_small_world(demand={"orders_per_day": 4 * day_loop.LOOP_MAX_ORDERS_A_DAY}))
    firm = day_loop.Firm(big, strategies["zappos_buffer"], setting.schedule, name="big",
                         price=1.0, customers=setting.customers, returning=setting.returning)
    assert not day_loop.fits_compiled_days(big, [firm], streams, day_by_day=False)
    assert not fits("zappos_buffer", by_day=True)
    assert not fits("zappos_buffer", plain=False)
    assert not fits("quantile_95_ground")


@pytest.mark.parametrize(("seed", "strategy"), [
    ("08_winning_work_with_a_tight_promise", "zappos_buffer"),
    ("09_control_versus_influence", "control_and_window"),
])
def test_a_market_gives_the_scheduled_days_numbers(seed: str, strategy: str) -> None:
    data = load_scenario(SCENARIOS / "seeds" / f"{seed}.yaml").model_dump(
        mode="json", by_alias=True, exclude_none=True)
    data["horizon"]["days"] = 90
    compiled, scheduled = _both(parse_scenario(data, source=seed), strategy, replication=1)
    assert compiled.prospects > compiled.won > 0
    _assert_same(compiled, scheduled)
