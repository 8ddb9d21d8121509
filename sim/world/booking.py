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

from sim.model.calendar import business_clock, handover_time
from sim.model.promise import Quote
from sim.model.satisfaction import disconfirmation_value
from sim.world.build import World
from sim.world.ledger import Ledger, book_order, order_profit

__all__ = ["deliver_and_book", "deliver_parcels", "promise_point", "truck_departure"]

REFERENCE_CODES = {"start": 0, "mid": 1, "end": 2}


#: Orders taken through each step of the pass at a time: a step short enough that its few live
#: values stay in registers (the value function's call to ``pow`` spills those of a longer one)
#: and the chunk's intermediate values in the first-level cache.
_CHUNK = 256


@numba.njit(cache=True, inline="always")
def promise_point(reference, earliest, latest):
    """The time in a promised window a customer expects the parcel: its start (``reference``
    0), middle (1) or end (2), as :data:`REFERENCE_CODES` numbers ``satisfaction.reference``."""
    if reference == 0:
        return earliest
    if reference == 1:
        return 0.5 * (earliest + latest)
    return latest


@numba.njit(cache=True, inline="always")
def truck_departure(t, edges, multiplier, delay, peak_transit, delivered_before, delivery):
    """What a truck leaving at hour ``t`` does to its parcels' transit: the disruption's factor
    and added days (:meth:`DisruptionSchedule.transit_steps`), the season's peak factor, and
    the carrier's business clock at departure. Worked out once a truck, not once a parcel."""
    factor = 1.0
    added = 0.0
    if edges.size:
        step = np.searchsorted(edges, t, side="right") - 1
        if step >= 0:
            factor = multiplier[step]
            added = delay[step]
    peak = peak_transit[min(math.floor(t / 24.0), peak_transit.size - 1)]
    return factor, added, peak, business_clock(t, delivered_before, delivery)


@numba.njit(cache=True, inline="always")
def deliver_parcels(dispatch, transit, edges, multiplier, delay, peak_transit, delivered_before,
                    delivery, delivery_days, opens, closes, delivered, begin, end):
    """Write ``delivered`` for parcels ``begin`` to ``end`` leaving at ``dispatch`` with their
    ``transit`` days, as :meth:`Carrier.deliver` does; consecutive parcels mostly share a
    truck, whose :func:`truck_departure` is worked out once."""
    truck = truck_b = np.nan
    factor = peak = 1.0
    added = 0.0
    for i in range(begin, end):
        t = dispatch[i]
        if t != truck:
            truck = t
            factor, added, peak, truck_b = truck_departure(
                t, edges, multiplier, delay, peak_transit, delivered_before, delivery)
        days = transit[i] * factor * peak + added
        delivered[i] = handover_time(truck_b + days, delivered_before, delivery_days, opens,
                                     closes)


@numba.njit(cache=True)
def _deliver_and_book(arrival, earliest, latest, service, dispatch, transit, edges, multiplier,
                      delay, peak_transit, delivered_before, delivery, delivery_days, opens,
                      closes, reference, loss_aversion, gain_curvature, loss_curvature, cap,
                      tolerance, delight_days, costs, price, margin, late_credit, late_cost,
                      promise_cost, warmup, late_hist, early_hist, lead_hist, satisfaction_hist,
                      weekly, totals, delivered):
    """Deliver, read the carrier's clock, value and book (adding to ``totals``), in four steps
    over a chunk of orders at a time; the books in order of arrival, so every sum adds the same
    numbers in the same order. Consecutive orders mostly share a truck and a promise, so what
    depends on the truck alone (disruption, peak, the clock at departure) or on the promise
    alone (its reading) is worked out again only when it changes."""
    point = expected_b = promise = promised_b = np.nan
    measured = np.empty(_CHUNK, dtype=np.int64)
    ordered_bs = np.empty(_CHUNK)
    expected_bs = np.empty(_CHUNK)
    promised_bs = np.empty(_CHUNK)
    delivered_bs = np.empty(_CHUNK)
    values = np.empty(_CHUNK)
    for begin in range(0, arrival.size, _CHUNK):
        end = min(begin + _CHUNK, arrival.size)
        deliver_parcels(dispatch, transit, edges, multiplier, delay, peak_transit,
                        delivered_before, delivery, delivery_days, opens, closes, delivered,
                        begin, end)
        n = 0
        for i in range(begin, end):
            if arrival[i] < warmup or delivered[i] == np.inf:  # past the calendar: refused
                continue
            expected = promise_point(reference, earliest[i], latest[i])
            if expected != point:
                point = expected
                expected_b = business_clock(point, delivered_before, delivery)
            if reference == 2:
                promised_b = expected_b
            elif latest[i] != promise:
                promise = latest[i]
                promised_b = business_clock(promise, delivered_before, delivery)
            measured[n] = i
            ordered_bs[n] = business_clock(arrival[i], delivered_before, delivery)
            expected_bs[n] = expected_b
            promised_bs[n] = promised_b
            delivered_bs[n] = business_clock(delivered[i], delivered_before, delivery)
            n += 1
        for j in range(n):
            values[j] = disconfirmation_value(expected_bs[j] - delivered_bs[j], loss_aversion,
                                              gain_curvature, loss_curvature, cap, tolerance)
        for j in range(n):
            i = measured[j]
            ordered_b = ordered_bs[j]
            delivered_b = delivered_bs[j]
            lateness = delivered_b - promised_bs[j]
            shipping = costs[service[i]]
            profit = order_profit(price * margin, shipping, lateness, promised_bs[j] - ordered_b,
                                  late_credit, late_cost, promise_cost)
            book_order(lateness, expected_bs[j] - delivered_b, values[j],
                       (delivered[i] - arrival[i]) / 24.0, expected_bs[j] - ordered_b,
                       delivered_b - ordered_b, shipping, price, profit,
                       math.floor(delivered[i] / (7 * 24.0)), delight_days, late_hist,
                       early_hist, lead_hist, satisfaction_hist, weekly, totals)


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
    ``undisturbed_days`` each parcel's transit before peaks and disruptions. The totals go to
    the ledger at once, or to its running sum while it holds them (:meth:`Ledger.hold_totals`).
    """
    carrier, money = world.carrier, world.economics
    satisfaction = world.satisfaction
    delivered = np.empty(arrival.size)
    totals = ledger.booking_totals()
    _deliver_and_book(
        arrival, quote.earliest, quote.latest, quote.service, dispatch, undisturbed_days,
        *steps, carrier.peaks.transit, *world.calendar.clock_arrays,
        REFERENCE_CODES[satisfaction.reference], *satisfaction.parameters,
        float(satisfaction.delight_days), carrier.costs, float(price),
        float(money.gross_margin), float(money.late_credit), float(money.late_cost_per_day),
        float(money.promise_cost_per_day), world.warmup_days * 24.0,
        *ledger.booking_arrays, totals, delivered,
    )
    if not ledger.holds_totals:
        ledger.add_totals(totals)
    return delivered
