"""The compiled booking pass books each order's satisfaction as the satisfaction model values it."""

import numpy as np
import pytest
from factories import small_scenario

from sim.experiment.streams import replication_streams
from sim.model.carrier import Carrier
from sim.model.promise import FirmView, Quote
from sim.world import build_strategies, build_world, simulate
from sim.world.records import OrderRecords


@pytest.mark.parametrize("tolerance", [0.0, 0.5])
def test_booked_satisfaction_is_the_value_of_each_orders_disconfirmation(tolerance):
    scenario = small_scenario(satisfaction={"late_tolerance_days": tolerance})
    world = build_world(scenario)
    records = OrderRecords()
    ledger = simulate(world, build_strategies(scenario, world)["competitor_overnight"],
                      replication_streams(3, 0), records=records)
    orders = records.to_arrays()
    measured = orders["arrival"] >= world.warmup_days * 24.0
    clock = world.calendar.to_business
    early = clock(orders["latest"][measured]) - clock(orders["delivered"][measured])
    value = world.satisfaction.value(early)

    assert np.count_nonzero((early < 0) & (early >= -tolerance)) > (100 if tolerance else -1)
    assert ledger.metrics()["satisfaction_mean"] == pytest.approx(value.mean(), rel=1e-12)


class _EveryOtherHourByGround:
    """Overnight for orders of even hours, ground for odd ones, due three delivery days on."""

    uses_backlog = False
    elementwise = True

    def quote(self, view: FirmView) -> Quote:
        due = view.calendar.delivery_day_end(view.next_truck(), 3)
        return Quote(due, due, (np.floor(view.arrival) % 2).astype(np.int64))


@pytest.mark.parametrize("strategy", ["competitor_overnight", "quantile_95_ground", "mixed"])
def test_transit_drawn_in_the_pass_is_the_carriers_own(strategy, monkeypatch):
    """Log-normal transit worked out inside the booking pass gives every delivery and every
    booked number that the carrier's own quantiles, worked out first, give."""
    scenario = small_scenario()
    world = build_world(scenario)
    assert world.carrier.lognormal_transit is not None

    def run():
        chosen = (_EveryOtherHourByGround() if strategy == "mixed"
                  else build_strategies(scenario, world)[strategy])
        records = OrderRecords()
        ledger = simulate(world, chosen, replication_streams(5, 1), records=records)
        return records.to_arrays(), ledger.metrics()

    in_pass, in_pass_metrics = run()
    monkeypatch.setattr(Carrier, "lognormal_transit", property(lambda self: None))
    first, first_metrics = run()

    assert np.unique(in_pass["service"]).size == (2 if strategy == "mixed" else 1)
    for name, values in first.items():
        np.testing.assert_array_equal(in_pass[name], values, err_msg=name)
    np.testing.assert_equal(in_pass_metrics, first_metrics)  # NaN where undefined
