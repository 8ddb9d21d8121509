"""Constant-memory bookkeeping of delivered orders: sums and fixed-bin histograms.

Memory does not grow with the number of orders; percentiles come from histograms whose bin
width (one hour of a business day) bounds their error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numba
import numpy as np

from sim.model.stars import StarScale
from sim.scenario.metrics import DESCRIPTIONS

__all__ = ["METRICS", "SATISFACTION_BINS", "WEEKLY", "Ledger"]

DAY_BINS_LOW, DAY_BINS_HIGH = 0.0, 120.0
SATISFACTION_LOW, SATISFACTION_HIGH = -15.0, 5.0
#: Histogram of lateness, earliness and lead time: 1/24 day bins up to 120 days.
DAY_BINS = np.linspace(DAY_BINS_LOW, DAY_BINS_HIGH, 120 * 24 + 1)
#: Histogram of satisfaction, for plots of its distribution.
SATISFACTION_BINS = np.linspace(SATISFACTION_LOW, SATISFACTION_HIGH, 401)

#: Per-replication metrics, in the order tables show them, with their meaning.
METRICS: dict[str, str] = DESCRIPTIONS


#: Weekly series per strategy and replication, with their meaning.
WEEKLY: dict[str, str] = {
    "orders": "measured orders delivered that week",
    "satisfaction_mean": "mean satisfaction of those orders",
    "expected_lead_mean": "mean lead time customers expected, business days",
    "actual_lead_mean": "mean lead time delivered, business days",
    "promise_kept": "share of those orders delivered by the end of the promise",
    "revenue": "revenue of those orders",
    "profit": "profit of those orders",
    "trust_mean": "mean trust of active customers at the week's end",
    "reputation": "reputation score at the week's end",
    "active_customers": "customers who have not left, at the week's end",
    "market_share": "share of the market's sales placed that week the firm won",
}

class Books(NamedTuple):
    """What a compiled booking adds each order to: the histograms of lateness, earliness, lead
    time and satisfaction, and the weekly sums (a row each of the booked series).
    """

    lateness_hist: np.ndarray
    earliness_hist: np.ndarray
    lead_time_hist: np.ndarray
    satisfaction_hist: np.ndarray
    weekly: np.ndarray


_BOOKED = ("orders", "satisfaction", "expected_lead", "actual_lead", "kept", "revenue", "profit")
_SUMMED = (*_BOOKED, "won", "bought")
_SNAPSHOT = ("trust_mean", "reputation", "active_customers")


class WeeklySeries:
    """Per-week sums of delivered orders and end-of-week snapshots of the customer base."""

    def __init__(self, weeks: int) -> None:
        self.block = np.zeros((len(_SUMMED), weeks))
        self.sums = {name: self.block[i] for i, name in enumerate(_SUMMED)}
        self.snapshots = {name: np.full(weeks, np.nan) for name in _SNAPSHOT}

    def add_sales(self, week: np.ndarray, *, won: np.ndarray, bought: np.ndarray) -> None:
        """Add the market's sales placed in ``week``: whether the firm won each, whether any did."""
        weeks = self.sums["won"].size
        week = np.minimum(week, weeks - 1)
        self.sums["won"] += np.bincount(week, weights=won, minlength=weeks)
        self.sums["bought"] += np.bincount(week, weights=bought, minlength=weeks)

    def snapshot(self, week: int, **values: float) -> None:
        """Record the state of the customer base at the end of ``week``."""
        if week < self.sums["orders"].size:
            for name, value in values.items():
                self.snapshots[name][week] = value

    def table(self, first_week: int, last_week: int) -> dict[str, np.ndarray]:
        """The series of :data:`WEEKLY` for weeks ``first_week`` to ``last_week`` (excluded)."""
        orders = self.sums["orders"]
        last = max(first_week, min(last_week, orders.size))
        n = np.where(orders > 0, orders, np.nan)[first_week:last]
        cut = {k: v[first_week:last] for k, v in self.sums.items()}
        return {
            "week": np.arange(first_week, last),
            "orders": cut["orders"],
            "satisfaction_mean": cut["satisfaction"] / n,
            "expected_lead_mean": cut["expected_lead"] / n,
            "actual_lead_mean": cut["actual_lead"] / n,
            "promise_kept": cut["kept"] / n,
            "revenue": cut["revenue"],
            "profit": cut["profit"],
            **{k: v[first_week:last] for k, v in self.snapshots.items()},
            "market_share": cut["won"] / np.where(cut["bought"] > 0, cut["bought"], np.nan),
        }


@numba.njit(cache=True)
def _book(measured, lateness, early, satisfaction, lead_time, expected_lead, actual_lead,
          shipping, revenue, profit, week, delight_days, books):
    """Add the measured orders to the histograms and weekly sums; return their totals."""
    totals = np.zeros(TOTALS)
    for i in range(measured.size):
        if measured[i]:
            book_order(lateness[i], early[i], satisfaction[i], lead_time[i], expected_lead[i],
                       actual_lead[i], shipping[i], revenue[i], profit[i], week[i],
                       delight_days, books, totals)
    return totals


@numba.njit(cache=True, inline="always")
def order_profit(margin, shipping, lateness, quoted_days, late_credit, late_cost_per_day,
                 promise_cost_per_day):
    """Profit of one order: its margin less shipping, lateness costs and the cost of its quote.

    ``lateness`` is business days after the promise (kept when <= 0), ``quoted_days`` business
    days from the order to the end of the promise.
    """
    late = 1.0 if lateness > 0.0 else 0.0
    return (margin - shipping - late_credit * late - late_cost_per_day * late * lateness
            - promise_cost_per_day * quoted_days)


@numba.njit(cache=True)
def order_profits(margin, shipping, lateness, quoted_days, late_credit, late_cost_per_day,
                  promise_cost_per_day):
    """:func:`order_profit` of every order of a batch (``margin`` and ``shipping`` per order)."""
    out = np.empty(lateness.size)
    for i in range(lateness.size):
        out[i] = order_profit(margin[i], shipping[i], lateness[i], quoted_days[i], late_credit,
                              late_cost_per_day, promise_cost_per_day)
    return out


#: Totals a booking returns: orders, kept, delighted, disappointed, then the sums of lateness,
#: earliness, lead time, satisfaction, shipping cost, revenue and profit.
TOTALS = 11


@numba.njit(cache=True, inline="always")
def book_order(lateness, early, s, lead_time, expected_lead, actual_lead, shipping, revenue,
               profit, week, delight_days, books, totals):
    """Add one measured order to the :class:`Books` ``books`` and to ``totals``."""
    late = max(lateness, 0.0)
    ahead = max(-lateness, 0.0)
    kept = 1.0 if lateness <= 0.0 else 0.0
    totals[0] += 1.0
    totals[1] += kept
    totals[2] += 1.0 if early >= delight_days else 0.0
    totals[3] += 1.0 if s < 0.0 else 0.0
    totals[4] += late
    totals[5] += ahead
    totals[6] += lead_time
    totals[7] += s
    totals[8] += shipping
    totals[9] += revenue
    totals[10] += profit
    day_bins = books.lateness_hist.size
    day_scale = day_bins / (DAY_BINS_HIGH - DAY_BINS_LOW)
    books.lateness_hist[_bin(late, DAY_BINS_LOW, day_scale, day_bins)] += 1.0
    books.earliness_hist[_bin(ahead, DAY_BINS_LOW, day_scale, day_bins)] += 1.0
    books.lead_time_hist[_bin(lead_time, DAY_BINS_LOW, day_scale, day_bins)] += 1.0
    sat_bins = books.satisfaction_hist.size
    sat_scale = sat_bins / (SATISFACTION_HIGH - SATISFACTION_LOW)
    books.satisfaction_hist[_bin(s, SATISFACTION_LOW, sat_scale, sat_bins)] += 1.0
    weekly = books.weekly
    w = min(week, weekly.shape[1] - 1)
    weekly[0, w] += 1.0
    weekly[1, w] += s
    weekly[2, w] += expected_lead
    weekly[3, w] += actual_lead
    weekly[4, w] += kept
    weekly[5, w] += revenue
    weekly[6, w] += profit


@numba.njit(cache=True, inline="always")
def _bin(value, low, scale, bins):
    index = int((value - low) * scale) if value > low else 0
    return min(max(index, 0), bins - 1)


def _histogram_quantile(counts: np.ndarray, edges: np.ndarray, q: float) -> float:
    total = counts.sum()
    if total == 0:
        return float("nan")
    cumulative = np.cumsum(counts)
    index = int(np.searchsorted(cumulative, q * total, side="left"))
    if index >= edges.size - 1:
        return float(edges[-1])
    below = cumulative[index - 1] if index else 0
    inside = counts[index]
    fraction = (q * total - below) / inside if inside else 0.0
    return float(edges[index] + fraction * (edges[index + 1] - edges[index]))


@dataclass
class Ledger:
    """Running totals of one strategy in one replication."""

    orders: int = 0
    kept: int = 0
    delighted: int = 0
    disappointed: int = 0
    lateness_sum: float = 0.0
    earliness_sum: float = 0.0
    lead_time_sum: float = 0.0
    satisfaction_sum: float = 0.0
    shipping_cost_sum: float = 0.0
    revenue_sum: float = 0.0
    profit_sum: float = 0.0
    new_customers: int = 0
    prospects: int = 0
    won: int = 0
    bought: int = 0
    weekly: WeeklySeries = field(default_factory=lambda: WeeklySeries(1))
    lateness_hist: np.ndarray = field(default_factory=lambda: np.zeros(DAY_BINS.size - 1))
    earliness_hist: np.ndarray = field(default_factory=lambda: np.zeros(DAY_BINS.size - 1))
    lead_time_hist: np.ndarray = field(default_factory=lambda: np.zeros(DAY_BINS.size - 1))
    satisfaction_hist: np.ndarray = field(
        default_factory=lambda: np.zeros(SATISFACTION_BINS.size - 1)
    )
    _held: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def book(
        self,
        *,
        measured: np.ndarray,
        lateness: np.ndarray,
        early: np.ndarray,
        satisfaction: np.ndarray,
        lead_time: np.ndarray,
        expected_lead: np.ndarray,
        actual_lead: np.ndarray,
        shipping_cost: np.ndarray,
        revenue: np.ndarray,
        profit: np.ndarray,
        week: np.ndarray,
        delight_days: float,
    ) -> None:
        """Add the ``measured`` of a batch of delivered orders, in one compiled pass.

        Lateness and earliness against the promise, and the lead times, are in business days
        (``lead_time`` in calendar days); ``early`` is business days before the expectation,
        and an order at least ``delight_days`` early is delighted; ``week`` is the week each
        order was delivered in.
        """
        totals = _book(
            measured, lateness, early, satisfaction, lead_time, expected_lead, actual_lead,
            shipping_cost, revenue, profit, week, delight_days, self.books,
        )
        self.add_totals(totals)

    @property
    def books(self) -> Books:
        """The histograms and weekly sums a compiled booking adds to."""
        return Books(self.lateness_hist, self.earliness_hist, self.lead_time_hist,
                     self.satisfaction_hist, self.weekly.block[: len(_BOOKED)])

    def hold_totals(self) -> None:
        """Let the compiled bookings that follow add their totals to one running sum, added to
        the ledger at :meth:`release_totals`: the sums are then the same however those bookings
        were split into calls.
        """
        self._held = np.zeros(TOTALS)

    def release_totals(self) -> None:
        """Add the totals held since :meth:`hold_totals` and stop holding them."""
        held, self._held = self._held, None
        if held is not None:
            self.add_totals(held)

    def booking_totals(self) -> np.ndarray:
        """Where a compiled booking adds its :data:`TOTALS`: the running sum while they are held
        (see :meth:`hold_totals`), else fresh zeros, for :meth:`add_totals` after the booking.
        """
        return np.zeros(TOTALS) if self._held is None else self._held

    @property
    def holds_totals(self) -> bool:
        """Whether compiled bookings add to held totals (:meth:`hold_totals`) for now."""
        return self._held is not None

    def add_totals(self, totals: np.ndarray) -> None:
        """Add the :data:`TOTALS` a compiled booking returned."""
        n, kept, delighted, disappointed = (int(x) for x in totals[:4])
        self.orders += n
        self.kept += kept
        self.delighted += delighted
        self.disappointed += disappointed
        self.lateness_sum += totals[4]
        self.earliness_sum += totals[5]
        self.lead_time_sum += totals[6]
        self.satisfaction_sum += totals[7]
        self.shipping_cost_sum += totals[8]
        self.revenue_sum += totals[9]
        self.profit_sum += totals[10]

    def book_sales(self, week: np.ndarray, *, won: np.ndarray, bought: np.ndarray) -> None:
        """Book measured prospects placed in ``week``: whether the firm won each, any firm did."""
        self.prospects += won.size
        self.won += int(np.count_nonzero(won))
        self.bought += int(np.count_nonzero(bought))
        self.weekly.add_sales(week, won=won, bought=bought)

    def metrics(self, *, stars: StarScale | None = None) -> dict[str, float]:
        """The per-replication metrics of :data:`METRICS`; ``expected_stars`` by the reading
        ``stars`` of the satisfaction histogram (nan without one), see
        :meth:`StarScale.histogram_mean` for its bound.
        """
        n = self.orders
        share = (lambda x: x / n) if n else (lambda x: float("nan"))
        return {
            "orders": float(n),
            "promise_kept": share(self.kept),
            "lateness_mean": share(self.lateness_sum),
            "lateness_p95": _histogram_quantile(self.lateness_hist, DAY_BINS, 0.95),
            "earliness_mean": share(self.earliness_sum),
            "earliness_p95": _histogram_quantile(self.earliness_hist, DAY_BINS, 0.95),
            "lead_time_mean": share(self.lead_time_sum),
            "lead_time_p95": _histogram_quantile(self.lead_time_hist, DAY_BINS, 0.95),
            "satisfaction_mean": share(self.satisfaction_sum),
            "expected_stars": (float("nan") if stars is None
                               else stars.histogram_mean(self.satisfaction_hist,
                                                         SATISFACTION_BINS)),
            "delighted_share": share(self.delighted),
            "disappointed_share": share(self.disappointed),
            "shipping_cost_per_order": share(self.shipping_cost_sum),
            "revenue_per_order": share(self.revenue_sum),
            "profit_per_order": share(self.profit_sum),
            "profit_total": self.profit_sum,
            "new_customers": float(self.new_customers),
            "lifetime_value": (
                self.profit_sum / self.new_customers if self.new_customers else float("nan")
            ),
            "market_share": self.won / self.bought if self.bought else float("nan"),
            "conversion": self.won / self.prospects if self.prospects else float("nan"),
        }
