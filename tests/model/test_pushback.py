"""Pushback and switching: business customers ask for shorter quotes; switchers start afresh."""

from functools import cache

import numpy as np
import pytest
from factories import small_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiment.streams import replication_streams
from sim.model.calendar import BusinessCalendar
from sim.model.customer_store import CustomerBase
from sim.model.customers import Behaviour
from sim.model.promise import strategy_from_spec
from sim.world import OrderRecords, build_world, simulate

NEUTRAL_LUCK = np.full((1, 3), 0.999)  # nobody leaves, nobody talks
BUFFER = {"name": "buffer", "kind": "buffer", "min_days": 4, "max_days": 5, "service": "overnight"}


@cache
def _calendar() -> BusinessCalendar:
    sc = small_scenario()
    return BusinessCalendar.from_spec(sc.horizon, sc.calendar)


def _deliver(base, ids, *, early, satisfaction=1.0, promise=5.0):
    n = len(ids)
    base.after_delivery(
        np.asarray(ids),
        promise_lead=np.full(n, promise),
        actual_lead=np.full(n, promise - early),
        earliness=np.full(n, early),
        satisfaction=np.full(n, satisfaction),
        delivered=np.full(n, 100.0),
        luck=np.repeat(NEUTRAL_LUCK, n, axis=0),
    )


def _pushy(**overrides) -> Behaviour:
    values = {"churn_base": 0.0, "pushback_share": 1.0, "pushback_early_days": 1.0,
              "pushback_patience": 2, "pushback_step_days": 1, "pushback_max_cut_days": 3,
              "pushback_refusal_cost": 1.0}
    return Behaviour(**{**values, **overrides})


@settings(max_examples=200, deadline=None)
@given(
    cuts=st.lists(st.integers(0, 10), min_size=1, max_size=8),
    data=st.data(),
)
def test_pushback_never_lengthens_a_quote(cuts, data):
    calendar = _calendar()
    n = len(cuts)
    last = calendar.days - 15
    order_day = np.array(data.draw(st.lists(st.integers(0, last), min_size=n, max_size=n)))
    ahead = np.array(data.draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)))
    latest_day = np.minimum(order_day + ahead, last)
    floor_day = calendar.nth_delivery_day(order_day, 1)
    base = CustomerBase(_pushy())
    ids = base.add(n, business=np.ones(n, dtype=bool))
    base.cut[ids] = cuts
    day = base.tighten(ids, latest_day, floor_day, calendar)
    assert (day <= latest_day).all()
    assert (day >= np.minimum(latest_day, floor_day)).all()
    # on a delivery day, with room above the floor, the cut is exactly `cut` delivery days
    on = calendar.delivery[latest_day]
    cut_days = calendar.to_business(latest_day * 24.0) - calendar.to_business(day * 24.0)
    free = on & (day > floor_day)
    np.testing.assert_array_equal(cut_days[free], np.asarray(cuts)[free])
    np.testing.assert_array_equal(day[on & (np.asarray(cuts) == 0)],
                                  latest_day[on & (np.asarray(cuts) == 0)])


def test_pushback_in_the_world_only_shortens_the_strategy_quote():
    scenario = small_scenario(
        strategies=[BUFFER], baseline="buffer",
        customers={"repurchase_per_year": 52.0,
                   "pushback": {"share": 1.0, "patience": 1, "max_cut_days": 3}},
    )
    world = build_world(scenario)
    records = OrderRecords()
    strategy = strategy_from_spec(scenario.strategies[0], world.carrier)
    simulate(world, strategy, replication_streams(7, 0), name="buffer", records=records)
    r = records.to_arrays()
    calendar = world.calendar
    order_day = np.floor(r["arrival"] / 24.0).astype(np.int64)
    own = calendar.end_of_delivery_day(calendar.nth_delivery_day(order_day, BUFFER["max_days"]))
    floor = calendar.end_of_delivery_day(calendar.nth_delivery_day(order_day, 1))
    assert (r["latest"] <= own).all()
    assert (r["latest"] < own).any()  # pushback happened
    assert (r["latest"] >= np.minimum(own, floor)).all()
    assert (r["earliest"] <= r["latest"]).all()
    cut = calendar.to_business(own) - calendar.to_business(r["latest"])
    np.testing.assert_allclose(cut, np.round(cut), atol=1e-9)  # whole delivery days
    assert set(np.round(cut).astype(int)) == {0, 1, 2, 3}  # up to max_cut_days, no further


def test_pushback_accepted_requests_stop_at_max_cut_days():
    capped, open_ended = CustomerBase(_pushy()), CustomerBase(_pushy(pushback_max_cut_days=100))
    for base in (capped, open_ended):
        base.add(1, business=np.array([True]))
    cuts = []
    for delivery in range(1, 13):
        memory_before = open_ended.memory[0]
        for base in (capped, open_ended):
            _deliver(base, [0], early=2.0)
        cuts.append(capped.cut[0])
        requests = delivery // 2  # patience 2: a request every second early delivery
        assert open_ended.cut[0] == requests
        assert capped.cut[0] == min(requests, 3)
        assert capped.refusals == max(requests - 3, 0)
        assert open_ended.refusals == 0
        assert capped.early_run[0] == delivery % 2
        assert open_ended.memory[0] == pytest.approx(0.5 * memory_before + 0.5 * 1.0)
    assert np.all(np.diff(cuts) >= 0) and max(cuts) == 3
    # 3 refusals, each weighing refusal_cost: remembered satisfaction is lower
    assert capped.memory[0] < open_ended.memory[0]


def test_pushback_refusal_costs_exactly_refusal_cost_in_memory():
    a, b = CustomerBase(_pushy(pushback_max_cut_days=0)), CustomerBase(_pushy())
    for base in (a, b):
        base.add(1, business=np.array([True]))
        _deliver(base, [0], early=2.0)
    assert a.memory[0] == b.memory[0] == pytest.approx(0.5)
    for base in (a, b):
        _deliver(base, [0], early=2.0)  # second early delivery in a row: a request
    assert a.refusals == 1 and a.cut[0] == 0 and b.cut[0] == 1
    assert b.memory[0] - a.memory[0] == pytest.approx(0.5 * 1.0)  # memory weight x cost


def test_pushback_a_delivery_not_early_enough_restarts_the_count():
    base = CustomerBase(_pushy(pushback_early_days=1.0))
    base.add(1, business=np.array([True]))
    for early in (2.0, 0.5, 2.0, 0.0, 1.0):
        _deliver(base, [0], early=early)
    assert base.cut[0] == 0 and base.early_run[0] == 1
    _deliver(base, [0], early=1.0)
    assert base.cut[0] == 1 and base.early_run[0] == 0


def test_pushback_non_business_customers_never_get_a_cut():
    base = CustomerBase(_pushy(pushback_patience=1, pushback_max_cut_days=0))
    plain = base.add(3)  # business omitted: none
    mixed = base.add(2, business=np.array([False, True]))
    ids = np.concatenate([plain, mixed])
    for _ in range(10):
        _deliver(base, ids, early=4.0)
    np.testing.assert_array_equal(base.cut[ids], 0.0)
    np.testing.assert_array_equal(base.early_run[ids[:4]], 0)
    assert base.refusals == 10  # only the business customer asks (and is refused)
    np.testing.assert_allclose(base.memory[ids[:4]], base.memory[ids[0]])
    assert base.memory[ids[4]] < base.memory[ids[0]]


def test_pushback_join_switcher_starts_afresh_stayer_keeps_state():
    behaviour = _pushy(pushback_patience=1, initial_trust=0.9)
    base = CustomerBase(behaviour)
    ids = base.add(3, business=np.ones(3, dtype=bool))
    base.join(ids, 0)  # first purchase: nothing to forget
    np.testing.assert_array_equal(base.firm[ids], 0)
    for _ in range(3):
        _deliver(base, ids, early=2.5)  # early enough to look padded too
    before = {name: getattr(base, name)[ids].copy() for name in
              ("trust", "learned", "memory", "remembered", "padded", "early_run", "cut")}
    assert (before["cut"] == 3).all() and (before["trust"] != 0.9).all()
    assert (before["padded"] == 3).all() and np.isfinite(before["learned"]).all()

    base.join(ids[:2], 0)  # the first two buy again from firm 0
    base.join(ids[2:], 1)  # the third switches to firm 1
    np.testing.assert_array_equal(base.firm[ids], [0, 0, 1])
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(base, name)[ids[:2]], value[:2])
    switcher = ids[2]
    assert base.trust[switcher] == 0.9
    assert np.isnan(base.learned[switcher])
    assert base.memory[switcher] == 0.0 and base.remembered[switcher] == 0
    assert base.padded[switcher] == 0 and base.early_run[switcher] == 0
    assert base.cut[switcher] == 0.0
    assert base.business[switcher]  # still in the negotiating segment
