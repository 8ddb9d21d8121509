"""Sensitivity studies: the parameter that alone drives an outcome ranks first, one that cannot
move it gets an index of zero, and bad blocks fail before anything runs."""

import re

import numpy as np
import pytest
from factories import small_scenario

from sim.errors import ExperimentError, ScenarioError
from sim.experiment import MemoryStore
from sim.experiment.sensitivity import sensitivity, study_base

#: Four weeks at 150 orders a day: enough queue and carrier luck to be noisy, and fast.
TINY = {"horizon": {"start": "2025-01-06", "days": 28, "warmup_days": 7}}


def tiny(block, **sections):
    scenario = small_scenario(**TINY, **sections, sensitivity=block)
    return scenario.model_copy(update={"demand": scenario.demand.model_copy(
        update={"orders_per_day": 150.0})})


TRANSIT = "carrier.service_levels.overnight.transit_days.median"
CREDIT = "economics.late_credit"
PICKERS = "warehouse.shifts.1.pickers"


@pytest.fixture(scope="module")
def lead_time_study():
    """Sobol: the overnight transit time drives the lead time; a late credit cannot."""
    block = {
        "method": "sobol", "samples": 8, "replications": 2, "seed": 1,
        "outcome": {"metric": "lead_time_mean", "strategy": "competitor_overnight"},
        "parameters": [
            {"path": CREDIT, "low": 0, "high": 50, "label": "late credit"},
            {"path": TRANSIT, "low": 0.4, "high": 1.6, "label": "overnight transit"},
            {"path": PICKERS, "low": 3, "high": 5},
        ],
    }
    return sensitivity(tiny(block), workers=1)


def test_sensitivity_ranks_first_the_parameter_that_alone_drives_the_outcome(lead_time_study):
    indices = lead_time_study.indices.set_index("parameter")
    assert list(lead_time_study.indices["rank"]) == [1, 2, 3]
    assert lead_time_study.indices["parameter"].iloc[0] == "overnight transit"
    driver, idle = indices.loc["overnight transit"], indices.loc["late credit"]
    assert driver["ST"] - driver["ST_conf"] > idle["ST"] + idle["ST_conf"]
    assert driver["S1"] > idle["S1"] + idle["S1_conf"]


def test_sensitivity_irrelevant_parameter_index_is_zero_within_its_confidence(lead_time_study):
    idle = lead_time_study.indices.set_index("parameter").loc["late credit"]
    for index in ("S1", "ST"):
        assert abs(idle[index]) <= idle[f"{index}_conf"] + 1e-12


def test_sensitivity_common_random_numbers_leave_points_differing_only_in_an_idle_key_equal(
    lead_time_study,
):
    samples = lead_time_study.samples
    groups = samples.groupby([TRANSIT, PICKERS])["outcome"]
    paired = groups.filter(lambda g: len(g) > 1)
    assert len(paired) > 0
    assert (groups.transform("max") - groups.transform("min")).abs().max() == 0.0


def test_sensitivity_noise_share_shows_what_common_random_numbers_cancel(lead_time_study):
    info = lead_time_study.manifest["sensitivity"]
    assert 0 <= info["noise_share"] < 0.5 * info["noise_share_independent"]
    assert info["noise_share"] < 0.05


def test_sensitivity_samples_hold_every_design_point_with_its_outcome(lead_time_study):
    samples = lead_time_study.samples
    info = lead_time_study.manifest["sensitivity"]
    assert info["design_points"] == len(samples) == 8 * (3 + 2)
    assert list(samples.columns) == ["point", CREDIT, TRANSIT, PICKERS, "outcome", "outcome_se"]
    assert samples[PICKERS].dtype == np.int64 and set(samples[PICKERS]) <= {3, 4, 5}
    assert samples[TRANSIT].between(0.4, 1.6).all()
    assert info["points_run"] < info["design_points"]  # rounded pickers repeat points
    assert (samples["outcome_se"] > 0).all()
    assert lead_time_study.manifest["replications"] == 2


def test_sensitivity_morris_mu_star_is_the_change_across_the_range_of_a_linear_outcome():
    block = {
        "method": "morris", "samples": 3, "replications": 2,
        "outcome": {"metric": "shipping_cost_per_order", "strategy": "zappos_buffer"},
        "parameters": [
            {"path": "carrier.service_levels.ground.cost", "low": 1, "high": 10},
            {"path": "carrier.service_levels.overnight.cost", "low": 5, "high": 20},
            {"path": CREDIT, "low": 0, "high": 10},
        ],
    }
    result = sensitivity(tiny(block), workers=1)
    indices = result.indices.set_index("path")
    assert result.indices["path"].iloc[0] == "carrier.service_levels.overnight.cost"
    assert indices.loc["carrier.service_levels.overnight.cost", "mu_star"] == pytest.approx(15.0)
    assert indices.loc["carrier.service_levels.overnight.cost", "mu"] == pytest.approx(15.0)
    assert indices.loc["carrier.service_levels.ground.cost", "mu_star"] == 0.0
    assert indices.loc[CREDIT, "mu_star"] == 0.0
    assert result.interactions is None


def test_sensitivity_sobol_second_order_gives_an_interaction_per_pair():
    block = {
        "method": "sobol", "samples": 4, "second_order": True, "replications": 2,
        "outcome": {"metric": "shipping_cost_per_order", "strategy": "zappos_buffer"},
        "parameters": [
            {"path": "carrier.service_levels.overnight.cost", "low": 5, "high": 20,
             "label": "overnight cost"},
            {"path": CREDIT, "low": 0, "high": 10, "label": "credit"},
        ],
    }
    result = sensitivity(tiny(block), workers=1)
    assert result.manifest["sensitivity"]["design_points"] == 4 * (2 * 2 + 2)
    top = result.indices.iloc[0]
    assert top["parameter"] == "overnight cost"
    assert abs(top["ST"] - 1.0) <= top["ST_conf"] + 1e-9
    (pair,) = result.interactions.to_dict("records")
    assert (pair["parameter_a"], pair["parameter_b"]) == ("overnight cost", "credit")
    assert abs(pair["S2"]) <= pair["S2_conf"]  # an additive outcome: no interaction


def _paired_block(**change):
    block = {
        "method": "morris", "samples": 2, "replications": 2,
        "outcome": {"metric": "satisfaction_mean",
                    "difference": ["zappos_buffer", "competitor_overnight"]},
        "parameters": [{"path": TRANSIT, "low": 0.5, "high": 0.9}],
    }
    return {**block, **change}


def test_sensitivity_run_again_with_its_store_computes_nothing_new():
    scenario = tiny(_paired_block())
    store = MemoryStore()
    first = sensitivity(scenario, workers=1, store=store)
    calls = []
    again = sensitivity(scenario, workers=1, store=store,
                        progress=lambda done, total: calls.append((done, total)))
    points = first.manifest["sensitivity"]["points_run"]
    assert calls == [(2 * points, 2 * points)]
    assert again.indices.equals(first.indices) and again.samples.equals(first.samples)
    more = []
    sensitivity(scenario, replications=3, workers=1, store=store,
                progress=lambda done, total: more.append((done, total)))
    assert more[0] == (2 * points, 3 * points)


def test_sensitivity_paired_difference_reads_the_two_strategies_by_replication():
    result = sensitivity(tiny(_paired_block()), workers=1)
    info = result.manifest["sensitivity"]
    assert info["strategies"] == ["zappos_buffer", "competitor_overnight"]
    assert info["share_above_zero"] == 1.0  # a 4-5 day promise beats overnight on satisfaction
    assert info["outcome_min"] > 0


def test_sensitivity_study_base_keeps_only_the_strategies_the_outcome_reads():
    block = _paired_block(
        outcome={"metric": "promise_kept", "difference": ["zappos_buffer", "quantile_95_ground"]},
        parameters=[{"path": "strategies.2.p", "low": 0.8, "high": 0.95},
                    {"path": "strategies[0].max_days", "low": 5, "high": 8}],
    )
    scenario = small_scenario(sensitivity=block, claim={
        "says": "x", "view": "under-promise", "metric": "promise_kept",
        "higher": {"strategy": "zappos_buffer"}, "lower": {"strategy": "competitor_overnight"}})
    base, paths = study_base(scenario)
    assert [s.name for s in base.strategies] == ["zappos_buffer", "quantile_95_ground"]
    assert paths == ["strategies.quantile_95_ground.p", "strategies.zappos_buffer.max_days"]
    assert base.sensitivity is None and base.claim is None and base.baseline is None


OUT = {"metric": "lead_time_mean", "difference": ["zappos_buffer", "competitor_overnight"]}


@pytest.mark.parametrize(
    ("parameters", "outcome", "message"),
    [
        ([("customers.learning_rate", 0, 1)], OUT,
         "sensitivity.parameters[0].path: customers.learning_rate: the scenario has no "
         "'customers' section (add one to vary its keys)"),
        ([("warehouse.pick_minutes", 0, 1)], OUT,
         "sensitivity.parameters[0].path: warehouse.pick_minutes holds a section, not a number"),
        ([("satisfaction.delight_cap", 0, 1)], OUT,
         "sensitivity.parameters[0].path: satisfaction.delight_cap holds nothing (null; give it "
         "a value in the scenario first), not a number"),
        ([("satisfaction.gain_curvature", 0.5, 1.5)], OUT,
         "sensitivity.parameters[0].high: setting satisfaction.gain_curvature: "
         "satisfaction.gain_curvature: Input should be less than or equal to 1, got 1.5"),
        ([("experiment.seed", 0, 10)], OUT,
         "sensitivity.parameters[0].path: 'experiment.seed' does not change the simulated world"),
        ([("strategies.2.p", 0.8, 0.9)], OUT,
         "sensitivity.parameters[0].path: 'strategies.2.p' sets strategy 'quantile_95_ground', "
         "which the outcome (lead_time_mean: zappos_buffer - competitor_overnight (paired)) "
         "does not read"),
        ([("strategies.0.max_days", 5, 7), ("strategies.zappos_buffer.max_days", 5, 7)], OUT,
         "sensitivity.parameters[1].path: strategies.zappos_buffer.max_days is the key "
         "parameters[0] varies already"),
        ([("warehouse.shifts.5.pickers", 1, 5)], OUT,
         "sensitivity.parameters[0].path: warehouse.shifts.5.pickers: warehouse.shifts has 2 "
         "items, no index 5"),
        ([(CREDIT, 0, 1)], {"metric": "lifetime_value", "strategy": "zappos_buffer"},
         "sensitivity.outcome.metric: 'lifetime_value' is measured only with a 'customers:' "
         "section"),
        ([(CREDIT, 0, 1)], {"metric": "market_share", "strategy": "zappos_buffer"},
         "sensitivity.outcome.metric: 'market_share' is measured only with a 'market:' section"),
    ],
)
def test_sensitivity_bad_block_fails_before_anything_runs(parameters, outcome, message):
    block = _paired_block(outcome=outcome, parameters=[
        {"path": path, "low": low, "high": high} for path, low, high in parameters])
    calls = []
    with pytest.raises(ScenarioError, match=re.escape(f"x.yaml: {message}")) as err:
        sensitivity(tiny(block), workers=1, source="x.yaml",
                    progress=lambda done, total: calls.append(done))
    assert "\n" not in str(err.value)
    assert calls == []


def test_sensitivity_outcome_naming_no_strategy_fails_when_the_scenario_loads():
    block = _paired_block(outcome={"metric": "profit_total", "strategy": "nobody"})
    with pytest.raises(ScenarioError, match=re.escape(
            "<small>: sensitivity.outcome.strategy: 'nobody' is not a strategy (one of "
            "zappos_buffer, competitor_overnight, quantile_95_ground)")):
        tiny(block)


def test_sensitivity_without_a_block_is_a_clear_error():
    with pytest.raises(ScenarioError, match=re.escape(
            "x.yaml: sensitivity: missing (a scenario run by 'sensitivity' needs one)")):
        sensitivity(small_scenario(), source="x.yaml")


def test_sensitivity_outcome_undefined_somewhere_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("sim.experiment.sensitivity.outcome_values",
                        lambda results, outcome: np.array([np.nan, 1.0]))
    with pytest.raises(ExperimentError, match=re.escape(
            "sensitivity: the outcome is undefined at 4 of 4 points (first at "
            f"{TRANSIT}=")):
        sensitivity(tiny(_paired_block()), workers=1)
