"""Carrier: each parcel's transit by its own service level, at its own luck."""

import datetime as dt

import numpy as np
import pytest

from sim.model.calendar import BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.disruptions import SeasonalPeaks
from sim.scenario.operations import ServiceLevel

CALENDAR = BusinessCalendar.build(dt.date(2025, 1, 6), 60)
SERVICES = (
    ServiceLevel(name="overnight", nominal_days=1, cost=14.0,
                 transit_days={"dist": "lognormal", "median": 0.7, "sigma": 0.25}),
    ServiceLevel(name="ground", nominal_days=3, cost=6.0,
                 transit_days={"dist": "gamma", "mean": 2.6, "cv": 0.3}),
)
CARRIER = Carrier(SERVICES, CALENDAR, SeasonalPeaks.build([], CALENDAR))


@pytest.mark.parametrize("share_ground", [0.0, 0.3, 1.0])
def test_carrier_transit_is_each_parcels_own_service_at_its_luck(share_ground):
    """A batch all by one level takes its quantiles in one call: the same numbers as parcel by
    parcel."""
    rng = np.random.default_rng(8)
    luck = rng.random(3000)
    service = (rng.random(3000) < share_ground).astype(np.int64)

    days = CARRIER.undisturbed_days(service, luck)

    one_by_one = [SERVICES[s].transit_days.ppf(np.array([u]))[0] for s, u in zip(service, luck)]
    np.testing.assert_array_equal(days, one_by_one)


def test_carrier_transit_of_no_parcels_is_empty():
    assert CARRIER.undisturbed_days(np.empty(0, dtype=np.int64), np.empty(0)).size == 0


def test_carrier_lognormal_transit_is_each_levels_median_and_sigma_when_all_are_lognormal():
    assert CARRIER.lognormal_transit is None  # ground is a gamma
    ground = SERVICES[1].model_copy(
        update={"transit_days": SERVICES[0].transit_days.model_copy(update={"median": 2.6})})
    medians, sigmas = Carrier((SERVICES[0], ground), CALENDAR, CARRIER.peaks).lognormal_transit
    np.testing.assert_array_equal(medians, [0.7, 2.6])
    np.testing.assert_array_equal(sigmas, [0.25, 0.25])
