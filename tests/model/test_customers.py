"""Customers who remember: each mechanism where its answer is known, and bounds as properties."""

import numpy as np
import pytest
from factories import deliver_to
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.customer_store import CustomerBase
from sim.model.customers import Behaviour, Reputation

NEUTRAL_LUCK = np.full((1, 3), 0.999)  # nobody leaves, nobody talks


def _deliver(base, ids, *, luck=None, **delivery):
    """One delivery each, with luck that decides nothing unless given."""
    luck = np.repeat(NEUTRAL_LUCK, len(ids), axis=0) if luck is None else luck
    return deliver_to(base, ids, luck=luck, **delivery)


def test_customers_new_customer_expects_the_promise_weighted_by_nothing_learned():
    base = CustomerBase(Behaviour(initial_trust=0.3))
    ids = base.add(2)
    np.testing.assert_allclose(base.expected_lead(ids, np.array([4.0, 5.0])), [4.0, 5.0])


def test_customers_learning_rate_one_makes_the_last_experience_the_learned_lead():
    base = CustomerBase(Behaviour(learning_rate=1.0, initial_trust=0.0, trust_gain=0.0,
                                  trust_loss=0.0, padding_suspicion=0.0))
    ids = base.add(1)
    for actual in (3.0, 1.0, 2.5):
        _deliver(base, ids, promise=5.0, actual=actual, early=5.0 - actual)
        # trust 0: the expectation is exactly the last experience
        assert base.expected_lead(ids, np.array([5.0]))[0] == pytest.approx(actual)


def test_customers_full_trust_makes_the_expectation_the_promise():
    # a customer who never learns and never suspects keeps full trust after padding
    base = CustomerBase(Behaviour(initial_trust=1.0, trust_gain=0.0, trust_loss=0.0,
                                  padding_suspicion=0.0, learning_rate=0.0))
    ids = base.add(1)
    _deliver(base, ids, promise=5.0, actual=1.0, early=4.0)
    assert base.expected_lead(ids, np.array([7.0]))[0] == pytest.approx(7.0)


def test_customers_always_delivered_overnight_come_to_expect_overnight():
    base = CustomerBase(Behaviour())  # defaults: suspicion of padding erodes trust in the quote
    ids = base.add(1)
    for _ in range(200):
        _deliver(base, ids, promise=5.0, actual=1.0, early=4.0, satisfaction=3.0)
    assert base.expected_lead(ids, np.array([5.0]))[0] == pytest.approx(1.0, abs=0.01)


def test_customers_remember_from_a_neutral_start_by_default():
    base = CustomerBase(Behaviour(memory=0.25))
    ids = base.add(1)
    for satisfaction in (-2.0, 1.0):
        _deliver(base, ids, promise=3.0, actual=3.0, early=0.0, satisfaction=satisfaction)
    assert base.memory[ids[0]] == pytest.approx(0.75 * (0.25 * -2.0) + 0.25 * 1.0)


def test_customers_a_first_experience_is_all_a_new_customer_remembers():
    base = CustomerBase(Behaviour(memory=0.25, memory_start="first_experience"))
    ids = base.add(1)
    remembered = []
    for satisfaction in (-2.0, 1.0, 1.0, 1.0, 1.0, 1.0):
        _deliver(base, ids, promise=3.0, actual=3.0, early=0.0, satisfaction=satisfaction)
        remembered.append(base.memory[ids[0]])
    # the plain mean while fewer than 1 / memory = 4 deliveries, then weight 0.25
    np.testing.assert_allclose(remembered[:4], [-2.0, -0.5, 0.0, 0.25], atol=1e-12)
    np.testing.assert_allclose(remembered[4:], [0.4375, 0.578125])


def test_customers_a_late_first_order_weighs_more_than_a_late_later_one():
    behaviour = Behaviour(memory_start="first_experience")  # memory 0.5
    new, regular = CustomerBase(behaviour), CustomerBase(behaviour)
    new.add(1)
    regular.add(1)
    _deliver(regular, [0], promise=3.0, actual=3.0, early=0.0, satisfaction=0.0)
    for base in (new, regular):
        _deliver(base, [0], promise=3.0, actual=4.0, early=-1.0, satisfaction=-2.25)
    assert new.memory[0] == pytest.approx(-2.25)
    assert regular.memory[0] == pytest.approx(-1.125)
    assert new.next_purchase[0] > regular.next_purchase[0]  # same luck, a slower rate


def test_customers_broken_promise_costs_more_trust_than_a_kept_one_earns():
    behaviour = Behaviour(initial_trust=0.5, padding_suspicion=0.0)
    kept, broken = CustomerBase(behaviour), CustomerBase(behaviour)
    a, b = kept.add(1), broken.add(1)
    _deliver(kept, a, promise=2.0, actual=2.0, early=0.0)
    _deliver(broken, b, promise=2.0, actual=3.0, early=-1.0)
    assert kept.trust[0] - 0.5 < 0.5 - broken.trust[0]


def test_customers_padded_delivery_lowers_trust_more_than_a_kept_one():
    behaviour = Behaviour(initial_trust=0.8, padding_days=2.0, padding_suspicion=0.2)
    just, padded = CustomerBase(behaviour), CustomerBase(behaviour)
    _deliver(just, just.add(1), promise=5.0, actual=4.5, early=0.5)
    _deliver(padded, padded.add(1), promise=5.0, actual=1.0, early=4.0)
    assert padded.trust[0] < 0.8 < just.trust[0]
    assert padded.padded[0] == 1 and just.padded[0] == 0


@pytest.mark.parametrize("learning", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("suspicion", [0.0, 0.1])
def test_customers_padded_delivery_teaches_distrust_at_the_learning_rate(learning, suspicion):
    behaviour = Behaviour(initial_trust=0.8, learning_rate=learning, padding_suspicion=suspicion)
    padded, kept = CustomerBase(behaviour), CustomerBase(behaviour)
    _deliver(padded, padded.add(1), promise=5.0, actual=1.0, early=4.0)
    _deliver(kept, kept.add(1), promise=5.0, actual=4.5, early=0.5)
    assert padded.trust[0] == pytest.approx(0.8 * (1 - suspicion) * (1 - learning))
    assert kept.trust[0] == pytest.approx(0.8 + behaviour.trust_gain * 0.2)


def test_customers_fairness_penalty_slows_repurchase_after_padding():
    luck = np.array([[0.999, 0.5, 0.999]])
    fair = CustomerBase(Behaviour(fairness_penalty=0.0))
    wary = CustomerBase(Behaviour(fairness_penalty=1.0))
    for base in (fair, wary):
        _deliver(base, base.add(1), promise=5.0, actual=1.0, early=4.0, luck=luck)
    assert wary.next_purchase[0] > fair.next_purchase[0] > 100.0


def test_customers_repurchase_gap_is_exponential_with_the_configured_rate():
    n = 20000
    base = CustomerBase(Behaviour(repurchase_per_year=4.0, repurchase_sensitivity=0.0,
                                  churn_base=0.0))
    ids = base.add(n)
    luck = np.column_stack([np.full(n, 0.5), np.random.default_rng(3).random(n), np.ones(n)])
    _deliver(base, ids, promise=2.0, actual=2.0, early=0.0, at=0.0, luck=luck)
    gaps = base.next_purchase[ids] / 24.0
    expected, se = 365.25 / 4.0, 365.25 / 4.0 / np.sqrt(n)
    assert abs(gaps.mean() - expected) < 5 * se


def test_customers_churn_rises_with_dissatisfaction():
    n = 20000
    rng = np.random.default_rng(5)
    left = {}
    for s in (-2.0, 0.0, 2.0):
        base = CustomerBase(Behaviour(churn_base=0.1, churn_sensitivity=0.7))
        ids = base.add(n)
        luck = np.column_stack([rng.random(n), np.full(n, 0.5), np.ones(n)])
        _deliver(base, ids, promise=2.0, actual=2.0, early=0.0, satisfaction=s, luck=luck)
        left[s] = 1 - base.active[ids].mean()
    assert left[-2.0] > left[0.0] > left[2.0]
    assert abs(left[0.0] - 0.1) < 5 * np.sqrt(0.1 * 0.9 / n)


def test_customers_talk_asymmetrically():
    n = 20000
    base = CustomerBase(Behaviour(referral_probability=0.1, warning_probability=0.3,
                                  churn_base=0.0))
    luck = np.column_stack([np.ones(n), np.full(n, 0.5), np.random.default_rng(9).random(n)])
    referrals, _ = _deliver(base, base.add(n), promise=5, actual=1, early=4, satisfaction=3,
                            luck=luck)
    _, warnings = _deliver(base, base.add(n), promise=1, actual=3, early=-2, satisfaction=-3,
                           luck=luck)
    for count, p in ((referrals, 0.1), (warnings, 0.3)):
        assert abs(count - n * p) < 5 * np.sqrt(n * p * (1 - p))


def test_reputation_negative_word_of_mouth_lowers_arrivals():
    praised, warned = Reputation(), Reputation()
    for _ in range(60):
        praised.update(referrals=30, warnings=0, deliveries=100)
        warned.update(referrals=0, warnings=30, deliveries=100)
    assert warned.arrival_multiplier < 1.0 < praised.arrival_multiplier


def test_reputation_is_forgotten_with_its_half_life():
    reputation = Reputation(half_life_days=10.0)
    reputation.update(referrals=0, warnings=50, deliveries=100)
    start = reputation.score
    for _ in range(10):
        reputation.update(referrals=0, warnings=0, deliveries=100)
    assert reputation.score == pytest.approx(start / 2)


@settings(max_examples=200, deadline=None)
@given(
    trust=st.floats(0, 1), learning=st.floats(0, 1), gain=st.floats(0, 1), loss=st.floats(0, 1),
    suspicion=st.floats(0, 1), promise=st.floats(0, 30), actual=st.floats(0, 30),
    satisfaction=st.floats(-20, 5),
)
def test_customers_state_stays_in_bounds(trust, learning, gain, loss, suspicion, promise,
                                         actual, satisfaction):
    base = CustomerBase(Behaviour(initial_trust=trust, learning_rate=learning, trust_gain=gain,
                                  trust_loss=loss, padding_suspicion=suspicion))
    ids = base.add(1)
    _deliver(base, ids, promise=promise, actual=actual, early=promise - actual,
             satisfaction=satisfaction)
    assert 0.0 <= base.trust[0] <= 1.0
    low, high = min(promise, actual), max(promise, actual)
    assert low - 1e-9 <= base.learned[0] <= high + 1e-9
    expected = base.expected_lead(ids, np.array([promise]))[0]
    assert min(low, base.learned[0]) - 1e-9 <= expected <= max(high, base.learned[0]) + 1e-9


@settings(max_examples=100, deadline=None)
@given(trust=st.floats(0, 1), promise=st.floats(0, 30), longer=st.floats(0, 10))
def test_customers_expectation_never_falls_when_the_promise_grows(trust, promise, longer):
    base = CustomerBase(Behaviour(initial_trust=trust))
    ids = base.add(1)
    _deliver(base, ids, promise=promise, actual=2.0, early=promise - 2.0)
    a = base.expected_lead(ids, np.array([promise]))[0]
    b = base.expected_lead(ids, np.array([promise + longer]))[0]
    assert b >= a - 1e-12
