import pickle

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario
from scipy import stats

import sim
from sim.errors import ExperimentError


@pytest.fixture(scope="module")
def scenario():
    return small_scenario()


@pytest.fixture(scope="module")
def serial(scenario):
    return sim.run(scenario, replications=6, workers=1)


def test_run_returns_one_row_per_strategy_and_replication(serial, scenario):
    table = serial.replications
    assert len(table) == 6 * len(scenario.strategies)
    assert set(table["strategy"]) == {s.name for s in scenario.strategies}
    assert (table["orders"] > 0).all()


def test_run_same_seed_gives_same_numbers(scenario, serial):
    again = sim.run(scenario, replications=6, workers=1)
    pd.testing.assert_frame_equal(serial.replications, again.replications)


def test_run_other_seed_gives_other_numbers(scenario, serial):
    other = sim.run(scenario, replications=6, seed=99, workers=1)
    assert not serial.replications["satisfaction_mean"].equals(other.replications["satisfaction_mean"])


def test_run_two_workers_give_identical_tables(scenario, serial):
    parallel = sim.run(scenario, replications=6, workers=2)
    pd.testing.assert_frame_equal(serial.replications, parallel.replications)
    pd.testing.assert_frame_equal(serial.summary, parallel.summary)
    pd.testing.assert_frame_equal(serial.differences, parallel.differences)


def test_run_strategies_meet_the_same_orders(serial):
    # common random numbers: every strategy sees the same orders in a replication
    per_rep = serial.replications.groupby("replication")["orders"].nunique()
    assert (per_rep == 1).all()


def test_run_paired_interval_is_narrower_than_unpaired(serial, scenario):
    table = serial.replications
    base = scenario.baseline_name
    other = next(s.name for s in scenario.strategies if s.name != base)
    diff = serial.differences.query("metric == 'satisfaction_mean' and strategy == @other").iloc[0]
    paired_width = diff["ci_high"] - diff["ci_low"]
    a = table[table.strategy == other]["satisfaction_mean"].to_numpy()
    b = table[table.strategy == base]["satisfaction_mean"].to_numpy()
    unpaired = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert paired_width < unpaired.high - unpaired.low
    assert diff["mean_difference"] == pytest.approx(np.mean(a - b))


def test_run_identical_strategies_differ_by_exactly_zero():
    same = [
        {"name": "a", "kind": "tight", "service": "overnight"},
        {"name": "b", "kind": "tight", "service": "overnight"},
    ]
    results = sim.run(small_scenario(strategies=same, baseline=None), replications=2, workers=1)
    assert (results.differences["mean_difference"].abs() == 0).all()


def test_run_warmup_excludes_early_orders():
    long_warmup = small_scenario(horizon={"start": "2025-01-06", "days": 56, "warmup_days": 40})
    short = sim.run(small_scenario(), replications=2, workers=1).replications
    long = sim.run(long_warmup, replications=2, workers=1).replications
    assert (long["orders"].to_numpy() < short["orders"].to_numpy()).all()


def test_run_rejects_too_few_replications(scenario):
    with pytest.raises(ExperimentError, match="'replications' must be >= 2"):
        sim.run(scenario, replications=1)


def test_run_overloaded_warehouse_is_an_error():
    overloaded = small_scenario(
        warehouse={
            "shifts": [{"start": "09:00", "end": "10:00", "pickers": 1}],
            "pick_minutes": {"dist": "constant", "value": 10},
        }
    )
    with pytest.raises(ExperimentError, match="falls behind for good"):
        sim.run(overloaded, replications=2, workers=1)


def test_run_stateful_strategy_gives_identical_numbers_on_any_worker_count(tmp_path, monkeypatch):
    (tmp_path / "stateful_rule.py").write_text(
        "import numpy as np\n"
        "from sim import Quote\n"
        "class Drifting:\n"
        "    def __init__(self):\n"
        "        self.batches = 0\n"
        "    def quote(self, view):\n"
        "        self.batches += 1\n"
        "        days = 1 + self.batches % 5\n"
        "        due = view.promise_day_end(view.calendar.nth_delivery_day(view.order_day, days))\n"
        "        return Quote(due, due, np.zeros(due.size, dtype=int))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    rule = [{"name": "drift", "kind": "custom", "path": "stateful_rule:Drifting"}]
    scenario = small_scenario(strategies=rule, baseline=None)
    one = sim.run(scenario, replications=4, workers=1)
    two = sim.run(scenario, replications=4, workers=2)
    pd.testing.assert_frame_equal(one.replications, two.replications)


def test_run_on_two_workers_from_a_script_on_stdin():
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from factories import small_scenario\n"
        "import sim\n"
        "r = sim.run(small_scenario(), replications=2, workers=2)\n"
        "print(len(r.replications))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                         cwd=root, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "6"


def test_run_reads_expected_stars_only_with_a_stars_reading_and_changes_nothing_else(serial):
    stars = {"scale": 0.6, "thresholds": [-3.0, -2.0, -1.0, 0.5], "source": "a test"}
    in_stars = sim.run(small_scenario(satisfaction={"stars": stars}), replications=6, workers=1)
    columns = list(in_stars.replications.columns)

    for plain_table in (serial.summary, serial.differences):
        assert "expected_stars" not in set(plain_table["metric"])
    assert "expected_stars" not in serial.replications.columns
    assert columns[columns.index("satisfaction_mean") + 1] == "expected_stars"
    assert in_stars.replications["expected_stars"].between(1.0, 5.0).all()
    assert len(in_stars.metric("expected_stars")) == len(serial.scenario.strategies)
    assert "expected_stars" in set(in_stars.differences["metric"])
    pd.testing.assert_frame_equal(in_stars.replications.drop(columns="expected_stars"),
                                  serial.replications)


class Elsewhere:
    """An executor as a remote one is seen: every item and result pickled, in this process."""

    def __init__(self):
        self.sizes = []

    def map_unordered(self, function, items):
        for item in items:
            self.sizes.append(len(item))
            yield pickle.loads(pickle.dumps(function(pickle.loads(pickle.dumps(item)))))


@pytest.fixture(scope="module")
def short():
    return small_scenario(horizon={"start": "2025-01-06", "days": 21, "warmup_days": 7},
                          demand={"orders_per_day": 100})


def test_run_in_batches_gives_the_tables_of_one_by_one(short):
    one_by_one = sim.run(short, replications=40, workers=1)
    elsewhere = Elsewhere()
    ticks = []
    batched = sim.run(short, replications=40, executor=elsewhere,
                      progress=lambda done, total: ticks.append((done, total)))
    assert max(elsewhere.sizes) > 1 and sum(elsewhere.sizes) == 40
    assert len(ticks) == len(elsewhere.sizes) and ticks[-1] == (40, 40)
    assert [d for d, _ in ticks] == sorted(d for d, _ in ticks)
    pd.testing.assert_frame_equal(one_by_one.replications, batched.replications)
    pd.testing.assert_frame_equal(one_by_one.summary, batched.summary)
    pd.testing.assert_frame_equal(one_by_one.differences, batched.differences)
    pd.testing.assert_frame_equal(one_by_one.timeseries, batched.timeseries)
    for name, counts in one_by_one.satisfaction_hist.items():
        np.testing.assert_array_equal(counts, batched.satisfaction_hist[name])
    assert one_by_one.manifest["replications_sha256"] == batched.manifest["replications_sha256"]


def test_run_in_batches_interrupted_resumes_from_its_store(short, tmp_path):
    whole = sim.run(short, replications=40, workers=1)

    def stop(done, total):
        raise KeyboardInterrupt

    first = Elsewhere()
    with pytest.raises(KeyboardInterrupt):
        sim.run(short, replications=40, executor=first, store=tmp_path, progress=stop)
    kept = sim.experiment.DiskStore(tmp_path).finished(short, short.experiment.seed)
    assert kept == set(range(first.sizes[0]))  # the whole first batch, stored
    again = Elsewhere()
    resumed = sim.run(short, replications=40, executor=again, store=tmp_path)
    assert sum(again.sizes) == 40 - len(kept)
    pd.testing.assert_frame_equal(whole.replications, resumed.replications)
    assert whole.summary.to_csv() == resumed.summary.to_csv()
