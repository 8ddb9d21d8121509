"""Firm.ship with a handling stage: each parcel leaves the given number of trucks after the first
it could catch, drawn from its own stream, the same for every strategy; without the stage,
nothing changes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import small_scenario, small_scenario_data

from sim.errors import ExperimentError
from sim.experiment.streams import replication_streams
from sim.scenario import parse_scenario
from sim.world import build_strategies, build_world, simulate
from sim.world.records import OrderRecords

VALUES = [0, 1, 2, 3, 4]
WEIGHTS = [0.41, 0.3, 0.17, 0.08, 0.04]
HANDLING = {"dist": "empirical", "values": VALUES, "weights": WEIGHTS}
STRATEGIES = ("zappos_buffer", "competitor_overnight", "quantile_95_ground")


def handling_scenario(handling=HANDLING, **sections):
    data = small_scenario_data(**sections)
    data["warehouse"]["handling_trucks"] = handling
    return parse_scenario(data, source="<handling>")


def orders(scenario, name: str, *, seed: int = 3, replication: int = 0) -> dict[str, np.ndarray]:
    world = build_world(scenario)
    records = OrderRecords()
    simulate(world, build_strategies(scenario, world)[name],
             replication_streams(seed, replication), name=name, records=records)
    return records.to_arrays()


def extra_trucks(scenario, records: dict[str, np.ndarray]) -> np.ndarray:
    """Trucks each parcel waited after the first one it could catch once picked."""
    trucks = build_world(scenario).calendar.truck_times
    first = np.searchsorted(trucks, records["finish"], side="left")
    return np.searchsorted(trucks, records["dispatch"], side="left") - first


def test_handling_parcels_leave_on_truck_times_as_often_as_the_weights_say():
    scenario = handling_scenario()
    records = orders(scenario, "competitor_overnight")
    trucks = build_world(scenario).calendar.truck_times
    k = extra_trucks(scenario, records)
    n = k.size

    assert np.isin(records["dispatch"], trucks).all()
    assert set(np.unique(k)) <= set(VALUES)
    for value, p in zip(VALUES, WEIGHTS):
        bound = 4.0 * math.sqrt(p * (1 - p) / n)  # about 6e-5 two-sided for each value
        assert abs(np.mean(k == value) - p) < bound, value


def test_handling_moves_only_the_dispatch_not_the_orders_picking_or_luck():
    without = orders(small_scenario(), "zappos_buffer")
    scenario = handling_scenario()
    held = orders(scenario, "zappos_buffer")

    for field in ("arrival", "start", "finish", "earliest", "latest", "service", "backlog"):
        np.testing.assert_array_equal(held[field], without[field], err_msg=field)
    k = extra_trucks(scenario, held)
    for field in ("dispatch", "delivered"):
        np.testing.assert_array_equal(held[field][k == 0], without[field][k == 0], err_msg=field)
    assert (held["dispatch"][k > 0] > without["dispatch"][k > 0]).all()


def test_handling_every_strategy_of_a_replication_sees_the_same_trucks_of_handling():
    scenario = handling_scenario()
    seen = [extra_trucks(scenario, orders(scenario, name)) for name in STRATEGIES]

    for k in seen[1:]:
        np.testing.assert_array_equal(k, seen[0])
    other = extra_trucks(scenario, orders(scenario, STRATEGIES[0], replication=1))
    assert other.size != seen[0].size or (other != seen[0]).any()


def test_handling_null_and_omitted_give_identical_replications():
    omitted = small_scenario()
    null = handling_scenario(None)
    assert null.warehouse.handling_trucks is None

    for name in ("zappos_buffer", "quantile_95_ground"):
        a, b = orders(omitted, name), orders(null, name)
        for field, values in a.items():
            np.testing.assert_array_equal(b[field], values, err_msg=field)


def test_handling_quantile_quotes_the_trucks_the_firm_expects():
    """The median of the weights is one truck: the quantile rule promises later, and keeps
    most of its promises in the world that holds parcels back."""
    plain = orders(small_scenario(), "quantile_95_ground")
    scenario = handling_scenario()
    held = orders(scenario, "quantile_95_ground")
    assert build_world(scenario).expected_handling_trucks() == 1

    assert (held["latest"] >= plain["latest"]).all() and (held["latest"] > plain["latest"]).any()
    assert np.mean(held["delivered"] > held["latest"]) < 0.5


def test_handling_past_the_calendar_is_a_one_line_experiment_error():
    scenario = handling_scenario({"dist": "constant", "value": 40},
                                 calendar={"country": None, "pickup_weekdays": ["Wed"]})
    with pytest.raises(ExperimentError, match=r"waits for a truck after the calendar's end"):
        orders(scenario, "zappos_buffer")


def test_handling_in_a_market_the_same_prospect_waits_the_same_trucks_under_every_strategy():
    rival = {"name": "tight", "kind": "tight", "service": "overnight"}
    scenario = handling_scenario(market={"competitors": [{"name": "rival", "strategy": rival}]})
    first, second = (orders(scenario, name) for name in ("zappos_buffer", "quantile_95_ground"))
    k1, k2 = extra_trucks(scenario, first), extra_trucks(scenario, second)

    both, i, j = np.intersect1d(first["arrival"], second["arrival"], return_indices=True)
    assert both.size > 1000 and set(np.unique(k1)) == set(VALUES)
    np.testing.assert_array_equal(k1[i], k2[j])


def test_handling_returning_customers_orders_are_held_back_as_often_as_new_ones():
    loyal = {"repurchase_per_year": 12.0, "churn_base": 0.0}
    scenario = handling_scenario(customers=loyal)
    records = orders(scenario, "zappos_buffer")
    customer = records["customer"].astype(np.int64)
    _, first = np.unique(customer, return_index=True)
    again = np.ones(customer.size, dtype=bool)
    again[first] = False
    k = extra_trucks(scenario, records)[again]

    assert k.size > 1000
    for value, p in zip(VALUES, WEIGHTS):
        assert abs(np.mean(k == value) - p) < 4.0 * math.sqrt(p * (1 - p) / k.size), value
