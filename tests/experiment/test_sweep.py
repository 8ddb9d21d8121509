"""Sweeps: the designs' points, the tidy tables, common random numbers across points, resuming."""

import itertools

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario

from sim.errors import ScenarioError
from sim.experiment import MemoryStore
from sim.experiment.manifest import scenario_hash
from sim.experiment.runner import CUSTOMER_METRICS, MARKET_METRICS, OUTCOMES
from sim.experiment.sweep import point_scenarios, run_sweep, sweep_points
from sim.scenario.metrics import STARS_METRICS
from sim.scenario.overrides import get_value

MAX_DAYS = "strategies.zappos_buffer.max_days"
MIN_DAYS = "strategies.zappos_buffer.min_days"
PRICE = "economics.price"
RATE = "demand.orders_per_day"
#: The outcomes measured without customer memory, a market or a reading in stars.
MEASURED = [m for m in OUTCOMES
            if m not in (*STARS_METRICS, *CUSTOMER_METRICS, *MARKET_METRICS)]


def swept(parameters, **options):
    """The small scenario with a sweep over ``parameters``."""
    return small_scenario(sweep={"parameters": parameters, **options})


TWO_STRATEGIES = [
    {"name": "zappos_buffer", "kind": "buffer", "min_days": 1, "max_days": 1,
     "service": "overnight"},
    {"name": "competitor_overnight", "kind": "tight", "service": "overnight"},
]


@pytest.fixture(scope="module")
def window_sweep():
    """The buffer's window closing 1, 2 and 4 business days out, 4 replications a point."""
    scenario = small_scenario(strategies=TWO_STRATEGIES,
                              sweep={"parameters": [{"path": MAX_DAYS, "values": [1, 2, 4]}]})
    return run_sweep(scenario, replications=4, workers=1)


def test_sweep_points_grid_is_the_product_of_the_values_first_parameter_slowest():
    design = sweep_points(swept([{"path": MAX_DAYS, "values": [5, 6, 7]},
                                 {"path": PRICE, "values": [60.0, 90.0]}]))

    assert list(design.columns) == ["point", MAX_DAYS, PRICE]
    assert list(design["point"]) == list(range(6))
    assert list(zip(design[MAX_DAYS], design[PRICE])) == list(
        itertools.product([5, 6, 7], [60.0, 90.0]))


def test_sweep_points_grid_range_is_evenly_spaced_and_integers_rounded_once():
    design = sweep_points(swept([{"path": PRICE, "low": 40, "high": 100, "steps": 4},
                                 {"path": MAX_DAYS, "low": 5, "high": 7, "steps": 5}]))

    assert sorted(set(design[PRICE])) == [40.0, 60.0, 80.0, 100.0]
    assert sorted(set(design[MAX_DAYS])) == [5, 6, 7]  # 5, 5.5, 6, 6.5, 7 rounded, once each
    assert len(design) == 12
    assert design[MAX_DAYS].dtype == np.int64


def test_sweep_points_grid_log_range_is_geometric():
    design = sweep_points(swept([{"path": RATE, "low": 100, "high": 400, "steps": 3,
                                  "log": True}]))

    assert list(design[RATE]) == pytest.approx([100.0, 200.0, 400.0])


def test_sweep_points_keys_move_together_by_offsets_or_listed_vectors():
    window = sweep_points(swept([{"paths": [MIN_DAYS, MAX_DAYS], "low": 1, "high": 4, "steps": 4,
                                  "offsets": [0, 2]}]))
    listed = sweep_points(swept([{"paths": [MIN_DAYS, MAX_DAYS],
                                  "values": [[1, 1], [2, 4], [3, 7]]}]))

    assert list(zip(window[MIN_DAYS], window[MAX_DAYS])) == [(1, 3), (2, 4), (3, 5), (4, 6)]
    assert list(zip(listed[MIN_DAYS], listed[MAX_DAYS])) == [(1, 1), (2, 4), (3, 7)]


def strata(values, low, high, n):
    """Which of ``n`` equal strata of [low, high) each value falls in."""
    return np.floor((np.asarray(values, dtype=float) - low) / (high - low) * n).astype(int)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sweep_points_latin_hypercube_puts_one_point_in_every_stratum(seed):
    design = sweep_points(swept([{"path": PRICE, "low": 40, "high": 100},
                                 {"path": RATE, "low": 100, "high": 400, "log": True}],
                                design="latin_hypercube", points=10, seed=seed))

    assert sorted(strata(design[PRICE], 40, 100, 10)) == list(range(10))
    assert sorted(strata(np.log(design[RATE]), np.log(100), np.log(400), 10)) == list(range(10))
    assert design[PRICE].between(40, 100).all()
    assert design[RATE].between(100, 400).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sweep_points_sobol_is_stratified_in_each_key_and_in_pairs(seed):
    design = sweep_points(swept([{"path": PRICE, "low": 40, "high": 100},
                                 {"path": RATE, "low": 100, "high": 400}],
                                design="sobol", points=16, seed=seed))

    price, rate = strata(design[PRICE], 40, 100, 16), strata(design[RATE], 100, 400, 16)
    assert sorted(price) == list(range(16))
    assert sorted(rate) == list(range(16))
    boxes = {(p // 4, r // 4) for p, r in zip(price, rate)}
    assert len(boxes) == 16  # a (0, 4, 2)-net: one point in each 4 x 4 box


@pytest.mark.parametrize("design", ["latin_hypercube", "sobol"])
def test_sweep_points_space_filling_integers_and_listed_values_come_equally_often(design):
    points = sweep_points(swept(
        [{"path": MAX_DAYS, "low": 5, "high": 8},
         {"path": "strategies.zappos_buffer.service", "values": ["overnight", "ground"]}],
        design=design, points=16, seed=4))

    assert points[MAX_DAYS].value_counts().sort_index().to_dict() == {5: 4, 6: 4, 7: 4, 8: 4}
    assert points["strategies.zappos_buffer.service"].value_counts().to_dict() == {
        "overnight": 8, "ground": 8}
    assert points[MAX_DAYS].dtype == np.int64


def test_sweep_points_design_depends_on_its_own_seed_only():
    def design(seed, root):
        scenario = swept([{"path": PRICE, "low": 40, "high": 100}], design="latin_hypercube",
                         points=5, seed=seed)
        return sweep_points(scenario.model_copy(update={"experiment": scenario.experiment
                                                        .model_copy(update={"seed": root})}))

    pd.testing.assert_frame_equal(design(3, 1), design(3, 2))
    assert not design(3, 1).equals(design(4, 1))


def test_point_scenarios_set_each_points_values_without_the_study():
    scenario = swept([{"paths": [MIN_DAYS, MAX_DAYS], "values": [[1, 2], [3, 5]]}])
    other = swept([{"paths": [MIN_DAYS, MAX_DAYS], "values": [[1, 2], [3, 5]]}],
                  metric="promise_kept")

    _, design, points = point_scenarios(scenario)
    assert list(design[MIN_DAYS]) == [1, 3]

    assert [(get_value(p, MIN_DAYS), get_value(p, MAX_DAYS)) for p in points] == [(1, 2), (3, 5)]
    assert all(p.sweep is None for p in points)
    assert [scenario_hash(p) for p in points] == [
        scenario_hash(p) for p in point_scenarios(other)[2]]


def test_point_scenarios_value_the_scenario_refuses_names_the_point_and_key():
    scenario = swept([{"path": MIN_DAYS, "values": [4, 6]}])  # the window is 4..5

    with pytest.raises(ScenarioError, match=r"^x\.yaml: sweep point 1 \(strategies\.zappos_buffer"
                                            r"\.min_days=6\): setting .*'max_days' must be >= "
                                            r"'min_days', got 6\.\.5"):
        point_scenarios(scenario, source="x.yaml")


def test_run_sweep_table_is_tidy_one_row_per_point_strategy_metric(window_sweep):
    table = window_sweep.table

    assert list(table.columns) == ["point", MAX_DAYS, "strategy", "metric", "mean", "ci_low",
                                   "ci_high", "n"]
    assert len(table) == 3 * 2 * len(MEASURED)
    assert set(table[MAX_DAYS]) == {1, 2, 4}
    assert (table["n"] == 4).all()
    assert list(window_sweep.differences.columns[:2]) == ["point", MAX_DAYS]
    assert set(window_sweep.differences["strategy"]) == {"zappos_buffer"}
    assert len(window_sweep.replications) == 3 * 2 * 4
    assert window_sweep.manifest["sweep"]["points"] == 3
    assert window_sweep.manifest["replications"] == 4


def test_run_sweep_longer_window_keeps_more_promises_paired_across_points(window_sweep):
    kept = window_sweep.table.query("metric == 'promise_kept' and strategy == 'zappos_buffer'")
    steps = window_sweep.point_differences(metric="promise_kept")
    buffer = steps[steps["strategy"] == "zappos_buffer"]

    assert kept["mean"].is_monotonic_increasing
    assert (buffer["ci_low"] > 0).all(), buffer  # each wider window keeps more, paired by luck


def test_run_sweep_strategy_not_swept_meets_the_same_luck_at_every_point(window_sweep):
    steps = window_sweep.point_differences(metric="satisfaction_mean")
    rival = steps[steps["strategy"] == "competitor_overnight"]

    assert (rival["mean_difference"] == 0).all()
    assert (rival["ci_low"] == 0).all() and (rival["ci_high"] == 0).all()


def test_run_sweep_best_point_is_highest_or_lowest_by_metric(window_sweep):
    best = window_sweep.best().set_index("strategy")
    late = window_sweep.best("lateness_mean").set_index("strategy")

    assert best.loc["zappos_buffer", MAX_DAYS] == 4  # satisfaction rises with the window
    assert late.loc["zappos_buffer", MAX_DAYS] == 4  # lateness falls with it


@pytest.mark.parametrize("seed", [3, 8])
def test_run_sweep_more_morning_pickers_shorten_the_lead_time_step_by_step(seed):
    scenario = small_scenario(
        experiment={"replications": 6, "seed": seed},
        sweep={"parameters": [{"path": "warehouse.shifts.0.pickers", "values": [1, 2, 4]}]})
    results = run_sweep(scenario, workers=1)

    for reference in (0, 1):  # 1 -> 2 pickers, then 2 -> 4
        step = results.point_differences(reference=reference, metric="lead_time_mean")
        step = step[(step["strategy"] == "zappos_buffer") & (step["point"] == reference + 1)]
        assert step["ci_high"].item() < 0, step


class InterruptError(Exception):
    pass


def test_run_sweep_interrupted_and_resumed_equals_the_uninterrupted_sweep(tmp_path):
    scenario = swept([{"path": MAX_DAYS, "values": [5, 7]}])
    whole = run_sweep(scenario, replications=3, workers=1)
    store = tmp_path / "parts"

    def interrupt(done, total):
        if done >= 4:
            raise InterruptError

    with pytest.raises(InterruptError):
        run_sweep(scenario, replications=3, workers=1, store=store, progress=interrupt)
    seen = []
    resumed = run_sweep(scenario, replications=3, workers=1, store=store,
                        progress=lambda done, total: seen.append((done, total)))

    assert seen[0] == (4, 6)  # the four kept replications are not run again
    pd.testing.assert_frame_equal(resumed.table, whole.table)
    pd.testing.assert_frame_equal(resumed.differences, whole.differences)


def test_run_sweep_more_replications_with_a_store_adds_only_the_new_ones():
    scenario = swept([{"path": MAX_DAYS, "values": [5, 7]}])
    store = MemoryStore()
    run_sweep(scenario, replications=2, workers=1, store=store)
    seen = []

    more = run_sweep(scenario, replications=3, workers=1, store=store,
                     progress=lambda done, total: seen.append(done))

    assert seen == [4, 5, 6]
    assert (more.table["n"] == 3).all()


def test_run_sweep_runs_coinciding_points_once():
    scenario = swept([{"path": MAX_DAYS, "low": 5, "high": 6}], design="latin_hypercube",
                     points=4)
    seen = []

    results = run_sweep(scenario, replications=2, workers=1,
                        progress=lambda done, total: seen.append(total))

    assert results.manifest["sweep"]["distinct_points"] == 2
    assert seen[-1] == 2 * 2
    assert len(results.table) == 4 * 3 * len(MEASURED)
