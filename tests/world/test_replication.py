"""Days taken in batches give the orders of the day-by-day schedule, exactly.

Every order's timeline is bit for bit the same; the ledger's totals are summed batch by batch
rather than day by day, so they agree to rounding.
"""

import numpy as np
import pytest
from factories import small_scenario, small_scenario_data

from sim.experiment.streams import replication_streams
from sim.scenario import parse_scenario
from sim.world import build_strategies, build_world, replication, simulate
from sim.world.records import OrderRecords
from sim.world.replication import day_batches


class OneDayAtATime:
    """The same strategy without its ``elementwise`` claim: the daily schedule runs."""

    def __init__(self, strategy):
        self.strategy = strategy
        self.uses_backlog = strategy.uses_backlog

    def quote(self, view):
        return self.strategy.quote(view)


def test_day_batches_cover_every_day_once_in_order():
    rate = np.random.default_rng(0).uniform(0, 3000, 364)
    batches = day_batches(rate, orders=10_000)
    assert [d for b in batches for d in b] == list(range(364))
    sizes = np.array([rate[b.start:b.stop].sum() for b in batches])
    assert (sizes[:-1] >= 10_000 - rate.max()).all()  # each batch but the last is about full


def test_day_batches_of_a_large_world_are_single_days():
    assert day_batches(np.full(10, 1e6), orders=1000) == [range(i, i + 1) for i in range(10)]


@pytest.mark.parametrize("name", ["zappos_buffer", "competitor_overnight", "quantile_95_ground"])
def test_batched_days_equal_the_daily_schedule(name):
    scenario = small_scenario()
    world = build_world(scenario)
    strategy = build_strategies(scenario, world)[name]
    daily_records, batched_records = OrderRecords(), OrderRecords()
    daily = simulate(world, OneDayAtATime(strategy), replication_streams(4, 1),
                     records=daily_records)
    batched = simulate(world, strategy, replication_streams(4, 1), records=batched_records)
    assert daily.metrics() == pytest.approx(batched.metrics(), rel=1e-12, abs=0, nan_ok=True)
    for field, values in daily_records.to_arrays().items():
        np.testing.assert_array_equal(batched_records.to_arrays()[field], values, err_msg=field)
    np.testing.assert_allclose(daily.weekly.block, batched.weekly.block, rtol=1e-12)
    np.testing.assert_array_equal(daily.satisfaction_hist, batched.satisfaction_hist)


@pytest.mark.parametrize("pick_minutes", [
    {"dist": "gamma", "mean": 3.5, "cv": 0.5},
    {"dist": "gamma", "mean": 3.5, "cv": 1.8},
    {"dist": "exponential", "mean": 3.5},
    {"dist": "normal", "mean": 3.5, "sd": 2.0},
    {"dist": "triangular", "low": 1.0, "mode": 3.0, "high": 7.0},
    {"dist": "empirical", "values": [2, 3, 6], "weights": [1, 2, 1]},
])
def test_batched_days_draw_each_days_pick_times(pick_minutes):
    """A batch draws its pick times and carrier luck in one call: the numbers of one call a
    day, whatever the law (rejection samplers included)."""
    scenario = small_scenario(warehouse={
        "shifts": [{"start": "06:00", "end": "14:00", "pickers": 4},
                   {"start": "14:00", "end": "22:00", "pickers": 3}],
        "pick_minutes": pick_minutes,
    })
    world = build_world(scenario)
    strategy = build_strategies(scenario, world)["zappos_buffer"]
    daily_records, batched_records = OrderRecords(), OrderRecords()
    simulate(world, OneDayAtATime(strategy), replication_streams(4, 2), records=daily_records)
    simulate(world, strategy, replication_streams(4, 2), records=batched_records)
    for field, values in daily_records.to_arrays().items():
        np.testing.assert_array_equal(batched_records.to_arrays()[field], values, err_msg=field)


@pytest.mark.parametrize("handling", [
    {"dist": "empirical", "values": [0, 1, 2, 3, 4], "weights": [0.41, 0.3, 0.17, 0.08, 0.04]},
    {"dist": "gamma", "mean": 1.5, "cv": 0.8},
])
def test_batched_days_draw_each_days_handling(handling):
    """Handling, drawn from its own stream one call a batch, holds each order the trucks one
    call a day gives it."""
    data = small_scenario_data()
    data["warehouse"]["handling_trucks"] = handling
    scenario = parse_scenario(data)
    world = build_world(scenario)
    strategy = build_strategies(scenario, world)["quantile_95_ground"]
    daily_records, batched_records = OrderRecords(), OrderRecords()
    simulate(world, OneDayAtATime(strategy), replication_streams(4, 2), records=daily_records)
    simulate(world, strategy, replication_streams(4, 2), records=batched_records)
    for field, values in daily_records.to_arrays().items():
        np.testing.assert_array_equal(batched_records.to_arrays()[field], values, err_msg=field)


def ledger_numbers(ledger) -> tuple:
    """Every number a ledger holds, for comparisons bit for bit."""
    sums = tuple(getattr(ledger, name) for name in (
        "orders", "kept", "delighted", "disappointed", "lateness_sum", "earliness_sum",
        "lead_time_sum", "satisfaction_sum", "shipping_cost_sum", "revenue_sum", "profit_sum"))
    arrays = (ledger.weekly.block, ledger.lateness_hist, ledger.earliness_hist,
              ledger.lead_time_hist, ledger.satisfaction_hist)
    return sums, tuple(a.tobytes() for a in arrays)


@pytest.mark.parametrize("name", ["competitor_overnight", "quantile_95_ground"])
def test_batched_days_book_the_same_numbers_whatever_the_batch_size(monkeypatch, name):
    """Batches are cut for speed only: the ledger's totals are summed over the same groups of
    days (``ORDERS_PER_SUM``) however those are cut into batches, so every sum is the same to
    the last bit."""
    scenario = small_scenario()
    world = build_world(scenario)
    strategy = build_strategies(scenario, world)[name]
    monkeypatch.setattr(replication, "ORDERS_PER_SUM", 3_000)
    monkeypatch.setattr(replication, "ORDERS_PER_BATCH", 3_000)
    whole = simulate(world, strategy, replication_streams(4, 1))
    monkeypatch.setattr(replication, "ORDERS_PER_BATCH", 700)
    cut = simulate(world, strategy, replication_streams(4, 1))
    assert len(day_batches(world.demand.daily_rate, 3_000)) > 3
    assert ledger_numbers(cut) == ledger_numbers(whole)
