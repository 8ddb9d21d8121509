"""The ledger's metrics: expected stars read off the satisfaction histogram, within its bound."""

import math

import numpy as np
import pytest
from factories import small_scenario

from sim.experiment.streams import replication_streams
from sim.model.stars import StarScale
from sim.world import SATISFACTION_BINS, Ledger, build_strategies, build_world, simulate
from sim.world.records import OrderRecords

STARS = {"scale": 0.6, "thresholds": [-3.0, -2.0, -1.0, 0.5], "source": "a test"}


@pytest.mark.parametrize("strategy", ["zappos_buffer", "competitor_overnight"])
def test_expected_stars_is_within_the_histograms_bound_of_the_mean_over_orders(strategy):
    scenario = small_scenario(satisfaction={"stars": STARS})
    world = build_world(scenario)
    records = OrderRecords()
    ledger = simulate(world, build_strategies(scenario, world)[strategy],
                      replication_streams(5, 0), records=records)
    orders = records.to_arrays()
    measured = orders["arrival"] >= world.warmup_days * 24.0
    clock = world.calendar.to_business
    early = clock(orders["latest"][measured]) - clock(orders["delivered"][measured])
    stars = StarScale.from_spec(scenario.satisfaction.stars)

    exact = stars.expected(world.satisfaction.value(early)).mean()
    read = ledger.metrics(stars=stars)["expected_stars"]
    bound = stars.histogram_error_bound(ledger.satisfaction_hist, SATISFACTION_BINS)

    assert abs(read - exact) <= bound + 1e-12
    assert bound < 0.05


def test_expected_stars_is_nan_without_a_reading_in_stars():
    ledger = Ledger()
    ledger.satisfaction_hist[200] = 3.0

    assert math.isnan(ledger.metrics()["expected_stars"])
    assert ledger.metrics(stars=StarScale(1.0, (0.0,)))["expected_stars"] == pytest.approx(
        StarScale(1.0, (0.0,)).expected(np.array([-4.975]))[0], rel=1e-12)
