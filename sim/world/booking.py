"""From the truck to the ledger in one compiled pass, for orders judged against their promise.

When customers have no memory and the strategy learns nothing from deliveries, an order can be
judged the moment it is shipped: its delivery time is already determined by its luck. This
pass composes the model's own compiled pieces (the carrier's clock, the disruptions' step
function, the satisfaction value, the ledger's booking) so that the numbers are the same as
the step-by-step path, at a fraction of the passes over memory.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.model.calendar import business_clock, delivery_time
from sim.model.promise import Quote
from sim.model.satisfaction import disconfirmation_value
from sim.world.build import World
from sim.world.ledger import TOTALS, Ledger, book_order, order_profit

__all__ = ["deliver_and_book"]

_REFERENCE = {"start": 0, "mid": 1, "end": 2}


@numba.njit(cache=True)
def _deliver_and_book(arrival, earliest, latest, service, dispatch, transit, edges, multiplier,
                      delay, peak_transit, delivered_before, delivery, delivery_days, opens,
                      closes, reference, loss_aversion, gain_curvature, loss_curvature, cap,
                      delight_days, costs, price, margin, late_credit, late_cost, promise_cost,
                      warmup, late_hist, early_hist, lead_hist, satisfaction_hist, weekly,
                      delivered):
    totals = np.zeros(TOTALS)
    last_day = peak_transit.size - 1
    for i in range(arrival.size):
        t = dispatch[i]
        factor = 1.0
        added = 0.0
        if edges.size:
            step = np.searchsorted(edges, t, side="right") - 1
            if step >= 0:
                factor = multiplier[step]
                added = delay[step]
        day = min(math.floor(t / 24.0), last_day)
        days = transit[i] * factor * peak_transit[day] + added
        handed = delivery_time(t, days, delivered_before, delivery, delivery_days, opens, closes)
        delivered[i] = handed
        if arrival[i] < warmup or handed == np.inf:  # past the calendar: the caller refuses it
            continue
        if reference == 0:
            point = earliest[i]
        elif reference == 1:
            point = 0.5 * (earliest[i] + latest[i])
        else:
            point = latest[i]
        ordered_b = business_clock(arrival[i], delivered_before, delivery)
        expected_b = business_clock(point, delivered_before, delivery)
        promised_b = expected_b if reference == 2 else business_clock(
            latest[i], delivered_before, delivery)
        delivered_b = business_clock(handed, delivered_before, delivery)
        lateness = delivered_b - promised_b
        early = expected_b - delivered_b
        s = disconfirmation_value(early, loss_aversion, gain_curvature, loss_curvature, cap)
        shipping = costs[service[i]]
        profit = order_profit(price * margin, shipping, lateness, promised_b - ordered_b,
                              late_credit, late_cost, promise_cost)
        book_order(lateness, early, s, (handed - arrival[i]) / 24.0, expected_b - ordered_b,
                   delivered_b - ordered_b, shipping, price, profit,
                   math.floor(handed / (7 * 24.0)), delight_days, late_hist, early_hist,
                   lead_hist, satisfaction_hist, weekly, totals)
    return totals


def deliver_and_book(
    world: World,
    ledger: Ledger,
    steps: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    price: float,
    arrival: np.ndarray,
    quote: Quote,
    dispatch: np.ndarray,
    undisturbed_days: np.ndarray,
) -> np.ndarray:
    """Deliver orders leaving at ``dispatch`` and book the measured ones; their delivery times.

    ``steps`` is the replication's transit effect (:meth:`DisruptionSchedule.transit_steps`),
    ``undisturbed_days`` each parcel's transit before peaks and disruptions.
    """
    carrier, money = world.carrier, world.economics
    satisfaction = world.satisfaction
    delivered = np.empty(arrival.size)
    totals = _deliver_and_book(
        arrival, quote.earliest, quote.latest, quote.service, dispatch, undisturbed_days,
        *steps, carrier.peaks.transit, *world.calendar.clock_arrays,
        _REFERENCE[satisfaction.reference], *satisfaction.parameters,
        float(satisfaction.delight_days), carrier.costs, float(price),
        float(money.gross_margin), float(money.late_credit), float(money.late_cost_per_day),
        float(money.promise_cost_per_day), world.warmup_days * 24.0,
        *ledger.booking_arrays, delivered,
    )
    ledger.add_totals(totals)
    return delivered
