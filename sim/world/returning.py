"""Customers coming and coming back: new ones added, those due merged into the day's orders,
those just judged filed under the day of their next purchase.

A customer has one thing outstanding at a time (a purchase to come or a parcel in flight), so
each day's returning orders are those filed under that day, in the order they were filed.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.model.customers import CustomerBase
from sim.world.build import DayDraws, World
from sim.world.ordering import stable_order

__all__ = ["add_customers", "expected_customers", "merge_returning", "schedule_returning"]


def expected_customers(world: World) -> int:
    """Room to reserve for the customers of a replication: half again the expected prospects
    (word of mouth moves the rate; more grow the arrays, fewer cost nothing)."""
    return int(1.5 * world.demand.daily_rate[: world.days].sum()) + 1024


def add_customers(
    customers: CustomerBase, n: int, segments: np.random.Generator | None
) -> np.ndarray:
    """Ids of ``n`` new customers, a share of them in the negotiating segment."""
    share = customers.behaviour.pushback_share
    business = None
    if share > 0 and segments is not None:
        business = segments.random(n) < share
    return customers.add(n, business=business)


@numba.njit(cache=True)
def _merge(arrival, pick_hours, luck, ids, when, back_pick, back_luck, back, back_order,
           out_arrival, out_pick, out_luck, out_ids):
    """Merge the day's sorted new orders with returning ones (in ``back_order``, their stable
    order of time), a new order first on a tie; False, writing nothing, if ``arrival`` is not
    sorted."""
    n, m = arrival.size, when.size
    for i in range(1, n):
        if arrival[i] < arrival[i - 1]:
            return False
    i = j = 0
    for k in range(n + m):
        if j == m or (i < n and arrival[i] <= when[back_order[j]]):
            out_arrival[k], out_pick[k], out_luck[k], out_ids[k] = (
                arrival[i], pick_hours[i], luck[i], ids[i])
            i += 1
        else:
            b = back_order[j]
            out_arrival[k], out_pick[k], out_luck[k], out_ids[k] = (
                when[b], back_pick[b], back_luck[b], back[b])
            j += 1
    return True


def merge_returning(
    world: World,
    draws: DayDraws,
    new: np.ndarray,
    customers: CustomerBase,
    due: list[np.ndarray],
    warehouse_rng: np.random.Generator,
    carrier_rng: np.random.Generator,
) -> tuple[DayDraws, np.ndarray]:
    """The day's first orders of new customers ``new`` merged with those of returning ones.

    Orders come in order of time, a new customer's first on a tie; customers due who have left
    since are dropped.
    """
    back = np.concatenate(due) if due else np.empty(0, dtype=np.int64)
    back, when = customers.still_active(back)
    if back.size == 0:
        return draws, new
    extra = world.draw_work(back.size, warehouse_rng, carrier_rng)
    size = draws.arrival.size + back.size
    merged = DayDraws(np.empty(size), np.empty(size), np.empty(size))
    ids = np.empty(size, dtype=np.int64)
    if _merge(draws.arrival, draws.pick_hours, draws.luck, new, when, extra.pick_hours,
              extra.luck, back, stable_order(when), merged.arrival, merged.pick_hours,
              merged.luck, ids):
        return merged, ids
    arrival = np.concatenate([draws.arrival, when])
    order = np.argsort(arrival, kind="stable")
    merged = DayDraws(
        arrival[order],
        np.concatenate([draws.pick_hours, extra.pick_hours])[order],
        np.concatenate([draws.luck, extra.luck])[order],
    )
    return merged, np.concatenate([new, back])[order]


@numba.njit(cache=True)
def _file(ids, when, horizon, days):
    """Customers of ``ids`` (in order) who will buy before ``horizon``, grouped by the day
    they will: the ids, the days and where each day's ids start (a purchase before the first
    day is never taken either)."""
    keep = np.empty(ids.size, dtype=np.int64)
    day = np.empty(ids.size, dtype=np.int64)
    count = np.zeros(days + 1, dtype=np.int64)
    n = 0
    for j in range(ids.size):
        if ids[j] >= 0 and 0.0 <= when[j] < horizon:  # not inf, not never
            keep[n] = ids[j]
            day[n] = math.floor(when[j] / 24.0)
            count[day[n] + 1] += 1
            n += 1
    for d in range(days):
        count[d + 1] += count[d]
    used = np.flatnonzero(count[1:] > count[:-1])
    starts = np.empty(used.size + 1, dtype=np.int64)
    starts[:-1] = count[used]
    starts[-1] = n
    filed = np.empty(n, dtype=np.int64)
    for j in range(n):
        filed[count[day[j]]] = keep[j]
        count[day[j]] += 1
    return filed, used, starts


def schedule_returning(
    customers: CustomerBase, ids: np.ndarray, returning: dict[int, list[np.ndarray]], days: int
) -> None:
    """File customers who will buy again under the day of their next purchase."""
    ids = np.asarray(ids, dtype=np.int64)
    when = customers.next_purchases(np.where(ids >= 0, ids, 0))
    filed, due, starts = _file(ids, when, days * 24.0, days)
    for d, a, b in zip(due.tolist(), starts[:-1].tolist(), starts[1:].tolist()):
        returning[d].append(filed[a:b])
