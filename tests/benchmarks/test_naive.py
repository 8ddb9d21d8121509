"""benchmarks/naive.py: the naive SimPy model models the batched engine's world.

It draws its own numbers (the disruptions aside: both draw those from the engine's stream),
so it agrees with the engine within sampling error, not order by order. The sampling error is
measured, not assumed: twins of the engine's replication, each with the same disruptions and
its own luck otherwise, spread as a run of the naive model would if it modelled the same
world; the naive run must lie within a t-interval of their mean (lateness is clustered on
trucks and queues, so a binomial error would be too narrow).
"""

import math
import os

import numpy as np
import pytest
from scipy import stats

from sim.experiment.streams import replication_streams
from sim.world import build_strategies, build_world, simulate

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks")
TWINS = 12
#: Two-sided 99.9% quantile of Student's t for the twins' mean and spread.
BOUND = float(stats.t.ppf(0.9995, TWINS - 1))


@pytest.fixture
def benchmarks(monkeypatch):
    """The benchmark scripts as modules: ``throughput`` (the scaled scenarios) and ``naive``."""
    monkeypatch.syspath_prepend(os.path.abspath(BENCHMARKS))
    import naive
    import throughput

    return throughput, naive


def twin_streams(seed: int, replication: int, twin: int):
    """Replication ``replication``'s disruptions with the luck (demand, picks, carrier, ...) of
    another replication, its twin number ``twin``'s own."""
    own, other = (replication_streams(seed, replication),
                  replication_streams(seed, 1_000 + TWINS * replication + twin))
    return lambda name: own(name) if name == "disruptions" else other(name)


def agrees_with_twins(scenario, world, strategy, value, of_engine, *, replication=0):
    """Whether ``value`` lies within a t-interval of ``of_engine(ledger)`` over the engine's
    twins of replication ``replication``; the twins' values for the message."""
    rule = build_strategies(scenario, world)[strategy]
    twins = np.array([
        of_engine(simulate(world, rule, twin_streams(scenario.experiment.seed, replication, k),
                           name=strategy))
        for k in range(TWINS)
    ])
    spread = twins.std(ddof=1) * math.sqrt(1 + 1 / TWINS)
    return abs(value - twins.mean()) < BOUND * spread, twins


def test_naive_headline_counts_its_orders_and_is_late_as_often_as_the_engine(benchmarks):
    throughput, naive = benchmarks
    scenario = throughput.scaled_scenario(8_000)
    world = build_world(scenario)
    totals = naive.simulate_naive(scenario, throughput.STRATEGY, world=world)

    expected = world.demand.expected_orders
    assert abs(totals.orders - expected) < 5 * math.sqrt(expected)  # a Poisson count
    assert 0 < totals.measured <= totals.orders
    late = agrees_with_twins(scenario, world, throughput.STRATEGY, totals.late_share,
                             lambda ledger: 1 - ledger.kept / ledger.orders)
    assert late[0], (totals.late_share, late[1])
    satisfied = agrees_with_twins(scenario, world, throughput.STRATEGY, totals.satisfaction_mean,
                                  lambda ledger: ledger.satisfaction_sum / ledger.orders)
    assert satisfied[0], (totals.satisfaction_mean, satisfied[1])


def test_naive_customers_come_back_as_often_as_in_the_engine(benchmarks):
    throughput, naive = benchmarks
    scenario = throughput.scaled_scenario(10_000, customers="repeat")
    world = build_world(scenario)
    totals = naive.simulate_naive(scenario, throughput.STRATEGY, world=world)

    assert totals.measured > 2 * totals.new_customers > 0  # returning customers buy again
    per_customer = totals.measured / totals.new_customers
    agrees, twins = agrees_with_twins(scenario, world, throughput.STRATEGY, per_customer,
                                      lambda ledger: ledger.orders / ledger.new_customers)
    assert agrees, (per_customer, twins)


def test_naive_market_converts_prospects_as_the_engine_does(benchmarks):
    throughput, naive = benchmarks
    scenario = throughput.scaled_scenario(10_000, market=True)
    world = build_world(scenario)
    totals = naive.simulate_naive(scenario, throughput.MARKET_STRATEGY, world=world)

    assert totals.orders == totals.prospects > totals.won > 0  # no warm-up: all measured
    agrees, twins = agrees_with_twins(scenario, world, throughput.MARKET_STRATEGY,
                                      totals.conversion,
                                      lambda ledger: ledger.won / ledger.prospects)
    assert agrees, (totals.conversion, twins)


def test_naive_refuses_a_promise_rule_it_does_not_model(benchmarks):
    throughput, naive = benchmarks
    scenario = throughput.scaled_scenario(3_000)

    with pytest.raises(ValueError, match="tight and buffer rules, not 'quantile_95_ground'"):
        naive.simulate_naive(scenario, "quantile_95_ground")
