"""The batched world and the one-process-per-order oracle agree order by order, exactly."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pytest
from factories import small_scenario_data

from sim.experiment.streams import replication_streams
from sim.scenario import Scenario, parse_scenario
from sim.world import OrderRecords, World, build_strategies, build_world, simulate
from sim.world.per_order import simulate_per_order

SEED = 1
START = dt.date(2025, 6, 23)
HOLIDAY = dt.date(2025, 7, 4)  # a Friday: no picking, no truck, no deliveries
COMPARED = ("start", "finish", "dispatch", "delivered", "backlog", "earliest", "latest", "service")
#: Whole trucks a parcel waits after picking, as `promise-sim fit` writes them.
HANDLING = {"dist": "empirical", "values": [0, 1, 2, 3, 4],
            "weights": [0.41, 0.3, 0.17, 0.08, 0.04]}
#: Orders a day, morning and evening pickers (utilisation ~0.55 and ~0.95), handling stage.
CASES = {"normal": (280, 3, 2), "heavy": (280, 2, 1), "handling": (280, 2, 1, HANDLING)}
STRATEGIES = ("zappos_buffer", "competitor_overnight", "quantile_95_ground")


def scenario(orders_per_day: float, morning: int, evening: int,
             handling: dict | None = None) -> Scenario:
    """Four weeks around July 4th of the headline world, with storms that halve the pickers
    (and parcels held ``handling`` trucks after picking)."""
    data = small_scenario_data(
        horizon={"start": START.isoformat(), "days": 28, "warmup_days": 7},
        disruptions={
            "events": [
                {
                    "kind": "storm",
                    "rate_per_year": 40,
                    "warehouse_capacity": 0.5,
                    "transit_multiplier": 1.5,
                    "transit_delay_days": 1.0,
                    "duration_days": {"dist": "gamma", "mean": 1.5, "cv": 0.5},
                },
                {
                    "kind": "sorting_outage",
                    "rate_per_year": 20,
                    "transit_delay_days": 1.0,
                    "duration_days": {"dist": "uniform", "low": 0.5, "high": 1.5},
                },
            ],
            "peaks": [
                {
                    "name": "summer",
                    "start": "07-01",
                    "end": "07-10",
                    "demand_multiplier": 1.2,
                    "transit_multiplier": 1.1,
                }
            ],
        },
    )
    data["demand"]["orders_per_day"] = orders_per_day
    data["warehouse"]["shifts"] = [
        {"start": "06:00", "end": "14:00", "pickers": morning},
        {"start": "14:00", "end": "22:00", "pickers": evening},
    ]
    data["warehouse"]["handling_trucks"] = handling
    return parse_scenario(data, source="<oracle>")


@cache
def world(case: str) -> World:
    return build_world(scenario(*CASES[case]))


def utilisation(w: World) -> float:
    """Expected picking work over the rostered picker-hours of the horizon."""
    work = w.demand.expected_orders * w.pick_minutes.mean / 60.0
    return work / float(w.planned_roster.picker_hours(np.array([w.days * 24.0]))[0])


@cache
def batched(case: str, strategy: str) -> dict[str, np.ndarray]:
    w = world(case)
    records = OrderRecords()
    strategies = build_strategies(scenario(*CASES[case]), w)
    simulate(w, strategies[strategy], replication_streams(SEED, 0), name=strategy, records=records)
    return records.to_arrays()


def test_the_scenario_has_the_hard_parts() -> None:
    w = world("heavy")
    holiday = (HOLIDAY - START).days
    assert 0 < holiday < w.days and not w.calendar.working[holiday]
    assert set(w.calendar.working[:7]) == {True, False}
    assert len({pickers for _, _, pickers in w.shifts}) == 2
    schedule = w.draw_disruptions(replication_streams(SEED, 0)("disruptions"))
    assert any(capacity < 1 and start < w.days * 24.0 for start, _, capacity in schedule.outages)
    assert np.any(schedule.transit_delay_days > 0)
    assert 0.9 < utilisation(w) < 1.0
    assert utilisation(world("normal")) < 0.7


def test_the_heavy_queue_carries_over_days() -> None:
    orders = batched("heavy", "competitor_overnight")
    day = np.floor(orders["arrival"] / 24.0).astype(int)
    hour = orders["arrival"] - day * 24.0
    morning = world("heavy").calendar.working[day] & (hour >= 6.0) & (hour < 12.0)
    assert np.any(morning & (orders["start"] >= (day + 1) * 24.0))


def test_the_handling_case_holds_parcels_back_whole_trucks() -> None:
    orders = batched("handling", "competitor_overnight")
    trucks = world("handling").calendar.truck_times
    held = (np.searchsorted(trucks, orders["dispatch"])
            - np.searchsorted(trucks, orders["finish"], side="left"))
    assert set(np.unique(held)) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_oracle_agrees_exactly(case: str, strategy: str) -> None:
    w = world(case)
    strategies = build_strategies(scenario(*CASES[case]), w)
    expected = batched(case, strategy)
    got = simulate_per_order(w, strategies[strategy], replication_streams(SEED, 0), name=strategy)
    assert expected["arrival"].size > 5_000
    np.testing.assert_array_equal(got["arrival"], expected["arrival"])
    for field in COMPARED:
        np.testing.assert_array_equal(got[field], expected[field], err_msg=field)
