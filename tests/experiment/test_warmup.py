import numpy as np
import pytest
from factories import small_scenario

from sim.errors import ExperimentError
from sim.experiment.warmup import mser, suggest_warmup


def test_mser_cuts_nothing_from_a_stationary_series():
    rng = np.random.default_rng(1)
    cuts = [mser(rng.normal(0, 1, 200)) for _ in range(200)]
    # with no transient, cutting rarely helps: most series are kept almost whole
    assert np.median(cuts) <= 10


@pytest.mark.parametrize("length", [20, 40])
def test_mser_cuts_a_transient_and_little_more(length):
    rng = np.random.default_rng(2)
    cuts = []
    for _ in range(100):
        series = rng.normal(0, 1, 300)
        series[:length] += np.linspace(8, 0, length)  # a bias that fades over `length`
        cuts.append(mser(series))
    cuts = np.array(cuts)
    # the bias is several standard deviations early on: MSER must cut into it, and not far past
    assert (cuts >= length // 2).mean() > 0.95
    assert np.median(cuts) <= length + 10


def test_mser_needs_enough_observations():
    with pytest.raises(ExperimentError, match="MSER-5 needs at least 20 observations, got 12"):
        mser(np.zeros(12))


def test_suggest_warmup_runs_cold_and_answers_in_whole_weeks():
    scenario = small_scenario(horizon={"start": "2025-01-06", "days": 175, "warmup_days": 7},
                              experiment={"replications": 3, "seed": 1})
    found = suggest_warmup(scenario, replications=3, workers=1)
    assert found.days % 7 == 0 and found.current_days == 7
    assert set(found.weeks_by_strategy) == {s.name for s in scenario.strategies}
    assert found.days == 7 * max(found.weeks_by_strategy.values())
    assert found.days <= scenario.horizon.days // 2


def test_suggest_warmup_refuses_a_metric_without_a_weekly_series():
    scenario = small_scenario()
    with pytest.raises(ExperimentError, match="'metric': 'lateness_p95' has no weekly series"):
        suggest_warmup(scenario, metric="lateness_p95", replications=2, workers=1)
