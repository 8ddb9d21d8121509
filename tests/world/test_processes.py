"""The user's own SimPy processes in a replication: the events they see and what they change."""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import small_scenario

import sim
from sim.errors import ExperimentError
from sim.experiment.store import MemoryStore
from sim.experiment.streams import replication_streams
from sim.world import build_strategies, build_world, simulate

STRIKE = {"kind": "courier_strike", "rate_per_year": 25,
          "duration_days": {"dist": "uniform", "low": 1.0, "high": 3.0},
          "warehouse_capacity": 0.5, "transit_delay_days": 2.0}


def _scenario(*events):
    return small_scenario(disruptions={"events": list(events), "peaks": []})


def _run(scenario, processes=(), *, replication=0, strategy="competitor_overnight"):
    world = build_world(scenario)
    rule = build_strategies(scenario, world)[strategy]
    streams = replication_streams(scenario.experiment.seed, replication)
    return simulate(world, rule, streams, processes=processes, replication=replication).metrics()


def _watch(env, replication):
    while True:
        yield replication.day_ended


def _drawn_spans(scenario, replication):
    schedule = build_world(scenario).draw_disruptions(
        replication_streams(scenario.experiment.seed, replication)("disruptions"))
    return list(zip(schedule.start.tolist(), schedule.end.tolist()))


@pytest.mark.parametrize("replication", [0, 1])
def test_strike_as_a_process_equals_the_strike_as_a_scenario_disruption(replication):
    written = _scenario(STRIKE)
    spans = _drawn_spans(written, replication)
    assert spans, "the scenario draws at least one strike in this replication"

    def strike(env, world):
        for start, end in spans:  # announced a week ahead, at the start of a day
            announce = max(math.floor(start / 24.0) - 7, 0) * 24.0
            if announce > env.now:
                yield env.timeout(announce - env.now)
            world.disrupt("courier_strike", start=start, end=end, warehouse_capacity=0.5,
                          transit_delay_days=2.0)

    as_scenario = _run(written, [_watch], replication=replication)
    as_process = _run(_scenario(), [strike], replication=replication)
    np.testing.assert_equal(as_process, as_scenario)
    calm = _run(_scenario(), [_watch], replication=replication)
    assert as_process["promise_kept"] < calm["promise_kept"]


def test_a_process_that_only_watches_changes_no_metric_beyond_rounding():
    scenario = _scenario(STRIKE)
    alone, watched = _run(scenario), _run(scenario, [_watch])
    assert alone.keys() == watched.keys()
    for key, value in alone.items():
        assert watched[key] == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True), key


def test_events_account_for_every_parcel_and_every_disruption():
    scenario = _scenario(STRIKE)
    seen = {"judged": 0, "late": 0, "trucks": 0, "days": [], "started": [], "ended": []}

    def days(env, world):
        while True:
            day = yield world.day_started
            assert env.now == day * 24.0
            seen["days"].append(day)

    def judged(env, world):
        while True:
            done = yield world.day_ended
            assert env.now == (done.day + 1) * 24.0
            seen["judged"] += done.count
            seen["late"] += done.late

    def trucks(env, world):
        while True:
            truck = yield world.truck_departed
            assert env.now == pytest.approx(truck.time, rel=1e-12)
            seen["trucks"] += truck.parcels

    def disruptions(env, world):
        while True:
            started, ended = world.disruption_started, world.disruption_ended
            spans = yield started | ended
            for event, value in spans.items():
                key = "started" if event is started else "ended"
                seen[key] += [(s.start, s.end) for s in value]
                assert all(env.now == pytest.approx(s.start if key == "started" else s.end, rel=1e-12)
                           for s in value)

    _run(scenario, [days, judged, trucks, disruptions])
    world = build_world(scenario)
    assert seen["days"] == list(range(world.days))
    assert seen["judged"] == seen["trucks"] > 0
    assert 0 < seen["late"] < seen["judged"]
    spans = _drawn_spans(scenario, 0)
    assert sorted(seen["started"]) == sorted(spans) == sorted(seen["ended"])


def test_a_flash_sale_scales_the_days_demand_within_poisson_error():
    scenario = _scenario()
    first, last, factor = 21, 27, 3.0

    def flash_sale(env, world):
        while True:
            day = yield world.day_started
            if day == first:
                world.scale_demand(factor, days=last - first + 1)

    base = _run(scenario, [_watch])["orders"]
    sale = _run(scenario, [flash_sale])["orders"]
    rate = build_world(scenario).demand.daily_rate[first:last + 1].sum()
    extra = (factor - 1.0) * rate
    sd = math.sqrt(factor * rate + rate)  # the sale week's counts, drawn afresh
    assert abs((sale - base) - extra) < 4 * sd


def test_disrupt_refuses_the_past_and_impossible_effects():
    def bad(env, world):
        yield env.timeout(48.0)
        world.disrupt("x", start=24.0, end=72.0)

    with pytest.raises(ValueError, match="now"):
        _run(_scenario(), [bad])


def test_processes_run_in_a_market_world_and_every_firm_is_disrupted():
    scenario = small_scenario(
        disruptions={"events": [], "peaks": []},
        market={"competitors": [{"name": "rival", "strategy": {"name": "rival_overnight", "kind": "tight",
                                                               "service": "overnight"},
                                 "price": 80.0}]})
    days = []

    def outage(env, world):
        world.disrupt("fire", start=10 * 24.0, end=20 * 24.0, warehouse_capacity=0.0)
        while True:
            done = yield world.day_ended
            days.append(done.count)

    hit = _run(scenario, [outage], strategy="zappos_buffer")
    calm = _run(scenario, [_watch], strategy="zappos_buffer")
    assert days and hit["promise_kept"] < calm["promise_kept"]


def test_sim_run_records_processes_and_refuses_local_ones_on_several_workers():
    scenario = small_scenario(experiment={"replications": 2, "seed": 7})

    def local(env, world):
        yield world.day_started

    results = sim.run(scenario, processes=[local], workers=1)
    entry = results.manifest["processes"][0]
    assert entry["path"].endswith("local") and entry["rerunnable"] is False
    with pytest.raises(ExperimentError, match="workers=1"):
        sim.run(scenario, processes=[local], workers=2)
    with pytest.raises(ExperimentError, match="store"):
        sim.run(scenario, processes=[local], workers=1, store=MemoryStore())


def test_without_processes_the_replication_is_unchanged():
    scenario = _scenario(STRIKE)
    np.testing.assert_equal(_run(scenario), _run(scenario, ()))
