"""Synthetic order histories with a known truth, to check that the estimators find it.

A :class:`SyntheticShop` holds every parameter; :meth:`SyntheticShop.generate` draws a history
from a seeded ``numpy.random.Generator``: orders over a period with a trend and weekday and
hour profiles, a gamma handling delay (or, with a :class:`TruckTruth`, one truck a day and a
known number of trucks waited), log-normal transit in business days on the carrier's clock (per
region, slowed in planted :class:`DisruptionTruth` periods), a promise of a fixed number of
business days (per region), ratings from a known ordered logit of days early and late with a
plateau, and customers who come back with a probability that depends on the lateness of their
last delivery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from sim.history.business_days import DeliveryDays
from sim.scenario.base import WEEKDAYS, clock_hours

__all__ = ["DisruptionTruth", "RatingTruth", "RegionTruth", "ReturnTruth", "SyntheticShop",
           "TruckTruth", "expected_shares"]

MON_FRI = DeliveryDays((True,) * 5 + (False, False))


@dataclass(frozen=True, slots=True)
class RegionTruth:
    """A destination region: its share of orders, log-normal transit (business days) and the
    business days its promise is padded to.
    """

    name: str
    share: float
    transit_median: float
    transit_sigma: float
    promise_days: int


@dataclass(frozen=True, slots=True)
class RatingTruth:
    """The ordered logit ratings are drawn from: latent ``early_slope * min(early, plateau)
    - late_slope * late ** late_curvature`` plus a logistic error, cut at ``thresholds``.
    """

    early_slope: float = 0.4
    late_slope: float = 1.0
    late_curvature: float = 1.0
    plateau: int = 3
    thresholds: tuple[float, ...] = (-2.5, -1.8, -1.0, 0.3)
    rated_share: float = 0.9

    def latent(self, early: np.ndarray, late: np.ndarray) -> np.ndarray:
        """The model's satisfaction in logit units for days early and days late."""
        return (self.early_slope * np.minimum(early, self.plateau)
                - self.late_slope * np.power(late, self.late_curvature))

    def rate(self, rng: np.random.Generator, early_days: np.ndarray) -> np.ndarray:
        """Star ratings of deliveries ``early_days`` business days early (negative: late);
        nan for the orders left unrated (the share ``1 - rated_share``).
        """
        latent = self.latent(np.maximum(early_days, 0), np.maximum(-early_days, 0))
        noisy = latent + rng.logistic(size=early_days.size)
        stars = 1.0 + (noisy[:, None] > np.asarray(self.thresholds)).sum(axis=1)
        return np.where(rng.random(early_days.size) < self.rated_share, stars, np.nan)


@dataclass(frozen=True, slots=True)
class ReturnTruth:
    """Customers come back within ``window_days`` of a delivery with probability
    ``expit(intercept + late_effect * late)`` (``late``: 1 when that delivery was late).
    """

    intercept: float = -1.0
    late_effect: float = -0.8
    window_days: float = 60.0


@dataclass(frozen=True, slots=True)
class TruckTruth:
    """One truck a day at ``cutoff`` on the ``pickup`` weekdays (the shop's holidays excepted):
    an order leaves ``k`` trucks after the first one at or after its order time, ``k = 0, 1, ...``
    drawn with probabilities ``shares``, and is scanned up to ``scan_minutes`` after it leaves.
    """

    cutoff: str = "16:00"
    pickup: tuple[str, ...] = WEEKDAYS[:5]
    shares: tuple[float, ...] = (0.55, 0.3, 0.1, 0.05)
    scan_minutes: float = 10.0

    def handover(self, rng: np.random.Generator, ordered: np.ndarray,
                 holidays: tuple[np.datetime64, ...]) -> np.ndarray:
        """Hand-over times of orders placed at ``ordered`` (``datetime64[ns]``)."""
        calendar = np.busdaycalendar(weekmask=[d in self.pickup for d in WEEKDAYS],
                                     holidays=np.array(holidays, dtype="datetime64[D]"))
        cutoff = np.timedelta64(round(clock_hours(self.cutoff) * 3.6e12), "ns")
        day = ordered.astype("datetime64[D]")
        missed = ordered > day + cutoff  # the day's truck (if any) has left
        first = np.busday_offset(day + missed, 0, roll="forward", busdaycal=calendar)
        shares = np.asarray(self.shares, dtype=float)
        k = rng.choice(shares.size, size=ordered.size, p=shares / shares.sum())
        truck = np.busday_offset(first, k, busdaycal=calendar).astype("datetime64[ns]") + cutoff
        scan = rng.random(ordered.size) * self.scan_minutes * 6e10
        return truck + scan.astype(np.int64).astype("timedelta64[ns]")


@dataclass(frozen=True, slots=True)
class DisruptionTruth:
    """A slow period: parcels handed over on the ``days`` dates from ``start`` spend
    ``transit_multiplier`` times their transit plus ``transit_delay_days`` business days.
    """

    start: dt.date
    days: int
    transit_multiplier: float = 2.0
    transit_delay_days: float = 0.0

    def during(self, handed: np.ndarray) -> np.ndarray:
        """Which hand-over times fall in the period."""
        first = np.datetime64(self.start, "D")
        day = handed.astype("datetime64[D]")
        return (day >= first) & (day < first + self.days)


@dataclass(frozen=True, slots=True)
class SyntheticShop:
    """Every parameter of a synthetic shop; the truth the estimators should recover."""

    orders_per_day: float = 100.0
    trend: float = 0.0
    weekday: tuple[float, ...] = (1.15, 1.1, 1.05, 1.0, 1.0, 0.8, 0.9)
    hours: tuple[float, ...] = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 8, 8, 8, 8, 8, 9, 10, 11,
                                10, 7, 4, 2)
    handling_shape: float = 2.0
    handling_mean_hours: float = 30.0
    regions: tuple[RegionTruth, ...] = (
        RegionTruth("north", 0.6, 3.0, 0.5, 6),
        RegionTruth("south", 0.4, 5.0, 0.4, 9),
    )
    rating: RatingTruth | None = field(default_factory=RatingTruth)
    returns: ReturnTruth | None = None
    delivery: DeliveryDays = MON_FRI
    truck: TruckTruth | None = None
    disruptions: tuple[DisruptionTruth, ...] = ()

    def day_rates(self, days: int) -> np.ndarray:
        """Expected first orders on days ``0 .. days-1`` before the weekday weights (which
        average 1, so ``trend`` is the slope of orders a day).
        """
        return np.array([self.orders_per_day + self.trend * d for d in range(days)])

    def generate(self, rng: np.random.Generator, *, start: dt.date = dt.date(2017, 1, 2),
                 days: int = 364) -> pd.DataFrame:
        """A history in the generic columns (one row per order, all delivered)."""
        rates = self.day_rates(days) * _weekday_weights(self, start, days)
        counts = rng.poisson(rates)
        day = np.repeat(np.arange(days), counts)
        hours = np.asarray(self.hours, dtype=float)
        hour = rng.choice(24, size=day.size, p=hours / hours.sum())
        offset = (day * 24 + hour + rng.random(day.size)) * 3.6e12
        order_time = np.datetime64(start, "ns") + offset.astype(np.int64).astype("timedelta64[ns]")
        customer = np.arange(day.size)
        parts = [self._fulfil(rng, order_time, customer)]
        if self.returns is not None:
            end = np.datetime64(start + dt.timedelta(days=days), "ns")
            wave = parts[0]
            while len(wave):
                wave = self._returning(rng, wave, end)
                parts.append(wave)
        frame = pd.concat(parts, ignore_index=True).sort_values("order_time", kind="stable")
        frame.insert(0, "order_id", [f"o{i:07d}" for i in range(len(frame))])
        return frame.reset_index(drop=True)

    def _fulfil(self, rng: np.random.Generator, order_time: np.ndarray,
                customer: np.ndarray) -> pd.DataFrame:
        n = order_time.size
        shares = np.array([r.share for r in self.regions])
        region = rng.choice(len(self.regions), size=n, p=shares / shares.sum())
        if self.truck is None:
            scale = self.handling_mean_hours / self.handling_shape
            handling = rng.gamma(self.handling_shape, scale, n) * 3.6e12
            handed = order_time + handling.astype(np.int64).astype("timedelta64[ns]")
        else:
            handed = self.truck.handover(rng, order_time, self.delivery.holidays)
        median = np.array([r.transit_median for r in self.regions])[region]
        sigma = np.array([r.transit_sigma for r in self.regions])[region]
        transit = median * np.exp(sigma * rng.standard_normal(n))
        for slow in self.disruptions:
            transit = np.where(slow.during(handed), transit * slow.transit_multiplier
                               + slow.transit_delay_days, transit)
        delivered = self.delivery.time_at(self.delivery.clock(handed) + transit)
        promise_days = np.array([r.promise_days for r in self.regions])[region]
        promised = self.delivery.offset(order_time.astype("datetime64[D]"), promise_days)
        frame = pd.DataFrame({
            "order_time": order_time, "promised": promised.astype("datetime64[ns]"),
            "handed_over": handed, "delivered": delivered,
            # pandas-stubs wants an Index of categories; pandas takes any list-like
            "region": pd.Categorical.from_codes(  # type: ignore[call-overload]
                region, [r.name for r in self.regions]),
            "customer": customer,
        })
        if self.rating is not None:
            early_days = self.delivery.between(delivered.astype("datetime64[D]"), promised)
            frame["rating"] = self.rating.rate(rng, early_days)
        return frame

    def _returning(self, rng: np.random.Generator, wave: pd.DataFrame,
                   end: np.datetime64) -> pd.DataFrame:
        """The orders of the customers of ``wave`` who come back, placed before ``end``."""
        assert self.returns is not None
        late = (wave["delivered"].dt.normalize() > wave["promised"]).to_numpy()
        chance = expit(self.returns.intercept + self.returns.late_effect * late)
        back = rng.random(len(wave)) < chance
        delay = rng.uniform(0.0, self.returns.window_days, back.sum()) * 86.4e12
        when = wave["delivered"].to_numpy()[back] + delay.astype(np.int64).astype("timedelta64[ns]")
        keep = when < end
        return self._fulfil(rng, when[keep], wave["customer"].to_numpy()[back][keep])


def _weekday_weights(shop: SyntheticShop, start: dt.date, days: int) -> np.ndarray:
    weekday = (start.weekday() + np.arange(days)) % 7
    return np.asarray(shop.weekday)[weekday]


def expected_shares(shop: SyntheticShop, start: dt.date, days: int) -> dict[str, np.ndarray]:
    """The true weekday (Monday first), month (January first) and hour shares of first
    orders, and the true mean of first orders a day, for a period of ``days`` from ``start``.
    """
    rates = shop.day_rates(days) * _weekday_weights(shop, start, days)
    dates = np.datetime64(start, "D") + np.arange(days)
    weekday = (start.weekday() + np.arange(days)) % 7
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    hours = np.asarray(shop.hours, dtype=float)
    return {
        "weekday": np.bincount(weekday, rates, 7) / rates.sum(),
        "month": np.bincount(month, rates, 12) / rates.sum(),
        "hour": hours / hours.sum(),
        "per_day": np.array(rates.mean()),
    }
