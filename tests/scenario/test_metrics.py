"""The metric registry: the one list every other list of metrics is derived from."""

import dataclasses
import typing

import pytest
from factories import small_scenario_data

from sim.scenario import metrics, parse_scenario
from sim.scenario.claim import CLAIM_METRICS
from sim.scenario.metrics import REGISTRY, Metric
from sim.world.ledger import METRICS, WEEKLY, Ledger

NAMES = [m.name for m in REGISTRY]
STARS = {"scale": 0.5, "thresholds": [-2.0, 0.0, 1.0], "source": "a test"}


def test_every_metric_the_ledger_produces_is_registered_and_vice_versa_in_order():
    assert list(Ledger().metrics()) == NAMES
    assert list(METRICS) == NAMES


def test_registry_names_are_unique_and_entries_frozen():
    assert len(set(NAMES)) == len(NAMES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGISTRY[0].name = "other"  # type: ignore[misc]


def test_outcome_types_are_the_registry_outcomes_in_table_order():
    assert typing.get_args(metrics.OutcomeMetric) == metrics.OUTCOMES
    assert tuple(n for n in NAMES if n != "orders") == metrics.OUTCOMES


def test_claim_metrics_are_outcomes_in_their_own_order():
    claims = typing.get_args(CLAIM_METRICS)
    assert set(claims) <= set(metrics.OUTCOMES)
    assert sorted(m.claim for m in REGISTRY if m.claim is not None) == list(
        range(1, len(claims) + 1))
    assert set(metrics.WEEKLY_CLAIM_METRICS) <= set(claims)


def test_weekly_claim_metrics_have_a_weekly_series():
    series = {"profit_total": "profit"}
    for name in metrics.WEEKLY_CLAIM_METRICS:
        assert series.get(name, name) in WEEKLY


def test_every_metric_says_which_way_is_better_unless_it_is_a_count():
    assert [m.name for m in REGISTRY if m.better is None] == ["orders"]
    assert {m.name for m in REGISTRY if m.better == "lower"} == metrics.LOWER_IS_BETTER
    assert {"lateness_mean", "disappointed_share"} <= metrics.LOWER_IS_BETTER
    assert not {"promise_kept", "profit_total"} & metrics.LOWER_IS_BETTER


def test_metrics_that_need_a_section_are_the_ones_the_ledger_says_need_it():
    assert metrics.CUSTOMER_METRICS == ("new_customers", "lifetime_value")
    assert metrics.MARKET_METRICS == ("market_share", "conversion")
    for name in metrics.MARKET_METRICS:
        assert "with a market" in METRICS[name]


def test_unmeasured_follows_the_sections_of_the_scenario():
    plain = parse_scenario(small_scenario_data())
    with_customers = parse_scenario(small_scenario_data(customers={}))

    assert metrics.unmeasured(plain) == (
        *metrics.STARS_METRICS, *metrics.CUSTOMER_METRICS, *metrics.MARKET_METRICS)
    assert metrics.unmeasured(with_customers) == (
        *metrics.STARS_METRICS, *metrics.MARKET_METRICS)
    assert metrics.missing_section("lifetime_value", plain) == "customers"
    assert metrics.missing_section("lifetime_value", with_customers) is None
    assert metrics.missing_section("promise_kept", plain) is None


def test_expected_stars_is_measured_only_with_a_stars_reading_and_higher_is_better():
    plain = parse_scenario(small_scenario_data())
    in_stars = parse_scenario(small_scenario_data(satisfaction={"stars": STARS}))

    assert metrics.STARS_METRICS == ("expected_stars",)
    assert "expected_stars" not in metrics.LOWER_IS_BETTER
    assert "expected_stars" in metrics.OUTCOMES
    assert metrics.missing_section("expected_stars", plain) == "satisfaction.stars"
    assert metrics.missing_section("expected_stars", in_stars) is None
    assert metrics.unmeasured(in_stars) == (*metrics.CUSTOMER_METRICS, *metrics.MARKET_METRICS)


def test_a_metric_is_plain_data():
    metric = Metric("x", "an example", "share", needs="market", better="lower")
    assert (metric.outcome, metric.claim, metric.weekly) == (True, None, False)
