"""Constant-memory bookkeeping of delivered orders: sums and fixed-bin histograms.

Memory does not grow with the number of orders; percentiles come from histograms whose bin
width (one hour of a business day) bounds their error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["METRICS", "SATISFACTION_BINS", "Ledger"]

#: Histogram of lateness, earliness and lead time: 1/24 day bins up to 120 days.
DAY_BINS = np.linspace(0.0, 120.0, 120 * 24 + 1)
#: Histogram of satisfaction, for plots of its distribution.
SATISFACTION_BINS = np.linspace(-15.0, 5.0, 401)

#: Per-replication metrics, in the order tables show them, with their meaning.
METRICS: dict[str, str] = {
    "orders": "orders measured (placed after the warm-up)",
    "promise_kept": "share delivered by the end of the promised window",
    "lateness_mean": "mean business days after the promise (0 when kept)",
    "lateness_p95": "95th percentile of lateness, business days",
    "earliness_mean": "mean business days before the promise (0 when late)",
    "earliness_p95": "95th percentile of earliness, business days",
    "lead_time_mean": "mean calendar days from order to delivery",
    "lead_time_p95": "95th percentile of lead time, calendar days",
    "satisfaction_mean": "mean satisfaction (expectation-disconfirmation)",
    "delighted_share": "share delivered well before the expectation",
    "disappointed_share": "share delivered after the expectation",
    "shipping_cost_per_order": "mean shipping cost per order",
    "revenue_per_order": "mean revenue per order",
    "profit_per_order": "mean profit per order: margin less shipping and late credits",
    "profit_total": "profit of all measured orders",
    "new_customers": "customers acquired after the warm-up (with customer memory on; in a "
                     "market, first purchases from the firm, won back from a rival included)",
    "lifetime_value": "profit per customer acquired: profit_total / new_customers",
    "market_share": "share of the market's sales the firm won (with a market)",
    "conversion": "share of the market's prospects who bought from the firm (with a market)",
}


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

_SUMMED = ("orders", "satisfaction", "expected_lead", "actual_lead", "kept", "revenue", "profit",
           "won", "bought")
_SNAPSHOT = ("trust_mean", "reputation", "active_customers")


class WeeklySeries:
    """Per-week sums of delivered orders and end-of-week snapshots of the customer base."""

    def __init__(self, weeks: int) -> None:
        self.sums = {name: np.zeros(weeks) for name in _SUMMED}
        self.snapshots = {name: np.full(weeks, np.nan) for name in _SNAPSHOT}

    def add(self, week: np.ndarray, **values: np.ndarray) -> None:
        """Add orders delivered in ``week`` (one entry per order) to the sums."""
        weeks = self.sums["orders"].size
        week = np.minimum(week, weeks - 1)
        self.sums["orders"] += np.bincount(week, minlength=weeks)
        for name, value in values.items():
            self.sums[name] += np.bincount(week, weights=value, minlength=weeks)

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


def _bincount(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin of equal-width ``edges``; values outside go to the end bins."""
    bins = edges.size - 1
    scaled = (values - edges[0]) * (bins / (edges[-1] - edges[0]))
    index = np.clip(scaled, 0, bins - 1).astype(np.int64)
    return np.bincount(index, minlength=bins)


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

    def record(
        self,
        *,
        lateness: np.ndarray,
        lead_time: np.ndarray,
        satisfaction: np.ndarray,
        delighted: np.ndarray,
        shipping_cost: np.ndarray,
        revenue: np.ndarray,
        profit: np.ndarray,
    ) -> None:
        """Add delivered orders: lateness in business days (negative: early), lead time in days."""
        late = np.maximum(lateness, 0.0)
        early = np.maximum(-lateness, 0.0)
        self.orders += lateness.size
        self.kept += int(np.count_nonzero(lateness <= 0))
        self.delighted += int(np.count_nonzero(delighted))
        self.disappointed += int(np.count_nonzero(satisfaction < 0))
        self.lateness_sum += float(late.sum())
        self.earliness_sum += float(early.sum())
        self.lead_time_sum += float(lead_time.sum())
        self.satisfaction_sum += float(satisfaction.sum())
        self.shipping_cost_sum += float(shipping_cost.sum())
        self.revenue_sum += float(revenue.sum())
        self.profit_sum += float(profit.sum())
        self.lateness_hist += _bincount(late, DAY_BINS)
        self.earliness_hist += _bincount(early, DAY_BINS)
        self.lead_time_hist += _bincount(lead_time, DAY_BINS)
        self.satisfaction_hist += _bincount(satisfaction, SATISFACTION_BINS)

    def book_sales(self, week: np.ndarray, *, won: np.ndarray, bought: np.ndarray) -> None:
        """Book measured prospects placed in ``week``: whether the firm won each, any firm did."""
        self.prospects += won.size
        self.won += int(np.count_nonzero(won))
        self.bought += int(np.count_nonzero(bought))
        self.weekly.add_sales(week, won=won, bought=bought)

    def metrics(self) -> dict[str, float]:
        """The per-replication metrics of :data:`METRICS`."""
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
