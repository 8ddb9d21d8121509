"""Ranking and selection against its theory, on normal samples of known means (no world).

Each test runs a procedure in many macro-replications, each on fresh normal outputs from a
fixed seed, and counts how often it does what the theory promises. The promise is judged
with the binomial sampling error of that count: a procedure known to be conservative (KN)
must show a one-sided 99% lower bound of its probability of correct selection at or above
the nominal ``confidence``; an exact one (the paired subset in the least favourable case,
all means equal) must not show evidence of falling short (its 99% upper bound at or above).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.experiment.selection import (
    KimNelsonProcedure,
    SubsetProcedure,
    compare_with_best,
    paired_bound,
)

MAXIMUM = 2000


def lower_bound(successes: int, n: int, level: float = 0.99) -> float:
    """Clopper-Pearson one-sided lower bound of a probability from ``successes`` of ``n``."""
    return 0.0 if successes == 0 else float(stats.beta.ppf(1 - level, successes, n - successes + 1))


def upper_bound(successes: int, n: int, level: float = 0.99) -> float:
    """Clopper-Pearson one-sided upper bound of a probability from ``successes`` of ``n``."""
    return 1.0 if successes == n else float(stats.beta.ppf(level, successes + 1, n - successes))


def outputs(rng: np.random.Generator, means: np.ndarray, *, common: float = 0.0,
            own: float = 1.0, n: int = MAXIMUM) -> np.ndarray:
    """Normal outputs, one row per system; ``common`` is the sd of luck all systems share
    (common random numbers), ``own`` that of each system's own noise."""
    shared = rng.normal(0.0, common, size=n) if common else 0.0
    return means[:, None] + shared + rng.normal(0.0, own, size=(means.size, n))


def kn_choice(data: np.ndarray, procedure: KimNelsonProcedure, confidence: float) -> int:
    """The system KN selects on ``data``: the survivor with the highest mean."""
    selection = procedure.select(lambda c, n: data[list(c), :n], data.shape[0],
                                 confidence=confidence)
    best, _ = compare_with_best([data[i, :selection.eliminated_after.get(i, procedure.maximum)]
                                 for i in range(data.shape[0])],
                                selection.survivors, confidence=confidence)
    return best


@pytest.mark.parametrize(("k", "gap", "common", "confidence"), [
    (5, 1.0, 0.0, 0.95),   # slippage: the best exactly the indifference zone ahead
    (4, 1.0, 1.5, 0.90),   # with common random numbers (correlated outputs)
    (3, 2.0, 0.0, 0.95),   # the best well beyond the zone
])
def test_kn_selects_the_best_with_at_least_the_nominal_probability(k, gap, common, confidence):
    delta, macro = 0.5, 800
    means = np.zeros(k)
    means[k // 2] = gap * delta
    procedure = KimNelsonProcedure(delta, first=10, maximum=MAXIMUM)
    rng = np.random.default_rng(20250 + k)
    correct = sum(kn_choice(outputs(rng, means, common=common), procedure, confidence) == k // 2
                  for _ in range(macro))
    assert lower_bound(correct, macro) >= confidence, f"{correct} of {macro}"


def test_kn_with_equal_means_picks_one_and_stops_within_its_bound():
    # inside the indifference zone nothing is promised about which, only that KN ends in time
    k, delta, first, confidence, macro = 4, 0.5, 10, 0.95, 200
    procedure = KimNelsonProcedure(delta, first=first, maximum=MAXIMUM)
    eta = 0.5 * ((2 * (1 - confidence) / (k - 1)) ** (-2 / (first - 1)) - 1)
    rng = np.random.default_rng(7)
    chosen = []
    for _ in range(macro):
        data = outputs(rng, np.zeros(k))
        seen: list[int] = []
        selection = procedure.select(
            lambda c, n, data=data, seen=seen: seen.append(n) or data[list(c), :n], k,
            confidence=confidence)
        first_cov = np.cov(data[:, :first], ddof=1)
        s2 = max(first_cov[i, i] + first_cov[j, j] - 2 * first_cov[i, j]
                 for i in range(k) for j in range(k))
        assert max(seen) <= np.floor(2 * eta * (first - 1) * s2 / delta**2) + 1
        assert selection.survivors
        chosen.append(kn_choice(data, procedure, confidence))
    assert set(chosen) == set(range(k))  # no system is favoured by its place


def test_subset_contains_the_best_with_at_least_the_nominal_probability():
    # all means equal is the least favourable case: system 0 is (one of) the best
    k, n, confidence, macro = 5, 20, 0.9, 2000
    rng = np.random.default_rng(11)
    contains = 0
    for _ in range(macro):
        data = outputs(rng, np.zeros(k), common=1.0, n=n)
        SubsetProcedure(n).select(lambda c, m, data=data: data[list(c), :m], k,
                                  confidence=confidence)
        _, comparisons = compare_with_best(list(data), range(k), confidence=confidence)
        contains += comparisons[0].in_contention
    assert upper_bound(contains, macro) >= confidence, f"{contains} of {macro}"


def test_subset_rules_out_systems_far_below_the_best():
    k, n = 4, 30
    rng = np.random.default_rng(3)
    data = outputs(rng, np.array([0.0, 5.0, -5.0, 4.9]), n=n)

    best, comparisons = compare_with_best(list(data), range(k), confidence=0.95)

    assert best in (1, 3)
    assert [c.in_contention for c in comparisons] == [False, True, False, True]


def test_compare_with_best_breaks_ties_by_the_lower_index_and_keeps_one_replication_in():
    data = [np.array([1.0, 2.0]), np.array([2.0, 1.0]), np.array([5.0])]

    best, comparisons = compare_with_best(data, (0, 1), confidence=0.95)

    assert best == 0
    assert comparisons[0].difference == 0.0
    assert comparisons[2].in_contention  # one shared replication: no bound, not ruled out


def test_paired_bound_is_the_t_interval_of_the_differences():
    diff = np.array([0.5, 1.5, 1.0, 2.0])
    mean, low, high = paired_bound(diff, 0.975)
    half = stats.t.ppf(0.975, 3) * diff.std(ddof=1) / 2.0
    assert (mean, low, high) == pytest.approx((1.25, 1.25 - half, 1.25 + half))


def test_kn_drops_clearly_worse_candidates_at_the_first_screening():
    data = np.array([[0.0, 1.0, 0.5, 0.2], [10.0, 11.0, 10.4, 10.3], [-5.0, -4.0, -4.6, -4.4]])
    asked: list[tuple[list[int], int]] = []

    def observe(chosen, n):
        asked.append((list(chosen), n))
        return data[list(chosen), :n]

    selection = KimNelsonProcedure(1.0, first=4, maximum=50).select(observe, 3,
                                                                    confidence=0.95)

    assert selection.survivors == (1,)
    assert selection.eliminated_after == {0: 4, 2: 4}
    assert asked == [([0, 1, 2], 4)]


def test_kn_stops_on_identical_candidates_without_running_to_the_maximum():
    row = np.array([1.0, 2.0, 0.5, 1.5, 1.2])
    data = np.vstack([row, row, row - 3.0])

    selection = KimNelsonProcedure(0.1, first=5, maximum=1000).select(
        lambda c, n: data[list(c), :n], 3, confidence=0.95)

    assert selection.survivors == (0, 1)


def test_subset_procedure_observes_everyone_once():
    asked = []
    SubsetProcedure(7).select(lambda c, n: asked.append((list(c), n)), 3, confidence=0.95)
    assert asked == [([0, 1, 2], 7)]
