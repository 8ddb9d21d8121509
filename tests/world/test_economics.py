"""Profit per order is margin less shipping, late credits, lateness and quote costs."""

import numpy as np
import pytest
from factories import small_scenario

import sim
from sim.experiment.streams import replication_streams
from sim.world import OrderRecords, build_strategies, build_world, simulate


def test_profit_is_margin_less_shipping_less_late_credits():
    economics = {"price": 50.0, "gross_margin": 0.5, "late_credit": 7.0}
    results = sim.run(small_scenario(economics=economics), replications=2, workers=1)
    table = results.replications
    expected = 50.0 * 0.5 - table["shipping_cost_per_order"] - 7.0 * (1 - table["promise_kept"])
    np.testing.assert_allclose(table["profit_per_order"], expected, rtol=1e-12)
    np.testing.assert_allclose(table["profit_total"], table["profit_per_order"] * table["orders"])
    np.testing.assert_allclose(table["revenue_per_order"], 50.0)


def test_late_credit_lowers_profit_only_of_strategies_that_break_promises():
    free = sim.run(small_scenario(), replications=2, workers=1).replications
    credit = sim.run(
        small_scenario(economics={"late_credit": 10.0}), replications=2, workers=1
    ).replications
    drop = free["profit_per_order"] - credit["profit_per_order"]
    np.testing.assert_allclose(drop, 10.0 * (1 - free["promise_kept"]), atol=1e-9)
    assert drop.max() > 0


COSTS = {"price": 50.0, "gross_margin": 0.5, "late_credit": 3.0, "late_cost_per_day": 4.0,
         "promise_cost_per_day": 0.7}


@pytest.mark.parametrize(
    "strategy",
    [
        pytest.param({"name": "tight", "kind": "tight", "service": "overnight"}, id="fused-pass"),
        pytest.param({"name": "learner", "kind": "adaptive", "p": 0.5, "initial_days": 1.0,
                      "service": "overnight"}, id="judged-daily"),
    ],
)
def test_profit_with_lateness_and_quote_costs_is_the_closed_form_order_by_order(strategy):
    scenario = small_scenario(economics=COSTS, strategies=[strategy], baseline=None)
    world = build_world(scenario)
    records = OrderRecords()
    ledger = simulate(world, build_strategies(scenario, world)[strategy["name"]],
                      replication_streams(3, 0), name=strategy["name"], records=records)
    orders = records.to_arrays()
    clock = world.calendar.to_business
    lateness = clock(orders["delivered"]) - clock(orders["latest"])
    quoted = clock(orders["latest"]) - clock(orders["arrival"])
    shipping = world.carrier.costs[orders["service"].astype(int)]
    profit = (50.0 * 0.5 - shipping - 3.0 * (lateness > 0) - 4.0 * np.maximum(lateness, 0.0)
              - 0.7 * quoted)
    measured = orders["arrival"] >= world.warmup_days * 24.0

    assert 0.01 < np.mean(lateness[measured] > 0) < 0.9
    assert ledger.profit_sum == pytest.approx(profit[measured].sum(), rel=1e-12)
    assert ledger.orders == measured.sum()

