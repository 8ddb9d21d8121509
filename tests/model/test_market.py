"""The logit choice at the point of sale, where its answers are known."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.market import CUI_2024_SALES_PER_DAY_FASTER, LogitChoice, promise_coefficient


def test_market_longer_promise_lowers_the_choice_probability():
    choice = LogitChoice(promise=-0.3)
    p = choice.probabilities(np.array([[1.0, 4.0]]))[0]
    assert p[1] > p[2] > 0


def test_market_equal_offers_split_evenly_within_sampling_error():
    choice = LogitChoice(promise=-0.3, outside=-5.0)
    n = 100_000
    p = choice.probabilities(np.tile([2.0, 2.0], (n, 1)))
    picks = choice.choose(p, np.random.default_rng(1).random(n))
    firm_one, firm_two = np.count_nonzero(picks == 1), np.count_nonzero(picks == 2)
    buyers = firm_one + firm_two
    assert abs(firm_one / buyers - 0.5) < 4 * np.sqrt(0.25 / buyers)


def test_market_choice_frequencies_match_probabilities():
    choice = LogitChoice(promise=-0.5, reputation=2.0)
    n = 200_000
    p = choice.probabilities(np.tile([1.0, 3.0], (n, 1)), reputation=np.array([0.0, 0.5]))
    picks = choice.choose(p, np.random.default_rng(2).random(n))
    for option in range(3):
        share = np.count_nonzero(picks == option) / n
        expected = p[0, option]
        assert abs(share - expected) < 5 * np.sqrt(expected * (1 - expected) / n)


def test_market_default_coefficient_reproduces_cui_2024_response():
    choice = LogitChoice(outside=6.0)  # the firm holds about 0.25% of the market
    base = choice.probabilities(np.array([[3.0]]))[0, 1]
    faster = choice.probabilities(np.array([[2.0]]))[0, 1]
    assert base < 0.005
    assert faster / base - 1 == pytest.approx(CUI_2024_SALES_PER_DAY_FASTER, rel=0.01)


def test_market_promise_coefficient_inverts_the_logit_elasticity():
    beta = promise_coefficient(0.02, share=0.3)
    choice = LogitChoice(promise=beta, outside=np.log(0.7 / 0.3) + beta * 3.0)
    share = choice.probabilities(np.array([[3.0]]))[0, 1]
    assert share == pytest.approx(0.3)
    faster = choice.probabilities(np.array([[2.0]]))[0, 1]
    assert np.log(faster / share) == pytest.approx(np.log1p(0.02) * (1 - faster) / (1 - share),
                                                   rel=0.05)


def test_market_promise_coefficient_rejects_a_full_share():
    with pytest.raises(ValueError, match=r"'share' must be in \[0, 1\)"):
        promise_coefficient(0.01, share=1.0)


@given(
    days=st.lists(st.floats(0, 60), min_size=1, max_size=6),
    beta=st.floats(-5, 0),
    longer=st.floats(0.1, 20),
    firm=st.integers(0, 5),
)
def test_market_probabilities_are_a_distribution_and_fall_with_the_promise(days, beta, longer,
                                                                          firm):
    firm = firm % len(days)
    choice = LogitChoice(promise=beta)
    p = choice.probabilities(np.array([days]))[0]
    assert p.sum() == pytest.approx(1.0) and np.all(p >= 0)
    slower = list(days)
    slower[firm] += longer
    q = choice.probabilities(np.array([slower]))[0]
    assert q[firm + 1] <= p[firm + 1] + 1e-12
