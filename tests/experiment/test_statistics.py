import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiment.statistics import mean_interval, paired_differences, summarize


def test_mean_interval_covers_the_true_mean_at_its_nominal_rate():
    rng = np.random.default_rng(0)
    trials, n = 4000, 8
    covered = 0
    for _ in range(trials):
        _, low, high = mean_interval(rng.normal(5.0, 2.0, n), 0.95)
        covered += low <= 5.0 <= high
    # binomial 99.9% band around 0.95 for 4000 trials
    lo, hi = stats.binom.interval(0.999, trials, 0.95)
    assert lo <= covered <= hi


def test_mean_interval_of_a_single_value_has_no_width():
    mean, low, high = mean_interval(np.array([3.0]))
    assert mean == 3.0 and np.isnan(low) and np.isnan(high)


def _table(a, b):
    rows = [{"strategy": "a", "replication": r, "m": x} for r, x in enumerate(a)]
    rows += [{"strategy": "b", "replication": r, "m": x} for r, x in enumerate(b)]
    return pd.DataFrame(rows)


def test_paired_differences_pair_by_replication():
    table = _table([1.0, 2.0, 3.0], [1.5, 2.5, 3.5])
    diff = paired_differences(table, ["m"], "a", 0.95)
    assert diff.loc[0, "strategy"] == "b"
    assert diff.loc[0, "mean_difference"] == pytest.approx(0.5)
    # every paired difference is exactly 0.5: the interval has no width
    assert diff.loc[0, "ci_low"] == pytest.approx(0.5)
    assert diff.loc[0, "ci_high"] == pytest.approx(0.5)


def test_summarize_gives_one_row_per_strategy_and_metric():
    summary = summarize(_table([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]), ["m"], 0.9)
    assert list(summary["strategy"]) == ["a", "b"]
    assert summary.loc[0, "mean"] == pytest.approx(2.0)
    half = stats.t.ppf(0.95, 2) * 1.0 / np.sqrt(3)
    assert summary.loc[0, "ci_high"] == pytest.approx(2.0 + half)
    assert (summary["n"] == 3).all()


def test_paired_differences_match_rows_by_replication_not_by_position():
    table = _table([1.0, 2.0, 3.0], [1.5, 2.5, 3.5]).sample(frac=1.0, random_state=3)
    table = table[~((table["strategy"] == "b") & (table["replication"] == 1))]
    diff = paired_differences(table, ["m"], "a", 0.95)
    assert diff.loc[0, "n"] == 2  # replication 1 has no pair
    assert diff.loc[0, "mean_difference"] == pytest.approx(0.5)
    assert diff.loc[0, "ci_low"] == pytest.approx(0.5)


def test_summarize_keeps_the_strategies_in_their_first_order_and_counts_missing_values():
    table = _table([1.0, np.nan, 3.0], [2.0, 2.0, 2.0]).iloc[::-1]
    summary = summarize(table, ["m"], 0.95)
    assert list(summary["strategy"]) == ["b", "a"]
    assert summary.set_index("strategy").loc["a", "n"] == 2
    assert summary.set_index("strategy").loc["a", "mean"] == pytest.approx(2.0)
