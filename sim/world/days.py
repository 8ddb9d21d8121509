"""The days of a replication as SimPy schedules them, for one firm or a market of them.

What every replication starts from (its disruptions, its customers and those who will come
back), the day's orders (new customers' and returning ones', in order of time), and the two
processes: at the start of each day the day's orders are taken, at its end each firm judges
the day's deliveries, until nothing is left to order or deliver.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import simpy

from sim.model.customer_store import CustomerBase
from sim.model.disruptions import DisruptionSchedule
from sim.model.seeding import NamedStreams
from sim.world.build import DayDraws, Streams, World
from sim.world.firm import Firm
from sim.world.processes import Process, Replication
from sim.world.returning import Returning, add_customers, expected_customers, merge_returning

__all__ = ["DayOrders", "DayStreams", "Setting", "customer_luck", "day_orders", "run_days",
           "set_up"]


@dataclass(frozen=True, slots=True, eq=False)
class Setting:
    """What a replication starts from: its disruptions and, when customers remember, the
    customer base, the customers who will come back, and the stream that puts new customers
    in the negotiating segment.
    """

    schedule: DisruptionSchedule
    customers: CustomerBase | None
    returning: Returning | None
    segments: np.random.Generator | None


def set_up(world: World, streams: Streams) -> Setting:
    """The setting of the replication that draws from ``streams``."""
    schedule = world.draw_disruptions(streams("disruptions"))
    if world.behaviour is None:
        return Setting(schedule, None, None, None)
    customers = CustomerBase(world.behaviour, capacity=expected_customers(world))
    return Setting(schedule, customers, Returning(world.days, capacity=customers.capacity),
                   streams("segments"))


class DayStreams(NamedTuple):
    """The streams the days' orders draw from: arrivals, pick times, carrier luck and, in a
    world with a handling stage, handling (None without one).
    """

    demand: np.random.Generator
    warehouse: np.random.Generator
    carrier: np.random.Generator
    handling: np.random.Generator | None = None


class DayOrders(NamedTuple):
    """A day's orders in order of time: their draws, their customers (-1: nobody remembered),
    what those believe as they order (None: nothing remembered), and how many new customers
    joined the customer base (0 when customers are not remembered).
    """

    draws: DayDraws
    customer: np.ndarray
    beliefs: tuple[np.ndarray, np.ndarray] | None
    new: int


def day_orders(
    world: World,
    setting: Setting,
    day: int,
    rngs: DayStreams,
    *,
    scale: float = 1.0,
    firm: int = -1,
) -> DayOrders:
    """The orders of ``day`` (new ones at the rate times ``scale``), merged with those of
    customers coming back; new customers buy from ``firm`` (-1: not yet chosen).
    """
    draws = world.draw_day(day, rngs.demand, rngs.warehouse, rngs.carrier, rngs.handling,
                           scale=scale)
    n = draws.arrival.size
    customers, returning = setting.customers, setting.returning
    if customers is None or returning is None:
        return DayOrders(draws, np.full(n, -1, dtype=np.int64), None, 0)
    new = add_customers(customers, n, setting.segments, firm=firm)
    draws, customer, beliefs = merge_returning(world, draws, new, customers, returning, day,
                                               rngs.warehouse, rngs.carrier, rngs.handling)
    return DayOrders(draws, customer, beliefs, n)


def customer_luck(streams: Streams, name: str) -> Callable[[int], np.ndarray]:
    """Three uniforms per delivered parcel for the customers' update, from stream ``name``
    (drawn in compiled code from named streams, without making the day's generator).
    """
    if isinstance(streams, NamedStreams):
        return lambda n: streams.uniforms(name, n, 3)
    return lambda n: streams(name).random((n, 3))


def run_days(
    world: World,
    firms: Sequence[Firm],
    streams: Streams,
    take_orders: Callable[[int, DayStreams, float], None],
    *,
    processes: Sequence[Process] = (),
    replication: int = 0,
) -> None:
    """Run the replication: ``take_orders(day, rngs, scale)`` at the start of each day, each
    firm's deliveries judged at its end (the first firm's customer base recorded weekly), until
    the horizon's orders are all delivered.

    ``processes`` run beside these two (:mod:`sim.world.processes`); ``scale`` is the factor
    they set on the day's demand (1 without them).
    """
    env = simpy.Environment()
    ordering = [True]
    surface = None
    if processes:
        surface = Replication(env, calendar=world.calendar, days=world.days, index=replication,
                              strategy=firms[0].name, firms=firms)
        for process in processes:
            env.process(process(env, surface))

    def order_days(rngs: DayStreams) -> Generator[simpy.Event, Any, None]:
        for day in range(world.days):
            yield env.timeout(day * 24.0 - env.now)
            if surface is None:
                take_orders(day, rngs, 1.0)
                continue
            yield surface.begin_day(day)
            take_orders(day, rngs, surface.demand_scale(day))
            surface.taken(day)
        ordering[0] = False

    def delivery_days() -> Generator[simpy.Event, Any, None]:
        day = 0
        while ordering[0] or any(firm.in_flight for firm in firms):
            yield env.timeout((day + 1) * 24.0 - env.now)
            judged = [firm.close_day(day, customer_luck(streams, _luck_stream(firm, day)))
                      for firm in firms]
            firms[0].snapshot(day)
            if surface is not None:
                surface.end_day(day, judged[0])
            day += 1

    env.process(order_days(DayStreams(streams("demand"), streams("warehouse"),
                                      streams("carrier"), world.handling_stream(streams))))
    done = env.process(delivery_days())
    env.run(until=done if surface is not None else None)


def _luck_stream(firm: Firm, day: int) -> str:
    """The stream of the customers' luck on ``day``: the firm's own, but for the first firm's."""
    return f"customers:{day}" if firm.index == 0 else f"customers:{firm.name}:{day}"
