"""Validation of the optimiser (`promise-sim optimize`) against optima known in closed form.

The cost-based quote of an M/M/1 queue, ``ln((b+h)/h)/(mu-lambda)``; Ho & Zheng's (2004)
delivery-time commitment in their M/M/1 market, its on-time share and its rise then fall with
capacity; and the padding check of LITERATURE.md (with no cost of a long promise the optimiser
picks the longest quote allowed; with a cost at the sale or of suspicion, it does not; learning
alone wears off padding's delight on repeat orders, which first orders keep). A search's row
passes when the candidates it cannot rule out as the best (paired bounds at the table's level)
hold the theory's optimum, or lie where the theory says.

The M/M/1 worlds run every day round the clock: one picker, Poisson orders at a constant rate,
exponential picks, a truck at noon every day and a carrier that delivers at once, round the
clock (one business day is 24 hours). The lead time is then the sojourn ``S``, exponential
with rate ``r = mu - lambda``, plus the wait ``U`` for the truck, uniform over a day and
independent of ``S``; promising ``x`` plus the allowance ``a(r)`` of :func:`truck_allowance`
makes the lateness exactly that of the quote ``x`` for ``S`` alone (for ``x >= 1 - a(r)``), so
the search over ``x`` is the theory's.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.optimize import brentq
from validation.rows import (
    CONFIDENCE,
    Beyond,
    Confined,
    Covers,
    Estimate,
    Profile,
    RisesThenFalls,
    Row,
    Selection,
    Selects,
)
from validation.strategies import AfterOrder, AfterTruck
from validation.worlds import EVERY_DAY, judged_parcels, replicate, world_scenario

from sim.cli.optimize import optimize as optimize_command
from sim.experiment.optimize import OptimizationResults, optimize
from sim.scenario import Scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "validation"
ROUND_THE_CLOCK = {
    "country": None,
    "working_weekdays": EVERY_DAY,
    "pickup_weekdays": EVERY_DAY,
    "delivery_weekdays": EVERY_DAY,
    "cutoff": "12:00",
    "delivery_hours": {"start": "00:00", "end": "24:00"},
}
#: Orders in every hour but the one before the noon truck, so that every order makes it.
MAKES_THE_TRUCK = [0.0 if hour == 11 else 1.0 for hour in range(24)]


def truck_allowance(r: float) -> float:
    """Days ``a`` such that ``P(S + U > x + a) = P(S > x)`` for ``x >= 1 - a``.

    ``S`` exponential with rate ``r`` per day, ``U`` uniform on a day and independent:
    ``P(S + U > y) = exp(-r y) (e^r - 1) / r`` for ``y >= 1``, so ``a = ln((e^r - 1)/r) / r``
    (between half a day, slow queues, and a day, fast ones).
    """
    return math.log(math.expm1(r) / r) / r


def selection_of(result: OptimizationResults, column: str, *, scale: float = 1.0) -> Selection:
    """The search's best and the candidates it cannot rule out, as values of ``column``."""
    table = result.candidates
    kept = table.loc[table["status"] != "ruled out", column]
    return Selection(
        best=float(result.best_row[column]) / scale,
        kept=tuple(sorted(float(v) / scale for v in kept)),
        grid=tuple(sorted(float(v) / scale for v in table[column])),
        n=int(table["replications"].min()),
    )


def kept_at(result: OptimizationResults, candidate: int) -> np.ndarray:
    """The on-time share of ``candidate`` in each replication it was selected on."""
    obs = result.observations
    chosen = obs[(obs["candidate"] == candidate) & (obs["stage"] == "selection")]
    return chosen.sort_values("replication")["promise_kept"].to_numpy()


def candidate_at(result: OptimizationResults, column: str, value: float) -> int:
    """The candidate whose ``column`` is ``value``."""
    table = result.candidates
    return int(table["candidate"][np.isclose(table[column], value, rtol=1e-12)].iloc[0])


def assert_consecutive(selection: Selection) -> None:
    """The candidates not ruled out are neighbours on the grid (a concave objective's are)."""
    grid = list(selection.grid)
    where = [grid.index(v) for v in selection.kept]
    assert where == list(range(where[0], where[0] + len(where))), selection


# --- The cost-based quote of an M/M/1 queue ---------------------------------------------------

MM1_QUOTE = SCENARIOS / "mm1_quote.yaml"
LATE, EARLY = 8.0, 1.0  # b and h, per business day
COST_NOTE = (
    "scenarios/validation/mm1_quote.yaml, run by `promise-sim optimize --json`: one picker "
    "round the clock, lambda = 2 and mu = 4 orders a day (mu - lambda = 1/12 an hour), b = 8 "
    "per day late and h = 1 per day early. The form validated is LITERATURE.md's (h per day "
    "early): the ledger charges h per day quoted, and with its lateness cost set to b + h the "
    "profit per order is margin - h lead time - b late - h early, the lead time not depending "
    "on the quote; the ledger's own form, ln(b'/h)/(mu-lambda) with b' = b + h, is the same "
    "number. The promise adds to the searched quote x the allowance a = ln((e^r - 1)/r)/r "
    "days (r = mu - lambda per day) for the wait for the daily truck, which is uniform over a "
    "day and independent of the sojourn, so lateness is exactly that of x for the sojourn "
    "alone (x >= 1 - a).")


@pytest.fixture(scope="module")
def mm1_search(tmp_path_factory) -> dict[str, Any]:
    """The search of mm1_quote.yaml through the command line, as its JSON summary."""
    out = tmp_path_factory.mktemp("mm1") / "search"
    result = CliRunner().invoke(optimize_command, [str(MM1_QUOTE), "-w", "1", "-o", str(out),
                                                   "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def mm1_rates() -> tuple[Scenario, float, float]:
    """The scenario, and lambda and r = mu - lambda per day, read from the file itself."""
    scenario = load_scenario(MM1_QUOTE)
    lam = scenario.demand.orders_per_day
    mu = 1440.0 / scenario.warehouse.pick_minutes.mean_value
    return scenario, lam, mu - lam


def test_mm1_quote_scenario_promises_the_quote_plus_the_truck_allowance():
    scenario, _, r = mm1_rates()
    params = scenario.strategies[0].params
    grid = scenario.optimize.parameters[0].grid()

    assert params["allowance_hours"] == pytest.approx(24.0 * truck_allowance(r), rel=1e-12)
    assert min(grid) / 24.0 >= 1.0 - truck_allowance(r)
    assert scenario.economics.late_cost_per_day == LATE + EARLY
    assert scenario.economics.promise_cost_per_day == EARLY
    assert scenario.experiment.confidence == CONFIDENCE


def test_optimiser_recovers_the_mm1_cost_based_quote(mm1_search, validation_row):
    scenario, _, r = mm1_rates()
    theory = 24.0 * math.log((LATE + EARLY) / EARLY) / r
    grid = tuple(float(v) for v in scenario.optimize.parameters[0].grid())
    best = mm1_search["best"]
    kept = [best] + mm1_search["not_ruled_out"]
    selection = Selection(
        best=best["values"]["params.hours"],
        kept=tuple(sorted(k["values"]["params.hours"] for k in kept)),
        grid=grid,
        n=best["selection_replications"],
    )

    row = validation_row(Row.check(
        "M/M/1 cost-based quote ln((b+h)/h)/(mu-lambda), b = 8, h = 1 per day (hours), "
        "searched by `promise-sim optimize`",
        "LITERATURE.md, lead-time quoting in M/M/1",
        Selects(theory, max_span=8.0),
        selection,
        origin="sampling error only, paired bounds; a span of at most 8 of the grid's 14 hours",
        note=COST_NOTE,
    ))
    assert row.passed, row
    assert_consecutive(selection)


def expected_profit(scenario: Scenario, hours: float, r: float) -> float:
    """Profit per order of the quote ``hours`` (plus the allowance), in closed form.

    Margin, less h per day quoted, less b + h per day late; with the allowance, days late
    are those of the sojourn beyond the quote, ``E (S - x)^+ = exp(-r x) / r``.
    """
    money = scenario.economics
    x = hours / 24.0
    quoted = x + truck_allowance(r)
    return (money.price * money.gross_margin - money.promise_cost_per_day * quoted
            - money.late_cost_per_day * math.exp(-r * x) / r)


def test_optimiser_reports_the_profit_of_its_best_quote(mm1_search, validation_row):
    scenario, _, r = mm1_rates()
    best = mm1_search["best"]
    hours = best["values"]["params.hours"]
    assert best["fresh"]

    row = validation_row(Row.check(
        f"M/M/1 cost-based quote: profit per order of the best quote found ({hours:g} hours), "
        "the optimiser's interval from fresh replications",
        "closed form: margin - h (x + a) - (b + h) exp(-r x) / r",
        Covers(expected_profit(scenario, hours, r), max_half_width=0.1),
        Estimate(best["mean"], best["ci_low"], best["ci_high"], best["replications"],
                 mm1_search["confidence"]),
        origin="sampling error only",
        note=COST_NOTE,
    ))
    assert row.passed, row


# --- Ho & Zheng (2004): the delivery-time commitment in an M/M/1 market -------------------

HO_ZHENG = "Ho & Zheng (2004), Management Science 50(4); x* and w* derived in LITERATURE.md"
THETA_0, THETA_L, THETA_W = 0.0, 1.0, 3.0  # utility: base, per day committed, per unit on time
MARKET, RIVALS = 2.0, 1.0  # prospects a day (Lambda) and the outside attraction (A)
#: Capacities (orders a day) on the rise, at the peak and on the fall of x*.
CAPACITIES = (1.5, 2.25, 5.5)


@functools.cache
def equilibrium(mu: float) -> tuple[float, float, float]:
    """Ho & Zheng's equilibrium at capacity ``mu``: demand d*, r = mu - d* and x* (days).

    Demand is ``Lambda e^U / (e^U + A)`` with ``U = theta0 - thetaL x + thetaW w``; at the
    best commitment ``x*(r) = ln(thetaW r / thetaL) / r`` the on-time share is
    ``w = 1 - thetaL / (thetaW r)``, and d* is the fixed point (unique: the utility at the best
    commitment falls as demand uses up capacity).
    """

    def best(r: float) -> tuple[float, float]:
        x = math.log(THETA_W * r / THETA_L) / r
        return x, THETA_0 - THETA_L * x + THETA_W * (1.0 - THETA_L / (THETA_W * r))

    def excess(d: float) -> float:
        utility = best(mu - d)[1]
        return d - MARKET * math.exp(utility) / (math.exp(utility) + RIVALS)

    d = brentq(excess, 0.0, mu - THETA_L / THETA_W - 1e-9, xtol=1e-14)
    r = mu - d
    return d, r, best(r)[0]


def on_time_theory(r: float) -> float:
    """Ho & Zheng's on-time share at the best commitment, ``1 - thetaL / (thetaW r)``."""
    return 1.0 - THETA_L / (THETA_W * r)


#: Per capacity: days and replications of the queue, and the spacing of its commitment grid.
QUEUE_RUNS = {1.5: (3600, 16, 0.15), 2.25: (3600, 14, 0.15), 5.5: (1500, 10, 0.1)}
QUEUE_WARMUP = 60  # the slowest queue here (mu = 1.5, 70% busy) relaxes in about 25 days
HZ_NOTE = (
    "The paper's firm picks x to maximise its demand d, the fixed point of "
    "d = Lambda e^U/(e^U + A), U = theta0 - thetaL x + thetaW w(x, d); its best x maximises U at "
    "the equilibrium d* (dU/dx = 0 there, U concave in x). Here theta0 = 0, thetaL = 1 per day, "
    "thetaW = 3, Lambda = 2 a day, A = 1, and d* is solved for each capacity mu. The world fixes "
    "demand at d* (Poisson) and the warehouse is the M/M/1 queue, exponential picks at rate mu; "
    "the ledger charges thetaL per day quoted and a credit thetaW per late order "
    "(economics.promise_cost_per_day, late_credit), so profit per order is U plus a constant, "
    "and the optimiser searches x (the promise adds the allowance for the daily truck, as in "
    "the cost-based quote: w(x) is then exactly the M/M/1 on-time share for x >= 1 - a).")


def hz_queue_world(mu: float) -> Scenario:
    """The M/M/1 world of Ho & Zheng at capacity ``mu``, searched over the commitment x."""
    d, r, x = equilibrium(mu)
    days, replications, step = QUEUE_RUNS[mu]
    floor = 1.0 - truck_allowance(r)
    grid = [x + step * j for j in range(-3, 5) if x + step * j >= floor]
    return world_scenario(
        name=f"ho_zheng_queue_{mu:g}",
        horizon={"start": "2025-01-06", "days": days, "warmup_days": QUEUE_WARMUP},
        calendar=ROUND_THE_CLOCK,
        demand={"orders_per_day": d},
        warehouse={"shifts": [{"start": "00:00", "end": "24:00", "pickers": 1}],
                   "pick_minutes": {"dist": "exponential", "mean": 1440.0 / mu}},
        carrier={"service_levels": [{"name": "ground", "nominal_days": 1, "cost": 0.0,
                                     "transit_days": {"dist": "constant", "value": 0.0}}]},
        strategies=[{"name": "commit", "kind": "custom",
                     "path": "validation.strategies:AfterOrder",
                     "params": {"hours": 24.0 * x,
                                "allowance_hours": 24.0 * truck_allowance(r)}}],
        economics={"price": 10.0, "gross_margin": 1.0, "late_credit": THETA_W,
                   "promise_cost_per_day": THETA_L},
        experiment={"replications": replications, "seed": 2004, "confidence": CONFIDENCE},
        optimize={"strategy": "commit",
                  "parameters": [{"path": "params.hours", "values": [24.0 * v for v in grid]}],
                  "objective": {"metric": "profit_per_order"},
                  "method": {"kind": "subset"}, "confirmation": 0},
    )


@functools.cache
def hz_queue_search(mu: float) -> OptimizationResults:
    """The optimiser's search of the M/M/1 world at ``mu`` (made once for the rows using it)."""
    return optimize(hz_queue_world(mu), workers=1)


def hz_label(mu: float) -> str:
    """The capacity, equilibrium demand and slack, as row names show them."""
    d, r, _ = equilibrium(mu)
    return f"capacity mu = {mu:g}, d* = {d:.3f}, r = mu - d* = {r:.3f} a day"


#: Most the queue's candidates not ruled out may span, per capacity (days): the search must
#: say something. At mu = 1.5 the objective is nearly flat (its curvature is thetaL r).
QUEUE_SPAN = {1.5: 0.5, 2.25: 0.45, 5.5: 0.3}


@pytest.mark.parametrize("mu", CAPACITIES, ids=lambda mu: f"mu={mu:g}")
def test_optimiser_recovers_the_ho_zheng_commitment(mu, validation_row):
    _, _, x = equilibrium(mu)
    selection = selection_of(hz_queue_search(mu), "params.hours", scale=24.0)

    row = validation_row(Row.check(
        f"Ho & Zheng best commitment x* = ln(thetaW r/thetaL)/r (days), M/M/1, {hz_label(mu)}",
        HO_ZHENG,
        Selects(x, max_span=QUEUE_SPAN[mu]),
        selection,
        origin="sampling error only, paired bounds",
        note=HZ_NOTE,
    ))
    assert row.passed, row
    assert_consecutive(selection)


@pytest.mark.parametrize("mu", CAPACITIES, ids=lambda mu: f"mu={mu:g}")
def test_on_time_share_at_the_commitment_is_ho_zhengs(mu, validation_row):
    _, r, x = equilibrium(mu)
    result = hz_queue_search(mu)
    at_optimum = candidate_at(result, "params.hours", 24.0 * x)

    row = validation_row(Row.check(
        f"Ho & Zheng on-time share at x*, 1 - thetaL/(thetaW r), M/M/1, {hz_label(mu)}",
        HO_ZHENG,
        Covers(on_time_theory(r), max_half_width=0.04),
        Estimate.of(kept_at(result, at_optimum)),
        origin="sampling error only",
        note=HZ_NOTE,
    ))
    assert row.passed, row


#: The exponential-lead-time world: orders a day (independent), days, replications.
SHAPE_ORDERS, SHAPE_DAYS, SHAPE_REPLICATIONS, SHAPE_STEP = 2000, 100, 10, 0.1
SHAPE_NOTE = (
    "On the rise of x* (r below e thetaL/thetaW = 0.91 a day) the objective is flat (its "
    "curvature at x* is thetaL r) and the queue's orders are strongly correlated, so telling "
    "x* apart from commitments 0.2 days away takes some 10^6 simulated days of the queue, "
    "beyond a test's budget. "
    "The paper's M/M/1 enters the firm's problem only through the sojourn's law, exponential "
    "with rate r = mu - d*: this row draws each order's lead time from that law as the "
    "carrier's transit (2,000 independent orders a day, every one shipped on the first truck "
    "after it is placed and promised x after that truck), for the same three capacities, and "
    "asks that the searches' candidates not ruled out be ordered as x* is. Each search also "
    "keeps x* itself, and the on-time share there is 1 - thetaL/(thetaW r) (checked by the "
    "test).")


def hz_shape_world(mu: float) -> Scenario:
    """Ho & Zheng's firm at capacity ``mu`` with independent exponential lead times."""
    _, r, x = equilibrium(mu)
    grid = [x + SHAPE_STEP * j for j in range(-3, 4)]
    return world_scenario(
        name=f"ho_zheng_shape_{mu:g}",
        horizon={"start": "2025-01-06", "days": SHAPE_DAYS, "warmup_days": 0},
        calendar=ROUND_THE_CLOCK,
        demand={"orders_per_day": SHAPE_ORDERS, "hourly_profile": MAKES_THE_TRUCK},
        warehouse={"shifts": [{"start": "00:00", "end": "24:00", "pickers": 10}],
                   "pick_minutes": {"dist": "constant", "value": 0.1}},
        carrier={"service_levels": [{"name": "ground", "nominal_days": 1, "cost": 0.0,
                                     "transit_days": {"dist": "exponential", "mean": 1.0 / r}}]},
        strategies=[{"name": "commit", "kind": "custom",
                     "path": "validation.strategies:AfterTruck", "params": {"days": x}}],
        economics={"price": 10.0, "gross_margin": 1.0, "late_credit": THETA_W,
                   "promise_cost_per_day": THETA_L},
        experiment={"replications": SHAPE_REPLICATIONS, "seed": 2004,
                    "confidence": CONFIDENCE},
        optimize={"strategy": "commit",
                  "parameters": [{"path": "params.days", "values": grid}],
                  "objective": {"metric": "profit_per_order"},
                  "method": {"kind": "subset"}, "confirmation": 0},
    )


def test_shape_world_ships_every_order_on_the_first_truck_after_it_is_placed():
    run = next(replicate(hz_shape_world(CAPACITIES[0]), "commit", 1, seed=1))
    noon_truck = np.floor((run.records["arrival"] - 12.0) / 24.0 + 1.0) * 24.0 + 12.0

    np.testing.assert_array_equal(run.records["dispatch"], noon_truck)
    _, _, x = equilibrium(CAPACITIES[0])
    np.testing.assert_allclose(run.records["latest"], noon_truck + 24.0 * x, rtol=1e-12)


def test_queue_world_promises_the_quote_plus_the_allowance_after_the_order():
    mu = CAPACITIES[1]
    _, r, x = equilibrium(mu)
    run = next(replicate(hz_queue_world(mu), "commit", 1, seed=1))
    promised = 24.0 * (x + truck_allowance(r))

    np.testing.assert_allclose(run.records["latest"] - run.records["arrival"], promised,
                               rtol=1e-9)


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        (lambda: AfterOrder(-1.0), r"'hours' and 'allowance_hours' must be >= 0, got -1.0 and 0.0"),
        (lambda: AfterOrder(1.0, math.nan), r"must be >= 0, got 1.0 and nan"),
        (lambda: AfterTruck(-0.5), r"'days' must be >= 0, got -0.5"),
    ],
)
def test_validation_strategies_refuse_a_negative_quote(strategy, message):
    with pytest.raises(ValueError, match=message):
        strategy()


def test_ho_zheng_commitment_rises_then_falls_with_capacity(validation_row):
    optima = tuple(equilibrium(mu)[2] for mu in CAPACITIES)
    results = [optimize(hz_shape_world(mu), workers=1) for mu in CAPACITIES]
    selections = [selection_of(result, "params.days") for result in results]

    row = validation_row(Row.check(
        "Ho & Zheng: x* (days) rises then falls with capacity mu = "
        + ", ".join(f"{mu:g}" for mu in CAPACITIES) + " a day; exponential lead times",
        HO_ZHENG,
        RisesThenFalls(optima),
        Profile(tuple(selections)),
        origin="sampling error only, paired bounds",
        note=SHAPE_NOTE,
    ))
    assert row.passed, row
    for mu, result, selection in zip(CAPACITIES, results, selections):
        _, r, x = equilibrium(mu)
        assert Selects(x).passes(selection), (mu, selection)
        on_time = Estimate.of(kept_at(result, candidate_at(result, "params.days", x)))
        assert Covers(on_time_theory(r)).passes(on_time), (mu, on_time)


# --- The padding check -----------------------------------------------------------------------

#: Quotes searched, business days after the truck; the longest allowed is the last.
PADDING_QUOTES = (1.0, 2.0, 3.0, 4.0)
#: Each cost of a long promise as it is switched on (off: 0).
PADDING_COSTS: dict[str, dict[str, dict[str, float]]] = {
    "none": {},
    "conversion loss": {"choice": {"promise_per_day": -0.05}},
    "learning": {"customers": {"learning_rate": 0.3}},
    "suspicion": {"customers": {"padding_suspicion": 0.1, "fairness_penalty": 0.6}},
}
PADDING_NOTE = (
    "A market of 300 prospects a day choosing between the firm and a rival that promises 3 "
    "business days after the truck, by the promise alone (reputation and loyalty terms off), "
    "and customers with the model's defaults (repurchase, churn and word of mouth rise with "
    "remembered satisfaction) but for the three costs; transit log-normal, median 1 business "
    "day; objective total profit (a margin of 10 an order, nothing else), so the firm wants "
    "first orders and repeat ones. Off: market.choice.promise_per_day, customers.learning_rate, "
    "padding_suspicion and fairness_penalty all 0. On, one at a time: conversion loss "
    "promise_per_day -0.05 (Cui et al. 2024 measured -0.0073, B2B buyers about -0.019: "
    "neither stops padding here); learning rate 0.3 (the default); suspicion "
    "padding_suspicion 0.1 (the default) and fairness_penalty 0.6 (each padded-looking delivery "
    "remembered cuts the repurchase rate by 45%): the penalty stops padding, lost trust alone "
    "(padding_suspicion, even 0.5) changes next to nothing without learning, the learned lead "
    "time then staying the first promise.")
LEARNING_NOTE = (
    "LITERATURE.md derives that learning alone should stop padding; here it does not, and the "
    "row records why instead of a tolerance that would hide it. A first order's expectation is "
    "the promise, since nothing has been learned yet, so the longest quote keeps its "
    "first-order edge however fast customers learn; learning acts on repeat orders only "
    "(about one order in three here), where the rows below show it at work: a padded-looking "
    "delivery costs trust at the learning rate, so a padded firm's regulars come to expect "
    "what they got and the buffer stops delighting them (DESIGN.md). Learning alone takes "
    "padding's repeat-order delight away, gradually at the default rate; it cannot take away "
    "what first orders gain, which decides here. Padding stops when it also costs at the sale "
    "or in suspicion (the rows above).")
DELIGHT_NOTE = (
    "The padding world's longest quote (4 business days after the truck; a delivery comes "
    "about 2.4 business days before it). Delight: business days between the delivery and what "
    "the customer expected (the promise weighted by trust, the learned lead time by the rest), "
    "averaged over the measured orders; the difference of repeat orders' mean and first "
    "orders' mean is taken in each replication (paired). With learning off, a customer "
    "expects the promise on every order and lead times do not depend on the order's number "
    "(a stationary world without disruptions), so the difference is 0 in theory. With "
    "learning on (rate 0.3, the default) each padded-looking delivery moves the learned lead "
    "time toward the real one and costs trust at the learning rate, so repeat orders expect "
    "less than the promise and delight less.")


def padding_world(cost: str, *, quote_days: float = 1.0) -> Scenario:
    """The padding world with one cost of a long promise switched on (or ``none``), the firm
    quoting ``quote_days`` business days after the truck until the search moves it."""
    customers: dict[str, Any] = {"learning_rate": 0.0, "padding_suspicion": 0.0,
                                 "fairness_penalty": 0.0}
    choice: dict[str, Any] = {"promise_per_day": 0.0, "outside": 0.0, "reputation": 0.0,
                              "loyalty": 0.0, "loyalty_per_satisfaction": 0.0}
    customers.update(PADDING_COSTS[cost].get("customers", {}))
    choice.update(PADDING_COSTS[cost].get("choice", {}))
    rival = {"name": "rival_3_days", "kind": "custom",
             "path": "validation.strategies:AfterTruck", "params": {"days": 3.0}}
    return world_scenario(
        name=f"padding_{cost.replace(' ', '_')}",
        horizon={"start": "2025-01-06", "days": 120, "warmup_days": 14},
        calendar=ROUND_THE_CLOCK,
        demand={"orders_per_day": 300, "hourly_profile": MAKES_THE_TRUCK},
        warehouse={"shifts": [{"start": "00:00", "end": "24:00", "pickers": 4}],
                   "pick_minutes": {"dist": "exponential", "mean": 1.0}},
        carrier={"service_levels": [{"name": "ground", "nominal_days": 1, "cost": 0.0,
                                     "transit_days": {"dist": "lognormal", "median": 1.0,
                                                      "sigma": 0.5}}]},
        strategies=[{"name": "quote", "kind": "custom",
                     "path": "validation.strategies:AfterTruck", "params": {"days": quote_days}}],
        customers=customers,
        market={"competitors": [{"name": "rival", "strategy": rival}], "choice": choice},
        economics={"price": 10.0, "gross_margin": 1.0},
        experiment={"replications": 5, "seed": 2025, "confidence": CONFIDENCE},
        optimize={"strategy": "quote",
                  "parameters": [{"path": "params.days", "values": list(PADDING_QUOTES)}],
                  "objective": {"metric": "profit_total"},
                  "method": {"kind": "subset"}, "confirmation": 0},
    )


def padding_row(cost: str) -> Row:
    """The padding check's row with ``cost`` on: a search over the quotes of the padding world.

    With no cost, or with learning alone (whose first orders still expect the promise), the
    optimiser should pick the longest quote; with a cost at the sale or of suspicion, not."""
    longest = max(PADDING_QUOTES)
    result = optimize(padding_world(cost), workers=1)
    selection = selection_of(result, "params.days")
    note = PADDING_NOTE
    if cost == "none":
        name = "padding check: no cost of a long promise, the optimiser picks the longest quote"
    elif cost == "learning":
        name = ("padding check: with learning alone the optimiser still picks the longest "
                "quote, whose first orders expect the promise")
        note = LEARNING_NOTE
    else:
        name = f"padding check: with {cost} on, the optimiser does not pick the longest quote"
    if cost in ("none", "learning"):
        check = Confined(longest, longest, f"the longest, {longest:g} business days")
    else:
        check = Confined(-math.inf, longest - 1.0, f"shorter than {longest:g} business days")
    return Row.check(name, "LITERATURE.md, consequence for the model [derived]", check,
                     selection, origin="sampling error only, paired bounds", note=note)


def repeat_minus_first_delight(cost: str, replication: int) -> float:
    """Mean delight (business days) of repeat orders minus that of first orders, for the
    longest quote of the padding world with ``cost`` on, in one replication."""
    scenario = padding_world(cost, quote_days=max(PADDING_QUOTES))

    def delight(world, parcels, customers, judged_at):
        return {"delight": parcels.expected_b - world.calendar.to_business(parcels.delivered)}

    orders = judged_parcels(scenario, "quote", replication, delight)
    orders = orders[orders["measured"]]
    repeat = orders["order_number"] > 0
    return float(orders.loc[repeat, "delight"].mean() - orders.loc[~repeat, "delight"].mean())


def delight_row(cost: str) -> Row:
    """Whether the longest quote's repeat orders delight as much as its first orders."""
    n = padding_world(cost).experiment.replications
    estimate = Estimate.of([repeat_minus_first_delight(cost, r) for r in range(n)])
    if cost == "none":
        name = ("padding check: with learning off, the longest quote's repeat orders delight "
                "as much as its first orders (business days, repeat minus first)")
        check: Covers | Beyond = Covers(0.0)
    else:
        name = ("padding check: with learning on, the longest quote's delight wears off on "
                "repeat orders (business days, repeat minus first)")
        check = Beyond(0.0, above=False, stated="< 0 (the buffer stops delighting)")
    return Row.check(name, "DESIGN.md, what padding costs over time", check, estimate,
                     origin="sampling error only, paired by replication", note=DELIGHT_NOTE)


@pytest.mark.parametrize("cost", ["none", "conversion loss", "suspicion"])
def test_padding_check(cost, validation_row):
    row = validation_row(padding_row(cost))
    assert row.passed, row


def test_padding_check_with_learning_alone(validation_row):
    row = validation_row(padding_row("learning"))
    assert row.passed, row


@pytest.mark.parametrize("cost", ["none", "learning"])
def test_learning_wears_off_padding_delight(cost, validation_row):
    row = validation_row(delight_row(cost))
    assert row.passed, row


def test_padding_world_switches_one_cost_at_a_time():
    def switches(scenario: Scenario) -> dict[str, float]:
        c, m = scenario.customers, scenario.market.choice
        return {"promise_per_day": m.promise_per_day, "learning_rate": c.learning_rate,
                "padding_suspicion": c.padding_suspicion,
                "fairness_penalty": c.fairness_penalty}

    off = switches(padding_world("none"))
    assert set(off.values()) == {0.0}
    for cost in PADDING_COSTS:
        on = switches(padding_world(cost))
        changed = {k for k in on if on[k] != off[k]}
        expected = {k for part in PADDING_COSTS[cost].values() for k in part}
        assert changed == expected, cost


def test_helpers_read_a_search_as_a_selection():
    table = pd.DataFrame({"x": [1.0, 2.0, 3.0], "status": ["ruled out", "best", "not ruled out"],
                          "replications": [4, 4, 4]})

    class Result:
        candidates = table
        best_row = table.loc[1]

    selection = selection_of(Result(), "x")  # type: ignore[arg-type]

    assert selection == Selection(best=2.0, kept=(2.0, 3.0), grid=(1.0, 2.0, 3.0), n=4)
    assert truck_allowance(2.0) == pytest.approx(math.log((math.e**2 - 1) / 2) / 2)
    assert 0.5 < truck_allowance(1e-3) < truck_allowance(2.0) < truck_allowance(50.0) < 1.0
