"""Comparing two result sets: changes beyond sampling error, and what differs in scenario and run."""

import json

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario, small_scenario_data
from scipy import stats

import sim
from sim.experiment.runner import Results
from sim.experiment.statistics import summarize
from sim.report.compare import COMPARISON_COLUMNS, Change, compare_results, spec_changes


@pytest.fixture(scope="module")
def before():
    return sim.run(small_scenario(), replications=3, workers=1)


@pytest.fixture(scope="module")
def wider():
    """The buffer's window two days longer; same seed, so the other strategies see the same luck."""
    data = small_scenario_data()
    data["strategies"][0]["max_days"] = 7
    return sim.run(sim.parse_scenario(data), replications=3, workers=1)


def _synthetic(values: dict[str, np.ndarray], *, strategy="s", seed=0) -> Results:
    """A run made of given per-replication values: one column per metric."""
    n = len(next(iter(values.values())))
    table = pd.DataFrame({"strategy": strategy, "replication": np.arange(n), **values})
    scenario = small_scenario()
    return Results(
        scenario=scenario, replications=table, summary=summarize(table, list(values), 0.95),
        differences=pd.DataFrame(), timeseries=pd.DataFrame(),
        manifest={"confidence": 0.95, "seed": seed, "replications": n,
                  "scenario_spec": scenario.model_dump(mode="json", by_alias=True)},
        satisfaction_hist={},
    )


def test_a_run_against_itself_changes_nothing(before):
    comparison = compare_results(before, before)
    table = comparison.metrics
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert comparison.scenario_changes == [] and comparison.run_changes == []
    assert comparison.changed.empty
    assert (table["change"] == 0).all()
    assert table["intervals_overlap"].all()


def test_changed_window_is_flagged_and_names_the_changed_key(before, wider):
    comparison = compare_results(before, wider)
    assert [str(c) for c in comparison.scenario_changes] == [
        "strategies.zappos_buffer.max_days: 5 -> 7"]
    assert [c.path for c in comparison.run_changes] == ["scenario_hash"]
    rows = comparison.metrics.set_index(["strategy", "metric"])
    earliness = rows.loc[("zappos_buffer", "earliness_mean")]
    assert earliness["beyond_sampling_error"] and not earliness["intervals_overlap"]
    assert earliness["change_ci_low"] > 0


def test_strategies_left_alone_see_the_same_luck_and_do_not_change(before, wider):
    rows = compare_results(before, wider).metrics.set_index(["strategy", "metric"])
    for strategy in ("competitor_overnight", "quantile_95_ground"):
        mine = rows.loc[strategy]
        assert (mine["change"] == 0).all()
        assert not mine["beyond_sampling_error"].any()


def test_run_changes_list_seed_replications_and_versions():
    a = _synthetic({"satisfaction_mean": np.zeros(3)})
    b = _synthetic({"satisfaction_mean": np.zeros(4)}, seed=9)
    a.manifest["versions"] = {"numpy": "2.0", "pandas": "2.2"}
    b.manifest["versions"] = {"numpy": "2.1", "pandas": "2.2"}
    changes = [str(c) for c in compare_results(a, b).run_changes]
    assert changes == ["seed: 0 -> 9", "replications: 3 -> 4", "versions.numpy: 2.0 -> 2.1"]


def test_welch_interval_and_p_value_are_welchs():
    rng = np.random.default_rng(5)
    xa, xb = rng.normal(0, 1, 6), rng.normal(0.8, 2, 9)
    row = compare_results(_synthetic({"m": xa}), _synthetic({"m": xb})).metrics.iloc[0]
    test = stats.ttest_ind(xb, xa, equal_var=False)
    assert row["p_value"] == pytest.approx(test.pvalue, rel=1e-9)
    assert row["change"] == pytest.approx(xb.mean() - xa.mean(), rel=1e-12)
    half = (row["change_ci_high"] - row["change_ci_low"]) / 2
    se = np.sqrt(xa.var(ddof=1) / 6 + xb.var(ddof=1) / 9)
    assert half / se == pytest.approx(abs(stats.t.ppf(0.025, test.df)), rel=1e-9)


def test_no_change_is_flagged_about_as_often_as_the_level_says():
    rng = np.random.default_rng(11)
    metrics = 600
    a = _synthetic({f"m{i}": rng.gamma(2.0, 1.0, 5) for i in range(metrics)})
    b = _synthetic({f"m{i}": rng.gamma(2.0, 1.0, 8) for i in range(metrics)})
    flagged = compare_results(a, b).metrics["beyond_sampling_error"].mean()
    # 5% nominal; Welch on skewed gamma samples of 5 and 8 is close to it. Three binomial
    # standard errors either side.
    assert abs(flagged - 0.05) < 3 * np.sqrt(0.05 * 0.95 / metrics) + 0.01


def test_a_real_change_is_flagged():
    rng = np.random.default_rng(12)
    a = _synthetic({f"m{i}": rng.normal(0, 1, 10) for i in range(50)})
    b = _synthetic({f"m{i}": rng.normal(3, 1, 10) for i in range(50)})
    assert compare_results(a, b).metrics["beyond_sampling_error"].all()


def test_constant_metrics_are_flagged_only_when_they_move():
    a = _synthetic({"same": np.full(4, 18.0), "moved": np.full(4, 18.0)})
    b = _synthetic({"same": np.full(4, 18.0), "moved": np.full(4, 20.0)})
    rows = compare_results(a, b).metrics.set_index("metric")
    assert not rows.loc["same", "beyond_sampling_error"]
    assert rows.loc["moved", "beyond_sampling_error"]
    assert rows.loc["moved", "change"] == 2.0


def test_a_strategy_in_one_run_only_has_no_verdict():
    a = _synthetic({"m": np.arange(3.0)})
    b = _synthetic({"m": np.arange(3.0)}, strategy="t")
    table = compare_results(a, b).metrics
    assert list(table["strategy"]) == ["s", "t"]
    assert table["beyond_sampling_error"].isna().all()
    assert np.isnan(table.loc[0, "mean_b"]) and np.isnan(table.loc[1, "mean_a"])


def test_comparison_as_json_has_no_nan_and_reads_back(before, wider):
    data = compare_results(before, wider).as_dict()
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert back["scenario_changes"] == [
        {"path": "strategies.zappos_buffer.max_days", "a": 5, "b": 7}]
    assert set(back["metrics"][0]) == set(COMPARISON_COLUMNS)


def test_spec_changes_match_named_items_by_name():
    a = {"strategies": [{"name": "x", "p": 0.9}, {"name": "y", "p": 0.5}]}
    b = {"strategies": [{"name": "y", "p": 0.5}, {"name": "x", "p": 0.95}]}
    assert spec_changes(a, b) == [Change("strategies.x.p", 0.9, 0.95)]


def test_spec_changes_index_unnamed_items_and_compare_value_lists_whole():
    a = {"shifts": [{"pickers": 4}, {"pickers": 3}], "profile": [1, 1]}
    b = {"shifts": [{"pickers": 4}, {"pickers": 5}], "profile": [1, 2]}
    assert [str(c) for c in spec_changes(a, b)] == [
        "shifts.1.pickers: 3 -> 5", "profile: [1, 1] -> [1, 2]"]


def test_spec_changes_show_a_section_added_key_by_key():
    a = {"customers": None}
    b = {"customers": {"learning_rate": 0.3, "word_of_mouth": {"reach": 2}}}
    assert [str(c) for c in spec_changes(a, b)] == [
        "customers.learning_rate: (absent) -> 0.3",
        "customers.word_of_mouth.reach: (absent) -> 2",
    ]
