"""The second seed's rules: promise firmly what you control, and a quote learned from deliveries."""

import numpy as np
import pytest
from factories import small_scenario

import sim
from sim.model.promise import Adaptive, Controlled, Deliveries
from sim.world import build_strategies, build_world


@pytest.fixture(scope="module")
def world():
    return build_world(small_scenario())


def _view(world, arrival, backlog=0.0):
    from sim.model.disruptions import DisruptionSchedule

    arrival = np.asarray(arrival, dtype=float)
    return world.firm_view(arrival, np.full(arrival.size, backlog), DisruptionSchedule.none())


def test_controlled_window_opens_before_it_closes_and_after_the_committed_truck(world):
    arrival = np.linspace(1.0, 24 * 20, 300)
    quote = Controlled(dispatch_days=1, low=0.5, high=0.95, service=0).quote(_view(world, arrival))
    assert np.all(quote.earliest <= quote.latest)
    trucks = world.calendar.truck_times
    committed = trucks[np.searchsorted(trucks, arrival) + 1]
    assert np.all(quote.earliest > committed)


def test_controlled_commitment_further_out_never_promises_sooner(world):
    arrival = np.linspace(1.0, 24 * 20, 300)
    view = _view(world, arrival)
    near = Controlled(0, 0.5, 0.95, 0).quote(view)
    far = Controlled(2, 0.5, 0.95, 0).quote(view)
    assert np.all(far.latest >= near.latest) and np.any(far.latest > near.latest)


def test_adaptive_quotes_its_initial_days_before_any_delivery():
    rule = Adaptive(p=0.9, memory_days=7, initial_days=3.0, service=0)
    assert rule.quoted_days == 3.0


def test_adaptive_quotes_the_quantile_of_what_it_delivered_and_forgets():
    rule = Adaptive(p=0.75, memory_days=2, initial_days=3.0, service=0)
    empty = np.empty(0)
    rule.observe(Deliveries(0, empty, empty, np.array([1.0, 1.0, 1.0, 9.0])))
    assert rule.quoted_days == pytest.approx(np.quantile([1.0, 1.0, 1.0, 9.0], 0.75))
    rule.observe(Deliveries(1, empty, empty, np.array([2.0])))
    rule.observe(Deliveries(2, empty, empty, np.array([2.0])))  # day 0 is now forgotten
    assert rule.quoted_days == pytest.approx(2.0)


def test_adaptive_promise_lands_on_a_delivery_day_end(world):
    rule = Adaptive(p=0.5, memory_days=7, initial_days=1.5, service=0)
    quote = rule.quote(_view(world, [10.0, 30.0, 4 * 24 + 19.0]))  # Mon 10h, Tue 6h, Fri 19h
    hours = quote.latest % 24
    days = (quote.latest // 24).astype(int)
    assert np.all(hours == world.calendar.delivery_close)
    assert np.all(world.calendar.delivery[days])
    assert np.all(quote.latest >= np.array([10.0, 30.0, 4 * 24 + 19.0]) + 1.5 * 24)


def test_adaptive_higher_quantile_keeps_more_promises_in_the_world():
    rules = [
        {"name": "median", "kind": "adaptive", "p": 0.5, "service": "overnight"},
        {"name": "p95", "kind": "adaptive", "p": 0.95, "service": "overnight"},
    ]
    results = sim.run(small_scenario(strategies=rules, baseline="median"), replications=4,
                      workers=1)
    kept = results.differences.query("metric == 'promise_kept'").iloc[0]
    assert kept["ci_low"] > 0


def test_strategies_from_spec_build_the_second_seed_rules(world):
    scenario = small_scenario(strategies=[
        {"name": "c", "kind": "controlled", "service": "ground"},
        {"name": "a", "kind": "adaptive", "p": 0.8, "service": "overnight"},
    ], baseline=None)
    built = build_strategies(scenario, build_world(scenario))
    assert isinstance(built["c"], Controlled) and built["c"].service == 1
    assert isinstance(built["a"], Adaptive) and built["a"].p == 0.8


def test_controlled_rejects_a_window_that_closes_before_it_opens():
    with pytest.raises(sim.ScenarioError, match=r"strategies\[0\]: 'transit_high' must be >= 'transit_low'"):
        small_scenario(strategies=[{"name": "c", "kind": "controlled", "transit_low": 0.9,
                                    "transit_high": 0.5, "service": "ground"}])
