"""The market in the world: shares against theory and symmetry, determinism, rivals, loyalty."""

import textwrap

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario, small_scenario_data
from scipy import stats

import sim
from sim.errors import ExperimentError, ScenarioError
from sim.model.market import LogitChoice

TIGHT = {"name": "tight", "kind": "tight", "service": "overnight"}
BUFFER = {"name": "buffer", "kind": "buffer", "min_days": 4, "max_days": 5, "service": "overnight"}
QUANTILE = {"name": "quantile", "kind": "quantile", "p": 0.9, "service": "overnight"}


def _market(competitor, *, choice=None, **market):
    """Market-section data: one rival called 'rival' under ``competitor``'s strategy."""
    return {"competitors": [{"name": "rival", "strategy": competitor}], "choice": choice or {},
            **market}


def _scenario(strategies, competitor, *, choice=None, market=None, **sections):
    return small_scenario(strategies=strategies, baseline=strategies[0]["name"],
                          market=_market(competitor, choice=choice, **(market or {})),
                          **sections)


def _interval(values, confidence=0.95):
    """t confidence interval of the mean of per-replication ``values``."""
    values = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.5 + confidence / 2, values.size - 1) * values.std(ddof=1)
    half /= np.sqrt(values.size)
    return values.mean() - half, values.mean() + half


def _column(results, strategy, metric):
    table = results.replications
    return table.loc[table["strategy"] == strategy, metric].to_numpy()


@pytest.mark.parametrize("strategy", [TIGHT, QUANTILE], ids=["tight-daily", "quantile-hourly"])
def test_market_equal_strategies_split_the_market_evenly(strategy):
    """Firm and rival identical: by symmetry the firm's expected share is exactly one half."""
    results = sim.run(_scenario([strategy], strategy, choice={"promise_per_day": -0.2}),
                      replications=6, workers=1)
    share = _column(results, strategy["name"], "market_share")
    low, high = _interval(share)
    assert low <= 0.5 <= high
    row = results.metric("market_share").iloc[0]
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    assert row["ci_low"] <= 0.5 <= row["ci_high"]


def test_market_equal_free_offers_match_the_logit_exactly():
    """Promise days cost nothing, prices equal: each option (none, firm, rival) has p = 1/3."""
    results = sim.run(_scenario([TIGHT], TIGHT, choice={"promise_per_day": 0.0}),
                      replications=6, workers=1)
    low, high = _interval(_column(results, "tight", "market_share"))
    assert low <= 0.5 <= high
    low, high = _interval(_column(results, "tight", "conversion"))
    assert low <= 1 / 3 <= high


def test_market_costly_promise_days_send_prospects_to_the_outside_option():
    """Equal offers with U = -0.2 x days < 0: each firm gets e^U / (1 + 2 e^U) < 1/3."""
    results = sim.run(_scenario([TIGHT], TIGHT, choice={"promise_per_day": -0.2}),
                      replications=6, workers=1)
    conversion = _column(results, "tight", "conversion")
    assert _interval(conversion)[1] < 1 / 3
    # the tight promise is at least one business day: U <= -0.2
    assert (conversion <= np.exp(-0.2) / (1 + 2 * np.exp(-0.2))).all()


def test_market_longer_promise_loses_share():
    results = sim.run(_scenario([TIGHT, BUFFER], TIGHT, choice={"promise_per_day": -0.2}),
                      replications=6, workers=1)
    diff = results.differences
    row = diff[(diff["strategy"] == "buffer") & (diff["metric"] == "market_share")].iloc[0]
    assert row["baseline"] == "tight"
    assert row["ci_high"] < 0
    # the same paired interval computed here from the replications
    paired = _column(results, "buffer", "market_share") - _column(results, "tight", "market_share")
    low, high = _interval(paired)
    assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)
    for name in ("tight", "buffer"):
        share, conversion = (_column(results, name, m) for m in ("market_share", "conversion"))
        assert ((share > 0) & (share < 1)).all()
        assert ((conversion > 0) & (conversion < 1)).all()
        assert (conversion <= share).all()  # won / prospects <= won / bought
    assert (_column(results, "buffer", "conversion") < _column(results, "tight", "conversion")).all()


def test_market_same_seed_gives_the_same_tables_on_one_and_two_workers():
    scenario = _scenario([TIGHT, BUFFER], TIGHT, choice={"promise_per_day": -0.2})
    serial = sim.run(scenario, replications=4, workers=1)
    parallel = sim.run(scenario, replications=4, workers=2)
    pd.testing.assert_frame_equal(serial.replications, parallel.replications)
    pd.testing.assert_frame_equal(serial.differences, parallel.differences)


RULES = textwrap.dedent(
    """
    from sim.model.promise import Tight

    class TightReadingBacklog:
        # the built-in Tight rule, without saying it ignores the backlog
        def __init__(self):
            self.inner = Tight(1, 0)

        def quote(self, view):
            return self.inner.quote(view)
    """
)


@pytest.fixture()
def rules_module(tmp_path, monkeypatch):
    (tmp_path / "market_world_rules.py").write_text(RULES)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "market_world_rules"


def test_market_refresh_does_not_matter_without_the_backlog(rules_module):
    tables = []
    for hours in (1.0, 24.0):
        scenario = _scenario([TIGHT, BUFFER], TIGHT, choice={"promise_per_day": -0.2},
                             market={"quote_refresh_hours": hours})
        tables.append(sim.run(scenario, replications=3, workers=1).replications)
    pd.testing.assert_frame_equal(tables[0], tables[1])

    # quoting hourly (a rule that may read the backlog) gives the same as quoting once a day
    hourly = {"name": "tight", "kind": "custom", "path": f"{rules_module}:TightReadingBacklog"}
    scenario = _scenario([hourly, BUFFER], TIGHT, choice={"promise_per_day": -0.2},
                         market={"quote_refresh_hours": 1.0})
    pd.testing.assert_frame_equal(sim.run(scenario, replications=3, workers=1).replications,
                                  tables[0])


def test_market_loyalty_bonus_keeps_the_delighted_and_lets_the_let_down_go():
    choice = LogitChoice(promise=-0.2, loyalty=0.5, loyalty_per_satisfaction=1.0)
    current = np.array([0, 0, -1, 1])
    remembered = np.array([2.0, -2.0, 5.0, 0.0])
    bonus = choice.loyalty_bonus(current, remembered, firms=2)
    np.testing.assert_allclose(bonus, [[2.5, 0.0], [-1.5, 0.0], [0.0, 0.0], [0.0, 0.5]])
    p = choice.probabilities(np.full((4, 2), 2.0), bonus=bonus)
    delighted, let_down, newcomer = p[0], p[1], p[2]
    assert delighted[1] > newcomer[1] > let_down[1]  # staying with firm 0
    assert let_down[2] > newcomer[2] > delighted[2]  # switching to firm 1
    assert newcomer[1] == pytest.approx(newcomer[2])  # no memory of a firm: no bonus
    assert p[3][2] > p[3][1]  # plain loyalty to the firm last bought from


def test_market_with_customers_rewards_the_firm_that_delights():
    """Buffer (early, delighted) vs a tight rival: weighting loyalty by satisfaction helps it."""
    shares = {}
    for per_satisfaction in (0.0, 3.0):
        scenario = _scenario(
            [BUFFER], TIGHT, customers={"repurchase_per_year": 52.0},
            choice={"promise_per_day": -0.2, "loyalty_per_satisfaction": per_satisfaction},
        )
        results = sim.run(scenario, replications=4, workers=1)
        table = results.replications
        for metric in ("new_customers", "lifetime_value", "market_share", "conversion"):
            assert metric in table.columns
            assert np.isfinite(table[metric]).all()
        assert (table["new_customers"] > 0).all() and (table["lifetime_value"] > 0).all()
        assert set(results.summary["metric"]) >= {"new_customers", "lifetime_value"}
        shares[per_satisfaction] = table["market_share"].to_numpy()
    low, _ = _interval(shares[3.0] - shares[0.0])  # same seeds: paired by replication
    assert low > 0


def _rival_scenario(firm_shifts, rival_shifts=None, rival_strategy=QUANTILE):
    rival = {"name": "rival", "strategy": rival_strategy}
    if rival_shifts is not None:
        rival["shifts"] = rival_shifts
    data = small_scenario_data(
        strategies=[QUANTILE], baseline="quantile",
        horizon={"start": "2025-01-06", "days": 28, "warmup_days": 7},
        market={"competitors": [rival], "choice": {"promise_per_day": -1.0}},
    )
    data["warehouse"]["shifts"] = firm_shifts
    return sim.parse_scenario(data)


def test_market_rival_shifts_override_its_warehouse():
    # the firm picks 06:00-10:00 only: later orders miss the day's truck; the rival picks
    # around the clock, so its backlog-based quotes are a day shorter in the afternoon
    firm = [{"start": "06:00", "end": "10:00", "pickers": 4}]
    crowd = [{"start": "00:00", "end": "24:00", "pickers": 20}]
    results = sim.run(_rival_scenario(firm, crowd), replications=4, workers=1)
    assert _interval(_column(results, "quantile", "market_share"))[1] < 0.5

    # a tight rival (its quote ignores its queue) with one picker for 15 minutes a day cannot
    # keep up with its half of the market: the error names it
    trickle = [{"start": "06:00", "end": "06:15", "pickers": 1}]
    with pytest.raises(ExperimentError, match="warehouse of 'rival' falls behind"):
        sim.run(_rival_scenario(firm, trickle, TIGHT), replications=2, workers=1)


def test_market_unknown_competitor_service_is_a_scenario_error():
    bad = dict(TIGHT, service="teleport")
    with pytest.raises(ScenarioError, match=r"market\.competitors\[0\]\.strategy\.service"):
        _scenario([TIGHT], bad)
    two = {"competitors": [{"name": "a", "strategy": TIGHT}, {"name": "b", "strategy": bad}]}
    with pytest.raises(ScenarioError, match=r"market\.competitors\[1\]\.strategy\.service: "
                                            r"unknown service level 'teleport'"):
        small_scenario(strategies=[TIGHT], baseline="tight", market=two)
