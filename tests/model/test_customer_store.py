"""The customer base's store: slots that grow without losing state, one cache line a record."""

import numpy as np
from factories import deliver_to

from sim.model.customer_store import CustomerBase
from sim.model.customers import Behaviour


def test_customers_population_grows_past_its_first_capacity():
    base = CustomerBase(Behaviour(), capacity=4)
    first = base.add(3)
    second = base.add(1000)
    assert base.size == 1003 and second[0] == 3 and first[-1] == 2
    assert base.active_count == 1003


def _churned(n: int, seed: int, capacity: int = 1024) -> CustomerBase:
    """``n`` customers after one delivery each, about a third of whom left."""
    base = CustomerBase(Behaviour(churn_base=0.3), capacity=capacity)
    rng = np.random.default_rng(seed)
    ids = base.add(n)
    deliver_to(base, ids, promise=3.0, actual=2.0, early=1.0, satisfaction=0.5,
             luck=rng.random((n, 3)))
    return base


def test_customer_store_state_survives_the_arrays_growing():
    small, roomy = _churned(500, seed=1, capacity=8), _churned(500, seed=1, capacity=100_000)
    for base in (small, roomy):
        base.add(50_000)
    assert small.capacity >= 50_500
    for name in ("trust", "learned", "memory", "remembered", "padded", "active",
                 "next_purchase", "firm", "business", "early_run", "cut"):
        np.testing.assert_array_equal(getattr(small, name)[:50_500],
                                      getattr(roomy, name)[:50_500], err_msg=name)


def test_customer_store_records_each_fill_one_cache_line():
    base = CustomerBase(Behaviour(), capacity=100)
    assert base.learned.strides == (64,)
    assert base.learned.ctypes.data % 64 == 0


def test_customer_store_mean_trust_is_the_mean_over_those_who_stayed():
    base = _churned(5000, seed=2)
    active = base.active[: base.size]
    assert 0 < active.sum() < base.size
    assert base.mean_trust() == base.trust[: base.size][active].mean()  # the same sum, exactly
    assert base.active_count == active.sum()


def test_customer_store_added_for_a_firm_are_new_customers_who_joined_it():
    a, b = _churned(300, seed=5), _churned(300, seed=5)
    business = np.random.default_rng(6).random(50) < 0.5
    ids = a.add(50, business=business, firm=1)
    np.testing.assert_array_equal(ids, b.add(50, business=business))
    b.join(ids, 1)
    for name in ("trust", "learned", "memory", "remembered", "padded", "active",
                 "next_purchase", "firm", "business", "early_run", "cut"):
        np.testing.assert_array_equal(getattr(a, name)[: a.size], getattr(b, name)[: b.size],
                                      err_msg=name)
