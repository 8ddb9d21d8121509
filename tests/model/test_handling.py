"""The handling stage: whole trucks waited, by the weekday and side of the cut-off of the order."""

import numpy as np
from scipy import stats

from sim.model.handling import Handling
from sim.scenario.operations import Warehouse

SHIFTS = [{"start": "08:00", "end": "16:00", "pickers": 3}]
PICK = {"dist": "constant", "value": 5}


def _warehouse(**handling):
    return Warehouse.model_validate({"shifts": SHIFTS, "pick_minutes": PICK, **handling})


def test_without_handling_there_is_no_stage():
    assert Handling.from_spec(_warehouse(), "16:00") is None


def test_one_distribution_serves_every_order_alike():
    handling = Handling.from_spec(_warehouse(handling_trucks={
        "dist": "empirical", "values": [0, 1, 2], "weights": [0.5, 0.3, 0.2]}), "16:00")
    u = np.array([0.1, 0.49, 0.51, 0.79, 0.81, 0.999])
    for arrival in (np.full(6, 3.0), np.full(6, 24.0 * 5 + 15.0)):
        assert handling.trucks(arrival, u, first_weekday=0).tolist() == [0, 0, 1, 1, 2, 2]
    assert handling.expected == 0


def test_orders_take_the_distribution_of_their_weekday_and_side_of_the_cutoff():
    always = {"dist": "constant", "value": 0}
    handling = Handling.from_spec(_warehouse(
        handling_trucks=always,
        handling_by_order_time={"Tue": {"before_cutoff": {"dist": "constant", "value": 1},
                                        "after_cutoff": {"dist": "constant", "value": 2}}}),
        "16:00")
    # day 0 is a Monday: Tuesday is day 1 (hours 24-48), its cut-off at hour 40
    arrival = np.array([10.0, 39.9, 40.0, 47.0, 50.0, 24.0 * 8 + 1.0])
    waited = handling.trucks(arrival, np.full(arrival.size, 0.5), first_weekday=0)
    assert waited.tolist() == [0, 1, 2, 2, 0, 1]


def test_shares_of_a_class_follow_its_weights():
    handling = Handling.from_spec(_warehouse(
        handling_trucks={"dist": "constant", "value": 0},
        handling_by_order_time={"Mon": {
            "before_cutoff": {"dist": "empirical", "values": [0, 1], "weights": [0.3, 0.7]},
            "after_cutoff": {"dist": "constant", "value": 0}}}), "16:00")
    rng = np.random.default_rng(5)
    n = 20_000
    waited = handling.trucks(np.full(n, 9.0), rng.random(n), first_weekday=0)
    low, high = stats.binom.interval(0.999, n, 0.7)
    assert low <= np.count_nonzero(waited == 1) <= high
