"""Profit per order is margin less shipping less late credits, order by order."""

import numpy as np
from factories import small_scenario

import sim


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
