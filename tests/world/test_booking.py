"""The compiled booking pass books each order's satisfaction as the satisfaction model values it."""

import numpy as np
import pytest
from factories import small_scenario

from sim.experiment.streams import replication_streams
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
