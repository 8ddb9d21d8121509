"""One replication of one strategy: SimPy schedules days, each event carries arrays of orders.

The environment has two processes: at the start of each day the day's orders arrive as one
batch (new customers' and returning customers', picked exactly by the FIFO recursion, quoted,
shipped on the next truck, handed to the carrier); at the end of each day the day's deliveries
are judged, customers learn from them and the ledger books them. Disruptions are drawn once per
replication and act through the roster and the carrier. Memory holds only the parcels in
flight, the customer arrays and the ledger's fixed-size totals.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from sim.model.promise import PromiseStrategy
from sim.world.build import DayDraws, Streams, World
from sim.world.day_loop import fits_compiled_days, run_compiled_days
from sim.world.days import DayStreams, day_orders, run_days, set_up
from sim.world.firm import Firm
from sim.world.ledger import Ledger
from sim.world.market import simulate_market
from sim.world.processes import Process
from sim.world.records import OrderRecords, RecordSink

__all__ = ["OrderRecords", "simulate"]


def simulate(
    world: World,
    strategy: PromiseStrategy,
    streams: Streams,
    *,
    name: str = "strategy",
    records: RecordSink | None = None,
    processes: Sequence[Process] = (),
    replication: int = 0,
) -> Ledger:
    """Run ``strategy`` through ``world`` once, with the random streams ``streams`` gives.

    With a market in the world, the firm competes for each prospect (see
    :func:`sim.world.market.simulate_market`); without one, every order is the firm's.
    ``processes`` are the user's SimPy processes of replication number ``replication``
    (:mod:`sim.world.processes`).
    """
    if world.market is not None:
        return simulate_market(world, strategy, streams, name=name, records=records,
                               processes=processes, replication=replication)
    setting = set_up(world, streams)
    firm = Firm(world, strategy, setting.schedule, name=name, price=world.economics.price,
                customers=setting.customers, returning=setting.returning, records=records,
                day_by_day=bool(processes))
    if firm.batches_days:
        return _simulate_in_day_batches(world, firm, streams)
    if fits_compiled_days(world, [firm], streams, day_by_day=bool(processes)):
        run_compiled_days(world, [firm], setting, streams)
        return firm.ledger

    def take_orders(day: int, rngs: DayStreams, scale: float) -> None:
        orders = day_orders(world, setting, day, rngs,
                            scale=firm.reputation.arrival_multiplier * scale, firm=firm.index)
        if day >= world.warmup_days:
            firm.ledger.new_customers += orders.new
        draws = orders.draws
        if draws.arrival.size == 0:
            return
        start, finish, backlog = firm.serve(draws.arrival, draws.pick_hours)
        quote = firm.quote(draws.arrival, backlog, orders.customer)
        firm.ship(draws, orders.customer, quote, start, finish, backlog, beliefs=orders.beliefs)

    run_days(world, [firm], streams, take_orders, processes=processes,
             replication=replication)
    return firm.ledger


#: Expected orders taken together when days can be batched: enough that the per-batch cost
#: (about 0.1 ms of calls) is a few ns an order; few enough that a batch's dozen arrays (1.5 MB)
#: stay in cache and in the allocator's heap from one batch and one replication to the next,
#: instead of fresh pages from the system (about 3 µs each here: 4 ms a replication at 2^16).
ORDERS_PER_BATCH = 1 << 14
#: Expected orders whose totals (sums of lateness, profit, ...) the ledger takes as one running
#: sum. Rounding makes the sums depend on where they are cut; these cuts are those of the
#: batches of 2^16 orders this path had first, so its numbers stay what they were.
ORDERS_PER_SUM = 1 << 16


def day_batches(daily_rate: np.ndarray, orders: float = ORDERS_PER_BATCH) -> list[range]:
    """Consecutive days grouped so each group expects about ``orders`` orders (a day at least)."""
    cumulative = np.cumsum(daily_rate)
    ends = np.unique(np.searchsorted(cumulative, np.arange(orders, cumulative[-1], orders)) + 1)
    bounds = [0, *ends[ends < daily_rate.size].tolist(), daily_rate.size]
    return [range(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _simulate_in_day_batches(world: World, firm: Firm, streams: Streams) -> Ledger:
    """The same replication without a day-by-day schedule: several days' orders at a time.

    When nothing happens at the end of a day (orders judged the moment they ship, no customers
    to update, a strategy that learns nothing and quotes each order on its own), days are
    independent but for the FIFO queue, which carries over exactly. Each day's orders are
    drawn in the same order from the same streams, so the numbers are those of the daily
    schedule (pick times and carrier luck, one draw per order, come from one call a batch:
    the same numbers as one call a day); the per-day cost of a small world is paid once a
    batch. The ledger's totals are summed over groups of :data:`ORDERS_PER_SUM` orders.
    """
    demand_rng, warehouse_rng, carrier_rng = (
        streams("demand"), streams("warehouse"), streams("carrier"))
    handling_rng = world.handling_stream(streams)
    nobody = np.empty(0, dtype=np.int64)  # no order has a customer: one block of -1, read only
    rates = world.demand.daily_rate[: world.days]
    for group in day_batches(rates, ORDERS_PER_SUM):
        firm.ledger.hold_totals()
        for part in day_batches(rates[group.start:group.stop], ORDERS_PER_BATCH):
            days = range(group.start + part.start, group.start + part.stop)
            arrival = world.demand.arrivals_of_days(days, demand_rng)
            work = world.draw_work(arrival.size, warehouse_rng, carrier_rng, handling_rng)
            draws = DayDraws(arrival, work.pick_hours, work.luck, work.handling)
            if draws.arrival.size == 0:
                continue
            start, finish, backlog = firm.serve(draws.arrival, draws.pick_hours)
            if nobody.size < arrival.size:
                nobody = np.full(arrival.size + arrival.size // 8, -1, dtype=np.int64)
                nobody.flags.writeable = False
            customer = nobody[: arrival.size]
            quote = firm.quote(draws.arrival, backlog, customer)
            firm.ship(draws, customer, quote, start, finish, backlog)
        firm.ledger.release_totals()
    return firm.ledger
