"""The round trip: histories the simulator itself generates are fitted back, and the fitted
scenario reproduces its own history in the back-test while a wrong scenario does not.
"""

import datetime as dt

import numpy as np
import pytest
from scipy import stats

import sim
from sim.history import LEVEL, RatingTruth, fit_history, history_from_records, read_history
from sim.history.backtesting import backtest
from sim.history.simulated import read_replication
from sim.scenario import parse_scenario
from sim.scenario.overrides import with_values

SEEDS = 6
RATING = RatingTruth(early_slope=0.5, late_slope=1.2, late_curvature=1.0, plateau=2,
                     thresholds=(-2.5, -1.8, -1.0, 0.3), rated_share=0.8)
#: Around-the-clock deliveries, so the carrier's clock adds nothing to the transit drawn.
KNOWN = {
    "name": "known_shop",
    "horizon": {"start": dt.date(2025, 1, 6), "days": 119},
    "calendar": {"country": "US", "working_weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                 "cutoff": "16:00", "pickup_weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                 "delivery_weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
                 "delivery_hours": {"start": "00:00", "end": "24:00"}},
    "demand": {"orders_per_day": 160},
    "warehouse": {"shifts": [{"start": "08:00", "end": "16:00", "pickers": 6}],
                  "pick_minutes": {"dist": "lognormal", "median": 9.0, "sigma": 0.4}},
    "carrier": {"service_levels": [{"name": "ground", "nominal_days": 3, "cost": 5.0,
                                    "transit_days": {"dist": "lognormal", "median": 2.2,
                                                     "sigma": 0.35}}]},
    "strategies": [{"name": "padded", "kind": "buffer", "min_days": 5, "max_days": 7,
                    "service": "ground"}],
    "experiment": {"replications": 2, "seed": 11},
}


def simulated_history(scenario, seed, folder):
    """One replication's orders as a history, rated by the known ordered logit."""
    sim.run(scenario, replications=2, seed=seed, workers=1, order_records=folder)
    records = read_replication(folder, "padded", 0)
    frame = history_from_records(records, scenario, rating=RATING,
                                 rng=np.random.default_rng(seed))
    return read_history(frame, country="US")


@pytest.fixture(scope="module")
def known():
    return parse_scenario(KNOWN)


@pytest.fixture(scope="module")
def fits(known, tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    return [fit_history(simulated_history(known, seed, folder / str(seed)), name="fitted")
            for seed in range(SEEDS)]


def test_the_calendar_truck_and_promise_come_back_exactly(fits):
    for fit in fits:
        assert fit.handling.cutoff == "16:00"
        assert fit.handling.pickup_weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
        assert fit.days.names == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
        strategy = fit.scenario.strategies[0]
        assert (strategy.min_days, strategy.max_days) == (7, 7)
        assert fit.promise.chosen.exact_share == 1.0


def test_every_interval_covers_the_truth_in_most_seeds(fits):
    truth = {"transit median": 2.2, "transit sigma": 0.35,
             "early slope": RATING.early_slope, "late slope": RATING.late_slope,
             "plateau": RATING.plateau}
    covers = dict.fromkeys(truth, 0)
    covers["thresholds"] = 0
    for fit in fits:
        best = fit.transit[0].best
        assert best is not None and best.family == "lognorm"
        estimates = {"transit median": best.parameter("scale"),
                     "transit sigma": best.parameter("s"),
                     "early slope": fit.satisfaction.early_slope,
                     "late slope": fit.satisfaction.late_slope,
                     "plateau": fit.satisfaction.plateau}
        for name, estimate in estimates.items():
            covers[name] += estimate.covers(truth[name])
        covers["thresholds"] += all(t.covers(k) for t, k in zip(fit.satisfaction.thresholds,
                                                                 RATING.thresholds))
    least = int(stats.binom.ppf(0.001, SEEDS, LEVEL))
    assert min(covers.values()) >= least, covers


def test_the_fitted_file_is_a_scenario_validate_accepts(fits, tmp_path):
    path = fits[0].write(tmp_path / "fitted.yaml")
    assert sim.load_scenario(path) == fits[0].scenario
    text = path.read_text()
    assert "# Fitted by promise-sim fit" in text
    assert "handling_trucks:" in text and "stars:" in text


@pytest.fixture(scope="module")
def own_history(known, tmp_path_factory):
    return simulated_history(known, 100, tmp_path_factory.mktemp("own"))


def test_the_fitted_scenario_matches_its_own_history(own_history):
    fitted = fit_history(own_history, name="fitted").scenario
    result = backtest(own_history, fitted, replications=12, workers=1)
    assert result.matches, "\n".join(result.lines())


def test_a_scenario_with_transit_doubled_misses(own_history):
    fitted = fit_history(own_history, name="fitted").scenario
    doubled = with_values(fitted, {"carrier.service_levels.0.transit_days":
                                   _doubled(fitted.carrier.service_levels[0].transit_days)})
    result = backtest(own_history, doubled, replications=12, workers=1)
    missed = set(result.rows.loc[~result.rows["matches"], "figure"])
    assert {"share late", "lead time, 50% quantile"} <= missed, "\n".join(result.lines())


def test_another_shops_promise_misses(own_history):
    fitted = fit_history(own_history, name="fitted").scenario
    other = with_values(fitted, {"strategies.historical.min_days": 4,
                                 "strategies.historical.max_days": 4})
    result = backtest(own_history, other, replications=12, workers=1)
    missed = set(result.rows.loc[~result.rows["matches"], "figure"])
    assert {"share late", "delivered - promised, 50% quantile"} <= missed


def _doubled(distribution):
    data = distribution.model_dump(by_alias=True)
    if data["dist"] == "lognormal":
        data["median"] *= 2
    elif data["dist"] == "gamma":
        data["mean"] *= 2
    else:
        data["values"] = [2 * v for v in data["values"]]
    return data


def test_what_if_a_fitted_scenario_runs_other_promises(own_history):
    fitted = fit_history(own_history, name="fitted").scenario
    strategies = [s.model_dump(by_alias=True) for s in fitted.strategies] + [
        {"name": "tighter", "kind": "buffer", "min_days": 4, "max_days": 4, "service": "ground"},
        {"name": "quantile_90", "kind": "quantile", "p": 0.9, "service": "ground"}]
    what_if = with_values(fitted, {"strategies": strategies})
    summary = sim.run(what_if, replications=3, workers=1).summary.set_index(
        ["strategy", "metric"])["mean"]
    assert summary["tighter", "lead_time_mean"] == pytest.approx(
        summary["historical", "lead_time_mean"], rel=0.05)
    assert summary["tighter", "promise_kept"] < summary["historical", "promise_kept"]
    for strategy in ("historical", "tighter", "quantile_90"):
        assert 1 <= summary[strategy, "expected_stars"] <= 5
    assert summary["quantile_90", "promise_kept"] > 0.8
