"""Replication tasks: one by one or in batches, in any process, the same outcomes."""

import pickle

import numpy as np
import pytest
from factories import small_scenario

from sim.experiment import tasks
from sim.experiment.tasks import ReplicationTask, prepare_world, run_replication, run_replications


@pytest.fixture(scope="module")
def scenario():
    return small_scenario(horizon={"start": "2025-01-06", "days": 28, "warmup_days": 7})


@pytest.fixture(scope="module")
def busier(scenario):
    return scenario.with_values({"demand.orders_per_day": 450})


def assert_same_outcome(a, b):
    assert (a.replication, a.point) == (b.replication, b.point)
    assert [list(r) for r in a.rows] == [list(r) for r in b.rows]
    np.testing.assert_array_equal([list(r.values())[2:] for r in a.rows],
                                  [list(r.values())[2:] for r in b.rows])
    assert [r["strategy"] for r in a.rows] == [r["strategy"] for r in b.rows]
    assert a.satisfaction_hist.keys() == b.satisfaction_hist.keys()
    for name in a.satisfaction_hist:
        np.testing.assert_array_equal(a.satisfaction_hist[name], b.satisfaction_hist[name])
    for x, y in zip(a.weekly, b.weekly, strict=True):
        assert x.keys() == y.keys()
        for key in x:
            if isinstance(x[key], np.ndarray):
                assert x[key].dtype == y[key].dtype
                np.testing.assert_array_equal(x[key], y[key])
            else:
                assert x[key] == y[key]


def test_run_replications_of_a_batch_of_two_scenarios_equal_one_by_one(scenario, busier):
    batch = (ReplicationTask(scenario, 0, 5), ReplicationTask(busier, 0, 5, point=1),
             ReplicationTask(scenario, 1, 5), ReplicationTask(busier, 1, 5, point=1))
    tasks._WORLDS.clear()
    one_by_one = [run_replication(task) for task in batch]
    tasks._WORLDS.clear()
    together = run_replications(pickle.loads(pickle.dumps(batch)))
    for a, b in zip(one_by_one, together, strict=True):
        assert_same_outcome(a, b)
    assert one_by_one[0].rows[0]["orders"] < one_by_one[1].rows[0]["orders"]  # no world shared


def test_prepare_world_keeps_one_world_a_scenario(scenario, busier):
    first = prepare_world(scenario)
    other = prepare_world(busier)
    assert other is not first
    assert other.demand.daily_rate.sum() > first.demand.daily_rate.sum()
    assert prepare_world(scenario) is first
    assert prepare_world(pickle.loads(pickle.dumps(scenario))) is first  # equal, not the same


def test_prepare_world_keeps_a_bounded_number_of_worlds(scenario, monkeypatch):
    monkeypatch.setattr(tasks, "KEPT_WORLDS", 2)
    tasks._WORLDS.clear()
    worlds = [prepare_world(scenario.with_values({"demand.orders_per_day": n}))
              for n in (100, 200, 300)]
    assert len(tasks._WORLDS) == 2
    assert prepare_world(scenario.with_values({"demand.orders_per_day": 300})) is worlds[2]
    assert prepare_world(scenario.with_values({"demand.orders_per_day": 100})) is not worlds[0]


def test_outcome_travels_between_processes_with_every_number(scenario):
    outcome = run_replication(ReplicationTask(scenario, 2, 5, point=3))
    assert_same_outcome(outcome, pickle.loads(pickle.dumps(outcome)))
