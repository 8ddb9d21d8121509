"""From the truck to the ledger: delivering parcels, and booking a judged order's money.

When customers have no memory and the strategy learns nothing from deliveries, an order can be
judged the moment it is shipped: its delivery time is already determined by its luck. The pass
of :func:`deliver_and_book` composes the model's own compiled pieces (the carrier's clock, the
disruptions' step function, the satisfaction value, the ledger's booking) so that the numbers
are the same as the step-by-step path, at a fraction of the passes over memory. Its two halves,
:func:`deliver_parcels` and :func:`book_delivery`, are those the day-by-day path uses too.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from sim.model.calendar import business_clock, handover_time
from sim.model.disruptions import TransitSteps
from sim.model.promise import Quote
from sim.model.satisfaction import Reference, disconfirmation_value, promise_point
from sim.scenario.ndtri import ndtri, ndtri_address
from sim.world.build import World
from sim.world.ledger import Ledger, book_order, order_profit

__all__ = ["BookingTerms", "book_delivery", "booking_terms", "deliver_and_book",
           "deliver_parcels", "truck_departure"]


class BookingTerms(NamedTuple):
    """What a firm's order earns and costs (see :class:`~sim.scenario.spec.Economics`), the
    shipping cost of each service level, and the hour from which orders are measured.
    """

    price: float
    gross_margin: float
    late_credit: float
    late_cost_per_day: float
    promise_cost_per_day: float
    shipping_costs: np.ndarray
    measured_from: float


def booking_terms(world: World, price: float) -> BookingTerms:
    """The terms of a firm selling at ``price`` in ``world``."""
    money = world.economics
    return BookingTerms(float(price), float(money.gross_margin), float(money.late_credit),
                        float(money.late_cost_per_day), float(money.promise_cost_per_day),
                        world.carrier.costs, world.warmup_days * 24.0)


#: Orders taken through each step of the pass at a time: a step short enough that its few live
#: values stay in registers (the value function's call to ``pow`` spills those of a longer one)
#: and the chunk's intermediate values in the first-level cache.
_CHUNK = 256
#: An empty array, for an argument of the pass that its path does not read.
_NONE = np.empty(0)


@numba.njit(cache=True, inline="always")
def truck_departure(t, steps, peak_transit, clock):
    """What a truck leaving at hour ``t`` does to its parcels' transit: the disruption's factor
    and added days (``steps``, :class:`~sim.model.disruptions.TransitSteps`), the season's peak
    factor, and the carrier's business clock at departure. Worked out once a truck, not once
    a parcel.
    """
    factor = 1.0
    added = 0.0
    if steps.edges.size:
        step = np.searchsorted(steps.edges, t, side="right") - 1
        if step >= 0:
            factor = steps.multiplier[step]
            added = steps.delay[step]
    peak = peak_transit[min(math.floor(t / 24.0), peak_transit.size - 1)]
    return factor, added, peak, business_clock(t, clock.delivered_before, clock.delivery)


@numba.njit(cache=True, inline="always")
def deliver_parcels(dispatch, transit, steps, peak_transit, clock, delivered, begin, end):
    """Write ``delivered`` for parcels ``begin`` to ``end`` leaving at ``dispatch`` with their
    ``transit`` days, as :meth:`Carrier.deliver` does; consecutive parcels mostly share a
    truck, whose :func:`truck_departure` is worked out once.
    """
    truck = truck_b = np.nan
    factor = peak = 1.0
    added = 0.0
    for i in range(begin, end):
        t = dispatch[i]
        if t != truck:
            truck = t
            factor, added, peak, truck_b = truck_departure(t, steps, peak_transit, clock)
        days = transit[i] * factor * peak + added
        delivered[i] = handover_time(truck_b + days, clock.delivered_before,
                                     clock.delivery_days, clock.opens, clock.closes)


@numba.njit(cache=True, inline="always")
def book_delivery(terms, books, totals, delight_days, service, arrival, delivered, ordered_b,
                  promised_b, expected_b, delivered_b, s):
    """Book one measured order of ``service`` with satisfaction ``s``: its profit under
    ``terms`` and its lateness, earliness and lead times (read on the carrier's clock when
    it was ordered, promised, expected and delivered) to ``books`` and ``totals``.
    """
    lateness = delivered_b - promised_b
    shipping = terms.shipping_costs[service]
    profit = order_profit(terms.price * terms.gross_margin, shipping, lateness,
                          promised_b - ordered_b, terms.late_credit, terms.late_cost_per_day,
                          terms.promise_cost_per_day)
    book_order(lateness, expected_b - delivered_b, s, (delivered - arrival) / 24.0,
               expected_b - ordered_b, delivered_b - ordered_b, shipping, terms.price, profit,
               math.floor(delivered / (7 * 24.0)), delight_days, books, totals)


@numba.njit(cache=True, inline="always")
def _undisturbed_days(luck, service, ndtri_at, medians, sigmas, out, begin, end):
    """:meth:`Carrier.undisturbed_days` of parcels ``begin`` to ``end`` when every service
    level's transit is log-normal (``medians``, ``sigmas``), into ``out``: the normal
    quantiles first, then their exponentials (libm's, as :func:`~sim.scenario.portable.
    scaled_exp`), two loops that run faster than one that calls both.
    """
    for i in range(begin, end):
        out[i] = ndtri(ndtri_at, luck[i])
    for i in range(begin, end):
        level = service[i]
        out[i] = medians[level] * math.exp(sigmas[level] * out[i])


@numba.njit(cache=True)
def _deliver_and_book(arrival, earliest, latest, service, dispatch, luck, transit, ndtri_at,
                      medians, sigmas, steps, peak_transit, clock, rule, terms, books, totals,
                      delivered):
    """Deliver, read the carrier's clock, value and book (adding to ``totals``), in four steps
    over a chunk of orders at a time; the books in order of arrival, so every sum adds the same
    numbers in the same order. Consecutive orders mostly share a truck and a promise, so what
    depends on the truck alone (disruption, peak, the clock at departure) or on the promise
    alone (its reading) is worked out again only when it changes.

    Transit before peaks and disruptions is ``transit`` or, when ``medians`` is not empty,
    each chunk's :func:`_undisturbed_days` of ``luck``, written first into ``delivered``
    itself (:func:`deliver_parcels` reads a parcel's transit before it writes its delivery).
    """
    point = expected_b = promise = promised_b = np.nan
    measured = np.empty(_CHUNK, dtype=np.int64)
    ordered_bs = np.empty(_CHUNK)
    expected_bs = np.empty(_CHUNK)
    promised_bs = np.empty(_CHUNK)
    delivered_bs = np.empty(_CHUNK)
    values = np.empty(_CHUNK)
    for begin in range(0, arrival.size, _CHUNK):
        end = min(begin + _CHUNK, arrival.size)
        if medians.size:
            _undisturbed_days(luck, service, ndtri_at, medians, sigmas, delivered, begin, end)
            deliver_parcels(dispatch, delivered, steps, peak_transit, clock, delivered, begin,
                            end)
        else:
            deliver_parcels(dispatch, transit, steps, peak_transit, clock, delivered, begin,
                            end)
        n = 0
        for i in range(begin, end):
            if arrival[i] < terms.measured_from or delivered[i] == np.inf:  # refused: past
                continue                                                    # the calendar
            expected = promise_point(rule.reference, earliest[i], latest[i])
            if expected != point:
                point = expected
                expected_b = business_clock(point, clock.delivered_before, clock.delivery)
            if rule.reference == Reference.END:
                promised_b = expected_b
            elif latest[i] != promise:
                promise = latest[i]
                promised_b = business_clock(promise, clock.delivered_before, clock.delivery)
            measured[n] = i
            ordered_bs[n] = business_clock(arrival[i], clock.delivered_before, clock.delivery)
            expected_bs[n] = expected_b
            promised_bs[n] = promised_b
            delivered_bs[n] = business_clock(delivered[i], clock.delivered_before,
                                             clock.delivery)
            n += 1
        for j in range(n):
            values[j] = disconfirmation_value(expected_bs[j] - delivered_bs[j], rule)
        for j in range(n):
            i = measured[j]
            book_delivery(terms, books, totals, rule.delight_days, service[i], arrival[i],
                          delivered[i], ordered_bs[j], promised_bs[j], expected_bs[j],
                          delivered_bs[j], values[j])


def deliver_and_book(
    world: World,
    ledger: Ledger,
    steps: TransitSteps,
    *,
    terms: BookingTerms,
    arrival: np.ndarray,
    quote: Quote,
    dispatch: np.ndarray,
    luck: np.ndarray,
) -> np.ndarray:
    """Deliver orders leaving at ``dispatch`` and book the measured ones; their delivery times.

    ``steps`` is the replication's transit effect (:meth:`DisruptionSchedule.transit_steps`),
    ``luck`` each parcel's carrier luck (its transit before peaks and disruptions is
    :meth:`Carrier.undisturbed_days`, worked out inside the pass when every service level is
    log-normal). The totals go to the ledger at once, or to its running sum while it holds
    them (:meth:`Ledger.hold_totals`).
    """
    delivered = np.empty(arrival.size)
    totals = ledger.booking_totals()
    carrier = world.carrier
    lognormal = carrier.lognormal_transit
    if lognormal is None:
        transit = carrier.undisturbed_days(quote.service, luck)
        medians = sigmas = _NONE
    else:
        transit = _NONE
        medians, sigmas = lognormal
    _deliver_and_book(
        arrival, quote.earliest, quote.latest, quote.service, dispatch, luck, transit,
        ndtri_address(), medians, sigmas, steps, carrier.peaks.transit,
        world.calendar.carrier_clock, world.satisfaction.rule, terms, ledger.books, totals,
        delivered,
    )
    if not ledger.holds_totals:
        ledger.add_totals(totals)
    return delivered
