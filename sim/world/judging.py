"""The end of a delivery day: each parcel judged against its promise and its customer's
expectation, customers learning from it, the measured ones booked in the firm's ledger.

One compiled pass over the day's parcels, in the order they were filed: a customer has one
parcel in flight at most, so customers' updates do not depend on each other's order, and
each draws the luck of its parcel's place in order of delivery.
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np

from sim.model._memory import AHEAD, prefetch
from sim.model.calendar import business_clock
from sim.model.customer_store import CustomerBase, prefetch_customer
from sim.model.customers import Behaviour, learn
from sim.model.satisfaction import Reference, disconfirmation_value
from sim.world.booking import book_delivery, booking_terms
from sim.world.build import World
from sim.world.ledger import TOTALS, Ledger
from sim.world.ordering import stable_rank
from sim.world.parcels import Parcels
from sim.world.returning import Returning

__all__ = ["judge"]


def judge(
    world: World,
    parcels: Parcels,
    ledger: Ledger,
    *,
    price: float,
    customers: CustomerBase | None = None,
    luck: np.ndarray | None = None,
    judged_at: float | None = None,
    returning: Returning | None = None,
) -> tuple[int, int]:
    """Judge delivered ``parcels``: customers learn from all, the ledger books the measured
    (sold at ``price``).

    Customers' repurchase clocks start at ``judged_at`` (the evening the day's deliveries are
    judged; orders are taken at the start of each day, so a purchase cannot fall earlier);
    at each delivery if omitted. The ``j``-th parcel in order of delivery draws ``luck[j]``;
    the ledger books in the parcels' order. Customers who will buy again are filed in
    ``returning``. Returns the recommendations and warnings the deliveries produced.
    """
    if customers is None:
        rank, luck, base = np.empty(0, dtype=np.int64), np.empty((0, 3)), _nobody()
    else:
        rank, luck = stable_rank(parcels.delivered), np.ascontiguousarray(luck, dtype=float)
        base = customers
    totals, talk = _judge(
        parcels, world.calendar.carrier_clock, world.satisfaction.rule,
        booking_terms(world, price), ledger.books,
        np.nan if judged_at is None else float(judged_at), rank, luck, base.parameters,
        base.arrays,
    )
    if totals[0] > 0:
        ledger.add_totals(totals)
    if customers is None:
        return 0, 0
    if returning is not None:
        returning.file(parcels.customer, customers)
    customers.refusals += int(talk[2])
    return int(talk[0]), int(talk[1])


@functools.cache
def _nobody() -> CustomerBase:
    """A customer base for judging without customers (never read)."""
    return CustomerBase(Behaviour(), capacity=1)


@numba.njit(cache=True)
def _judge(parcels, clock, rule, terms, books, judged_at, rank, luck, p, customers):
    """Judge each parcel against its promise and its customer's expectation and book the
    measured ones, in the parcels' order: returns the booking's totals and the customers'
    recommendations, warnings and refused cuts. With ``rank`` (each parcel's place in order
    of delivery, which picks its row of ``luck``), customers learn as they go.
    """
    totals = np.zeros(TOTALS)
    talk = np.zeros(3, dtype=np.int64)
    learning = rank.size > 0
    trust, learned, active = customers.trust, customers.learned, customers.active
    memory, remembered, padded = customers.memory, customers.remembered, customers.padded
    next_purchase, business = customers.next_purchase, customers.business
    early_run, cut = customers.early_run, customers.cut
    n = parcels.arrival.size
    for i in range(n):
        if learning and i + AHEAD < n:
            prefetch_customer(parcels.customer[i + AHEAD], trust, learned, active)
            prefetch(luck, rank[i + AHEAD])
        ordered_b = parcels.ordered_b[i]
        expected_b = parcels.expected_b[i]
        delivered = parcels.delivered[i]
        delivered_b = business_clock(delivered, clock.delivered_before, clock.delivery)
        promised_b = (parcels.reference_b[i] if rule.reference == Reference.END
                      else business_clock(parcels.latest[i], clock.delivered_before,
                                          clock.delivery))
        lateness = delivered_b - promised_b
        s = disconfirmation_value(expected_b - delivered_b, rule)
        if learning:
            j = rank[i]
            c = parcels.customer[i]
            (trust[c], learned[c], memory[c], remembered[c], padded[c], next_purchase[c],
             early_run[c], cut[c], stays, referral, warning, refusal) = learn(
                trust[c], learned[c], memory[c], remembered[c], padded[c], next_purchase[c],
                business[c], early_run[c], cut[c], parcels.reference_b[i] - ordered_b,
                delivered_b - ordered_b, -lateness, s,
                delivered if math.isnan(judged_at) else judged_at, luck[j, 0], luck[j, 1],
                luck[j, 2], p)
            if not stays:
                active[c] = False
            talk[0] += referral
            talk[1] += warning
            talk[2] += refusal
        if parcels.arrival[i] < terms.measured_from:
            continue
        book_delivery(terms, books, totals, rule.delight_days, parcels.service[i],
                      parcels.arrival[i], delivered, ordered_b, promised_b, expected_b,
                      delivered_b, s)
    return totals, talk
