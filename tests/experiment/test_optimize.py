"""optimize: finds a known optimum within its interval, and selects the truly best."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from factories import small_scenario

from sim.errors import ExperimentError, ScenarioError
from sim.experiment import LocalExecutor, MemoryStore
from sim.experiment.candidates import build_candidates
from sim.experiment.manifest import scenario_hash
from sim.experiment.optimize import optimize
from sim.scenario import Scenario, parse_scenario

ALL_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TRANSIT_MEAN = 1.5
LATE_COST = 8.0  # b: per business day late
QUOTE_COST = 1.0  # h: per business day quoted
MARGIN = 10.0
#: Quantiles whose quotes land on distinct days: 0, 1, ..., 6 days after the truck's day.
PS = [0.2, 0.5, 0.7, 0.85, 0.93, 0.96, 0.98]


def newsvendor_data(**optimize: Any) -> dict[str, Any]:
    """A world whose lead time is known in closed form, searched over the quantile quoted.

    Every day is a business day and the carrier delivers around the clock, so business days
    are calendar days. Orders arrive between 00:00 and 01:00 and are all picked within the
    hour (ten pickers, half a minute each), so every parcel leaves on the 12:00 truck of its
    order day and arrives ``0.5 + T`` days after that day began, ``T`` exponential. The
    quantile rule quotes the end of the day the ``p``-quantile of ``T`` falls on.
    """
    block = {
        "strategy": "quote",
        "parameters": [{"path": "p", "values": PS}],
        "objective": {"metric": "profit_per_order"},
        "method": {"kind": "kn", "indifference": 0.01},
    }
    block.update(optimize)
    return {
        "name": "newsvendor",
        "horizon": {"start": "2025-01-06", "days": 28, "warmup_days": 0},
        "calendar": {"country": None, "working_weekdays": ALL_DAYS,
                     "pickup_weekdays": ALL_DAYS, "delivery_weekdays": ALL_DAYS,
                     "cutoff": "12:00", "delivery_hours": {"start": "00:00", "end": "24:00"}},
        "demand": {"orders_per_day": 60, "hourly_profile": [1] + [0] * 23},
        "warehouse": {"shifts": [{"start": "00:00", "end": "24:00", "pickers": 10}],
                      "pick_minutes": {"dist": "constant", "value": 0.5}},
        "carrier": {"service_levels": [
            {"name": "post", "nominal_days": 2, "cost": 0.0,
             "transit_days": {"dist": "exponential", "mean": TRANSIT_MEAN}},
            {"name": "courier", "nominal_days": 1, "cost": 0.5,
             "transit_days": {"dist": "exponential", "mean": TRANSIT_MEAN}},
        ]},
        "strategies": [{"name": "quote", "kind": "quantile", "p": 0.5, "service": "post"}],
        "economics": {"price": MARGIN, "gross_margin": 1.0, "late_cost_per_day": LATE_COST,
                      "promise_cost_per_day": QUOTE_COST},
        "experiment": {"replications": 4, "seed": 11, "confidence": 0.99},
        "optimize": block,
    }


def newsvendor(**optimize: Any) -> Scenario:
    return parse_scenario(newsvendor_data(**optimize), source="<newsvendor>")


def expected_profit(p: float) -> float:
    """Expected profit per order of the quote at quantile ``p``, in closed form.

    The quote ends ``k = floor(0.5 + q_p) + 1`` days after the order day began; the parcel
    arrives at ``X = 0.5 + T``. Profit is ``MARGIN - b (X - k)^+ - h (k - a)``, with ``a``
    the order's time of day (uniform in the first hour: mean 1/48 day), and
    ``E (X - k)^+ = exp(-(k - 0.5)/mean) * mean`` for exponential ``T``.
    """
    q = -TRANSIT_MEAN * np.log1p(-p)
    k = np.floor(0.5 + q) + 1.0
    late = np.exp(-(k - 0.5) / TRANSIT_MEAN) * TRANSIT_MEAN
    return MARGIN - LATE_COST * late - QUOTE_COST * (k - 1.0 / 48.0)


def test_optimize_finds_the_newsvendor_quote_within_its_interval():
    # The continuous critical fractile 1 - h/b = 0.875 falls on the quote of p = 0.85 (the
    # p-quantiles 0.811..0.903 all quote the same day); the discrete optimum is computed here.
    theory = {p: expected_profit(p) for p in PS}
    optimum = max(theory, key=theory.get)

    result = optimize(newsvendor(), workers=1)

    assert optimum == 0.85
    assert result.best_values == {"p": optimum}
    low, high = result.best_interval
    assert low <= theory[optimum] <= high
    table = result.candidates.set_index("p")
    for p in PS:  # paired differences to the best, within their simultaneous bounds
        gap = theory[p] - theory[optimum]
        assert table.loc[p, "difference_low"] <= gap <= table.loc[p, "difference_high"], p


def test_optimize_reports_a_tie_as_not_ruled_out():
    # p = 0.82 and 0.88 quote the same day as 0.85: the same profit in every replication
    result = optimize(newsvendor(parameters=[{"path": "p", "values": [0.7, 0.82, 0.88]}]),
                      workers=1)

    table = result.candidates.set_index("p")
    assert result.best_values == {"p": 0.82}
    assert table.loc[0.88, "status"] == "not ruled out"
    assert table.loc[0.88, "difference"] == 0.0
    assert table.loc[0.7, "status"] == "ruled out"
    assert list(result.runner_ups["p"]) == [0.88]


def test_optimize_minimises_when_asked_and_reports_the_metric_itself():
    scenario = newsvendor(objective={"metric": "lateness_mean", "maximize": False},
                          method={"kind": "subset", "replications": 3})

    result = optimize(scenario, workers=1)

    assert result.best_values == {"p": max(PS)}
    table = result.candidates.set_index("p")
    assert (table["replications"] == 3).all()
    assert (table["mean"] > 0).all()
    assert table["mean"].is_monotonic_decreasing
    assert (table["difference"] >= 0).all()


def test_optimize_weighted_objective_is_the_weighted_sum_per_replication():
    weights = {"profit_per_order": 1.0, "promise_kept": -4.0}
    scenario = newsvendor(objective={"weights": weights},
                          parameters=[{"path": "p", "values": [0.5, 0.9]}],
                          method={"kind": "subset"})

    result = optimize(scenario, workers=1)

    obs = result.observations
    np.testing.assert_allclose(
        obs["objective"], obs["profit_per_order"] - 4.0 * obs["promise_kept"], rtol=1e-12)
    selection = obs[obs["stage"] == "selection"]
    means = selection.groupby("candidate")["objective"].mean()
    np.testing.assert_allclose(result.candidates["mean"], means, rtol=1e-12)
    assert (result.candidates["replications"] == 4).all()
    fresh = obs[obs["stage"] == "confirmation"]
    assert set(fresh["candidate"]) == {result.best}
    assert sorted(fresh["replication"]) == list(range(4, 14))
    assert result.best_mean == pytest.approx(fresh["objective"].mean(), rel=1e-12)


def test_optimize_without_confirmation_reports_the_selection_replications():
    scenario = newsvendor(parameters=[{"path": "p", "values": [0.5, 0.9]}],
                          method={"kind": "subset"})

    result = optimize(scenario, workers=1, confirmation=0)

    assert not result.estimate.fresh
    best = result.best_row
    assert result.best_interval == (best["ci_low"], best["ci_high"])
    assert result.estimate.replications == best["replications"] == 4
    assert set(result.observations["stage"]) == {"selection"}


def test_optimize_searches_full_paths_and_keys_set_together():
    scenario = newsvendor(
        parameters=[
            {"path": "service", "values": ["post", "courier"]},
            {"path": "carrier.service_levels.courier.cost", "values": [0.5, 0.25]},
        ],
        method={"kind": "kn", "indifference": 0.01, "first_replications": 3},
    )

    result = optimize(scenario, workers=1)

    # courier: the same transit, shipped at a cost; post is free whatever courier costs
    assert result.best_values == {"service": "post", "carrier.service_levels.courier.cost": 0.5}
    assert set(result.runner_ups["service"]) == {"post"}
    ruled_out = result.candidates[result.candidates["status"] == "ruled out"]
    assert set(ruled_out["service"]) == {"courier"}
    assert (ruled_out["eliminated_after"] == 3).all()


def test_optimize_with_the_same_store_computes_only_missing_replications():
    class Counting(LocalExecutor):
        def map_unordered(self, function, items):
            items = list(items)
            seen.append(len(items))
            return super().map_unordered(function, items)

    seen: list[int] = []
    store = MemoryStore()
    scenario = newsvendor(method={"kind": "subset"},
                          parameters=[{"path": "p", "values": [0.5, 0.9]}])
    first = optimize(scenario, executor=Counting(1), store=store)
    again = optimize(scenario, executor=Counting(1), store=store)
    more = optimize(scenario, replications=6, executor=Counting(1), store=store)

    # 2 x 4 and the best's 10 fresh (replications 4..13); nothing; then replications 4..5
    # of the other candidate and 14..15 of the best, the only ones not yet kept
    assert seen == [8, 10, 2, 2]
    assert again.candidates["mean"].tolist() == first.candidates["mean"].tolist()
    assert more.candidates["replications"].tolist() == [6, 6]


def test_optimize_progress_counts_every_replication():
    calls: list[tuple[int, int]] = []
    result = optimize(newsvendor(parameters=[{"path": "p", "values": [0.5, 0.85, 0.9]}],
                                 method={"kind": "kn", "indifference": 0.02,
                                         "first_replications": 2, "max_replications": 5}),
                      workers=1, progress=lambda done, total: calls.append((done, total)))

    done = [d for d, _ in calls]
    assert done == sorted(done) and all(d <= t for d, t in calls)
    assert calls[-1] == (result.manifest["optimize"]["total_replications"],) * 2


def test_candidates_hold_only_the_searched_strategy_and_no_study():
    data = newsvendor_data()
    data["strategies"].append({"name": "other", "kind": "tight", "service": "post"})
    data["baseline"] = "other"
    base, candidates = build_candidates(parse_scenario(data))
    _, alone = build_candidates(newsvendor())

    assert [s.name for s in base.strategies] == ["quote"]
    assert base.optimize is None and base.baseline is None
    assert [c.scenario.strategies[0].p for c in candidates] == PS
    assert [scenario_hash(c.scenario) for c in candidates] == [
        scenario_hash(c.scenario) for c in alone]


def buffer_search(values):
    data = newsvendor_data(strategy="window", method={"kind": "subset"},
                           parameters=[{"paths": ["min_days", "max_days"], "values": values}])
    data["strategies"] = [{"name": "window", "kind": "buffer", "min_days": 0, "max_days": 0,
                           "service": "post"}]
    return parse_scenario(data, source="x.yaml")


def test_keys_set_together_make_one_candidate_per_list_of_values():
    _, candidates = build_candidates(buffer_search([[1, 2], [2, 4]]))

    assert [c.label for c in candidates] == ["min_days=1, max_days=2", "min_days=2, max_days=4"]
    windows = [(c.scenario.strategies[0].min_days, c.scenario.strategies[0].max_days)
               for c in candidates]
    assert windows == [(1, 2), (2, 4)]


def test_a_candidate_that_breaks_a_scenario_rule_is_named():
    with pytest.raises(ScenarioError, match=(
        r"^x\.yaml: optimize\.parameters\[0\] candidate min_days=3, max_days=2: setting "
        r"strategies\.window\.min_days, strategies\.window\.max_days: strategies\[0\]: "
        r"'max_days' must be >= 'min_days', got 3\.\.2$")):
        build_candidates(buffer_search([[1, 2], [3, 2]]), source="x.yaml")


def with_block(**changes: Any) -> Scenario:
    data = newsvendor_data()
    data["optimize"] = {**copy.deepcopy(data["optimize"]), **changes}
    return parse_scenario(data, source="<x>")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"parameters": [{"path": "q", "values": [1]}]},
         r"^x\.yaml: optimize\.parameters\[0\]\.path: 'q' is neither a key of strategy "
         r"'quote' \(kind, p, service\) nor a section of the scenario$"),
        ({"parameters": [{"path": "carrier.service_levels.van.cost", "values": [1]}]},
         r"^x\.yaml: optimize\.parameters\[0\]\.path: .*no item 'van' in "
         r"carrier\.service_levels \(names: post, courier\)$"),
        ({"parameters": [{"path": "p..q", "values": [1]}]},
         r"^x\.yaml: optimize\.parameters\[0\]\.path: 'p\.\.q': not a key path"),
        ({"parameters": [{"path": "name", "values": ["a"]}]},
         r"optimize\.parameters\[0\]\.path: the strategy's name cannot be searched"),
        ({"parameters": [{"path": "p", "values": [0.5, 1.5]}]},
         r"^x\.yaml: optimize\.parameters\[0\] candidate p=1\.5: setting strategies\.quote\.p: "
         r"strategies\[0\]\.p: Input should be less than 1, got 1\.5$"),
        ({"parameters": [{"path": "p", "values": [0.5]},
                         {"path": "service", "values": ["post", "van"]}]},
         r"^x\.yaml: optimize candidate p=0\.5, service=van: .*unknown service level 'van'"),
        ({"objective": {"metric": "market_share"}},
         r"^x\.yaml: optimize\.objective: 'market_share' is measured only with a 'market:' section$"),
        ({"objective": {"weights": {"lifetime_value": 1.0}}},
         r"optimize\.objective: 'lifetime_value' is measured only with a 'customers:' section"),
    ],
)
def test_optimize_names_the_key_of_a_bad_search(changes, message):
    with pytest.raises(ScenarioError, match=message):
        optimize(with_block(**changes), workers=1, source="x.yaml")


def test_optimize_refuses_a_scenario_without_a_search():
    with pytest.raises(ScenarioError, match=r"^x\.yaml: optimize: missing"):
        optimize(small_scenario(), workers=1, source="x.yaml")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"replications": 1}, r"'replications' must be >= 2 for confidence intervals, got 1"),
        ({"max_replications": 5}, r"'max_replications' must be >= the first replications "
                                  r"\(10\), got 5"),
        ({"seed": -1}, r"'seed' must be >= 0, got -1"),
        ({"confirmation": 1}, r"'confirmation' must be 0 \(none\) or >= 2 replications, got 1"),
        ({"workers": 0}, r"'workers' must be >= 1, got 0"),
    ],
)
def test_optimize_refuses_impossible_options(options, message):
    with pytest.raises(ExperimentError, match=message):
        optimize(newsvendor(), **options)


def test_optimize_refuses_a_cap_the_method_has_not():
    with pytest.raises(ExperimentError, match=r"^'max_replications' is for the method 'kn'; "
                       r"this search's method is 'subset' \(set its replications instead\)$"):
        optimize(newsvendor(method={"kind": "subset"}), max_replications=50)
