"""One replication of a market: the firm and its competitors in the same world, prospects choosing.

Each firm posts a quote from its own backlog, refreshed every ``refresh_hours`` (once a day
when no firm's strategy reads the backlog: the same quotes, made faster); a prospect
compares the posted quotes (promised business days, price, reputation, and loyalty to the
firm they last bought from) and buys from one firm or none, by a multinomial logit. Every
prospect's luck (pick time, carrier luck, choice draw) is drawn before the choice, so the
same prospects meet every strategy of the firm (common random numbers) and market share
emerges from the strategies. Each firm has its own warehouse queue, parcels, ledger and
reputation; they share the calendar, the carrier and the disruptions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import cast

import numpy as np

from sim.model.customer_store import CustomerBase
from sim.model.promise import PromiseStrategy, Quote, strategy_from_spec, uses_backlog
from sim.world.build import DayDraws, MarketSetup, Streams, World
from sim.world.day_loop import fits_compiled_days, run_compiled_days
from sim.world.days import DayStreams, day_orders, run_days, set_up
from sim.world.firm import Firm
from sim.world.ledger import Ledger
from sim.world.processes import Process
from sim.world.records import RecordSink

__all__ = ["simulate_market"]


def simulate_market(
    world: World,
    strategy: PromiseStrategy,
    streams: Streams,
    *,
    name: str = "strategy",
    records: RecordSink | None = None,
    processes: Sequence[Process] = (),
    replication: int = 0,
) -> Ledger:
    """Run the firm under ``strategy`` against the world's competitors; the firm's ledger.

    ``records`` collects the firm's own orders; ``processes`` run beside the market's days
    (:mod:`sim.world.processes`: a disruption hits every firm, demand scales the prospects).
    """
    market = world.market
    if market is None:
        raise ValueError("the world has no market")
    setting = set_up(world, streams)
    customers, returning = setting.customers, setting.returning
    rivals = [strategy_from_spec(rival.strategy, world.carrier) for rival in market.rivals]
    track = any(uses_backlog(s) for s in [strategy, *rivals])
    firms = [Firm(world, strategy, setting.schedule, name=name, index=0,
                  price=world.economics.price, customers=customers, returning=returning,
                  records=records, track_backlog=track or records is not None,
                  day_by_day=bool(processes))]
    for index, (rival, rule) in enumerate(zip(market.rivals, rivals), start=1):
        firms.append(Firm(world, rule, setting.schedule, name=rival.name, index=index,
                          price=rival.price, shifts=rival.shifts, customers=customers,
                          returning=returning, track_backlog=track,
                          day_by_day=bool(processes)))
    if fits_compiled_days(world, firms, streams, day_by_day=bool(processes)):
        run_compiled_days(world, firms, setting, streams)
        return firms[0].ledger
    choice_rng = streams("market")

    def take_orders(day: int, rngs: DayStreams, scale: float) -> None:
        orders = day_orders(world, setting, day, rngs, scale=scale)
        draws, customer = orders.draws, orders.customer
        if draws.arrival.size == 0:
            return
        pick = _sell(world, firms, day, draws, customer, choice_rng.random(draws.arrival.size))
        _book_sales(world, firms[0].ledger, customers, draws.arrival, customer, pick)

    run_days(world, firms, streams, take_orders, processes=processes,
             replication=replication)
    return firms[0].ledger


def _take_quote(quote: Quote, index: np.ndarray) -> Quote:
    """The quote of the orders at positions ``index``."""
    return Quote(quote.earliest[index], quote.latest[index], quote.service[index])


def _sell(
    world: World,
    firms: list[Firm],
    day: int,
    draws: DayDraws,
    customer: np.ndarray,
    u: np.ndarray,
) -> np.ndarray:
    """Let the day's prospects choose between the firms' posted quotes; ship what each sold.

    Returns each prospect's choice: 0 for none, ``1 + firm index`` otherwise.
    """
    market = cast(MarketSetup, world.market)  # a world with a market sells here
    choice = market.choice
    clock = world.calendar.to_business
    customers = firms[0].customers
    prices = np.array([f.price for f in firms])
    pick = np.zeros(draws.arrival.size, dtype=np.int64)
    sold: list[list[tuple]] = [[] for _ in firms]
    refresh = market.refresh_hours if any(uses_backlog(f.strategy) for f in firms) else 24.0
    slot = np.floor((draws.arrival - day * 24.0) / refresh).astype(np.int64)
    edges = [0, *(np.flatnonzero(np.diff(slot)) + 1).tolist(), slot.size]
    for a, b in itertools.pairwise(edges):
        posted = day * 24.0 + slot[a] * refresh
        arrival, who = draws.arrival[a:b], customer[a:b]
        days = np.empty((b - a, len(firms)))
        quotes: list[Quote] = []
        for f, firm in enumerate(firms):
            quote = firm.quote(arrival, np.full(b - a, float(firm.backlog_at(posted))), who)
            quotes.append(quote)
            reference = world.satisfaction.expectation(quote.earliest, quote.latest)
            days[:, f] = clock(reference) - clock(arrival)
        reputation = np.array([f.reputation.score for f in firms])
        bonus = None
        if customers is not None:
            known = who >= 0
            current = np.where(known, customers.firm[np.where(known, who, 0)], -1)
            bonus = choice.loyalty_bonus(current, customers.memory[np.where(known, who, 0)],
                                         len(firms))
        chosen = choice.choose(
            choice.probabilities(days, price=prices, reputation=reputation, bonus=bonus),
            u[a:b],
        )
        pick[a:b] = chosen
        for f, firm in enumerate(firms):
            mine = np.flatnonzero(chosen == f + 1)
            if mine.size == 0:
                continue
            index = a + mine
            served = firm.serve(draws.arrival[index], draws.pick_hours[index])
            sold[f].append((index, _take_quote(quotes[f], mine), *served))
    for firm, sales in zip(firms, sold):
        if not sales:
            continue
        index = np.concatenate([s[0] for s in sales])
        quote = Quote(*(np.concatenate([getattr(s[1], k) for s in sales])
                        for k in ("earliest", "latest", "service")))
        start, finish, backlog = (np.concatenate([s[k] for s in sales]) for k in (2, 3, 4))
        who = customer[index]
        if customers is not None:
            known = who >= 0
            if firm.index == 0:
                fresh = known & (customers.firm[np.where(known, who, 0)] != 0)
                measured = draws.arrival[index] >= world.warmup_days * 24.0
                firm.ledger.new_customers += int(np.count_nonzero(fresh & measured))
            customers.join(who[known], firm.index)
        firm.ship(draws.take(index), who, quote, start, finish, backlog)
    return pick


def _book_sales(
    world: World,
    ledger: Ledger,
    customers: CustomerBase | None,
    arrival: np.ndarray,
    customer: np.ndarray,
    pick: np.ndarray,
) -> None:
    """Book the firm's sales against the market's; prospects who bought nothing are lost."""
    if customers is not None:
        lost = customer[(pick == 0) & (customer >= 0)]
        customers.active[lost] = False
    measured = arrival >= world.warmup_days * 24.0
    if not measured.any():
        return
    week = np.floor(arrival[measured] / (7 * 24.0)).astype(np.int64)
    ledger.book_sales(week, won=pick[measured] == 1, bought=pick[measured] > 0)
