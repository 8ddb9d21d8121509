"""Judging a day's deliveries and bringing customers back, against their plain numpy statement.

The compiled passes must give exactly what the step-by-step formulation gives: each parcel
judged against its promise and its customer's expectation, customers learning in order of
delivery (the ``j``-th delivered draws ``luck[j]``), measured parcels booked in their order,
returning customers merged into the day's orders by time (a new customer first on a tie) and
filed under the day of their next purchase with what they believe.
"""

import numpy as np
import pytest
from factories import small_scenario

from sim.model.customer_store import CustomerBase
from sim.model.customers import Behaviour
from sim.model.satisfaction import Reference
from sim.world import build_world
from sim.world.build import DayDraws
from sim.world.judging import judge
from sim.world.ledger import Ledger, WeeklySeries, order_profits
from sim.world.parcels import Parcels
from sim.world.returning import Returning, merge_returning

PUSHY = Behaviour(pushback_share=0.5, pushback_patience=1, pushback_max_cut_days=1,
                  churn_base=0.3, referral_probability=0.5, warning_probability=0.5)


def _world(reference: str):
    return build_world(small_scenario(customers={}, satisfaction={"reference": reference}))


def _customers(n: int, seed: int) -> CustomerBase:
    base = CustomerBase(PUSHY, capacity=8)
    rng = np.random.default_rng(seed)
    base.add(n, business=rng.random(n) < 0.5)
    ids = np.arange(n)
    base.after_delivery(ids, promise_lead=rng.uniform(1, 5, n), actual_lead=rng.uniform(1, 5, n),
                        earliness=rng.uniform(-2, 3, n), satisfaction=rng.uniform(-3, 2, n),
                        delivered=np.full(n, 100.0), luck=rng.random((n, 3)))
    return base


def _parcels(world, customers: CustomerBase, n: int, seed: int) -> Parcels:
    rng = np.random.default_rng(seed)
    clock = world.calendar.to_business
    arrival = np.sort(24.0 * rng.uniform(3, 12, n))
    latest = 24.0 * rng.uniform(18, 26, n)  # delivered on day 20: late, on time or early
    earliest = latest - 24.0 * rng.uniform(0, 2, n)
    opens = world.calendar.delivery_open
    day = 24 * 20  # a Monday at 8:00, many parcels at once: ties in the order of delivery
    delivered = np.where(rng.random(n) < 0.4, day + opens, day + opens + 8.0 * rng.random(n))
    ordered_b = clock(arrival)
    reference_b = clock(world.satisfaction.expectation(earliest, latest))
    customer = rng.permutation(customers.size)[:n]
    expected_b = ordered_b + customers.expected_lead(customer, reference_b - ordered_b)
    service = rng.integers(0, len(world.carrier.services), n)
    return Parcels(arrival, latest, service, delivered, ordered_b, reference_b, expected_b,
                   customer)


def _judged_step_by_step(world, parcels, ledger, *, price, customers, luck, judged_at):
    """The day's judgement in numpy, one step at a time."""
    clock = world.calendar.to_business
    delivered_b = clock(parcels.delivered)
    promised_b = (parcels.reference_b if world.satisfaction.reference == Reference.END
                  else clock(parcels.latest))
    lateness = delivered_b - promised_b
    early = parcels.expected_b - delivered_b
    satisfaction = world.satisfaction.value(early)
    order = np.argsort(parcels.delivered, kind="stable")
    talk = customers.after_delivery(
        parcels.customer[order],
        promise_lead=(parcels.reference_b - parcels.ordered_b)[order],
        actual_lead=(delivered_b - parcels.ordered_b)[order],
        earliness=-lateness[order],
        satisfaction=satisfaction[order],
        delivered=np.full(order.size, judged_at),
        luck=luck,
    )
    money = world.economics
    shipping = world.carrier.costs[parcels.service]
    revenue = np.full(lateness.size, price)
    ledger.book(
        measured=parcels.arrival >= world.warmup_days * 24.0,
        lateness=lateness, early=early, satisfaction=satisfaction,
        lead_time=(parcels.delivered - parcels.arrival) / 24.0,
        expected_lead=parcels.expected_b - parcels.ordered_b,
        actual_lead=delivered_b - parcels.ordered_b,
        shipping_cost=shipping, revenue=revenue,
        profit=order_profits(revenue * money.gross_margin, shipping, lateness,
                             promised_b - parcels.ordered_b, float(money.late_credit),
                             float(money.late_cost_per_day), float(money.promise_cost_per_day)),
        week=np.floor(parcels.delivered / (7 * 24.0)).astype(np.int64),
        delight_days=world.satisfaction.delight_days,
    )
    return talk


def _state(customers: CustomerBase) -> dict[str, np.ndarray]:
    names = ("trust", "learned", "memory", "remembered", "padded", "active", "next_purchase",
             "firm", "business", "early_run", "cut")
    return {name: getattr(customers, name)[: customers.size].copy() for name in names}


@pytest.mark.parametrize("reference", ["end", "mid"])
def test_judge_learns_in_order_of_delivery_and_books_in_order_of_parcels(reference):
    world = _world(reference)
    compiled, plain = _customers(3000, seed=1), _customers(3000, seed=1)
    parcels = _parcels(world, compiled, 2500, seed=2)
    luck = np.random.default_rng(3).random((2500, 3))
    ledgers = [Ledger(weekly=WeeklySeries(world.calendar.days // 7 + 1)) for _ in range(2)]
    options = {"price": 80.0, "luck": luck, "judged_at": 21 * 24.0}
    talk = judge(world, parcels, ledgers[0], customers=compiled, **options)
    expected = _judged_step_by_step(world, parcels, ledgers[1], customers=plain, **options)
    assert talk == expected and min(talk) > 0 and compiled.refusals == plain.refusals > 0
    for name, values in _state(plain).items():
        np.testing.assert_array_equal(_state(compiled)[name], values, err_msg=name)
    np.testing.assert_equal(ledgers[0].metrics(), ledgers[1].metrics())  # NaN equals NaN
    for a, b in zip(ledgers[0].books, ledgers[1].books):
        np.testing.assert_array_equal(a, b)


def _merged_step_by_step(world, draws, new, customers, due, warehouse_rng, carrier_rng):
    back = np.concatenate(due)
    back = back[customers.active[back]]
    extra = world.draw_work(back.size, warehouse_rng, carrier_rng)
    arrival = np.concatenate([draws.arrival, customers.next_purchase[back]])
    order = np.argsort(arrival, kind="stable")
    merged = DayDraws(arrival[order],
                      np.concatenate([draws.pick_hours, extra.pick_hours])[order],
                      np.concatenate([draws.luck, extra.luck])[order])
    ids = np.concatenate([new, back])[order]
    return merged, ids, customers.beliefs(ids)


def test_returning_customers_join_the_days_orders_in_order_of_time_new_ones_first_on_a_tie():
    world = _world("end")
    customers = _customers(400, seed=9)
    rng = np.random.default_rng(4)
    returning = np.arange(400)
    customers.next_purchase[returning] = 240.0 + np.round(23.9 * rng.random(400), 1)
    due = Returning(30)
    for chunk in (returning[:150], returning[150:]):
        due.file(chunk, customers)
    customers.active[returning[::7]] = False  # left since they were filed
    new = customers.add(300, firm=0)
    arrival = np.sort(np.concatenate([customers.next_purchase[returning[:50]],
                                      240.0 + np.round(24.0 * rng.random(250), 1)]))
    draws = DayDraws(arrival, rng.random(300), rng.random(300))
    merged, ids, beliefs = merge_returning(world, draws, new, customers, due, 10,
                                           np.random.default_rng(5), np.random.default_rng(6))
    expected, expected_ids, expected_beliefs = _merged_step_by_step(
        world, draws, new, customers, [returning[:150], returning[150:]],
        np.random.default_rng(5), np.random.default_rng(6))
    np.testing.assert_array_equal(ids, expected_ids)
    for field in DayDraws.__slots__:
        np.testing.assert_array_equal(getattr(merged, field), getattr(expected, field))
    for got, want in zip(beliefs, expected_beliefs):
        np.testing.assert_array_equal(got, want)
    assert due.take(10, customers.active)[0].size == 0  # taken once


def test_customers_who_will_buy_again_are_filed_under_that_day_in_order():
    customers = CustomerBase(Behaviour())
    ids = customers.add(5000)
    rng = np.random.default_rng(7)
    when = 24.0 * rng.uniform(0, 40, 5000)
    when[::9] = np.inf  # they left
    customers.next_purchase[ids] = when
    customers.trust[ids] = rng.random(5000)
    customers.learned[ids] = rng.uniform(1, 5, 5000)
    returning = Returning(30)
    judged = [rng.permutation(ids)[:3000], np.array([-1, 4, -1]), rng.permutation(ids)[:2000]]
    for batch in judged:
        returning.file(batch, customers)
    judged = np.concatenate(judged)
    judged = judged[judged >= 0]
    soon = judged[customers.next_purchase[judged] < 30 * 24.0]
    day = np.floor(customers.next_purchase[soon] / 24.0).astype(np.int64)
    for d in range(30):
        back, at, beliefs = returning.take(d, customers.active)
        np.testing.assert_array_equal(back, soon[day == d])
        np.testing.assert_array_equal(at, customers.next_purchase[back])
        np.testing.assert_array_equal(beliefs[:, 0], customers.trust[back])
        np.testing.assert_array_equal(beliefs[:, 1], customers.learned[back])
