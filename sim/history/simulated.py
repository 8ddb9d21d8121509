"""Simulated order records read as an order history: the bridge that lets a back-test treat the
model's orders exactly as it treats the real ones.

A run's order records (``run --order-records``) hold times in hours since the start of the
horizon; :func:`history_from_records` turns one replication's records into the generic
history columns (the promise is the date of the window's close, as a shop's estimated
delivery date is), optionally with star ratings drawn from a known ordered logit, so that a
simulated history can also be fitted back (the round trip of ``tests/history``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays as holiday_calendars
import numpy as np
import pandas as pd

from sim.history.business_days import DeliveryDays
from sim.history.synthetic import RatingTruth
from sim.scenario.base import WEEKDAYS
from sim.scenario.spec import Scenario
from sim.world.records import order_records_path

__all__ = ["history_from_records", "read_replication", "scenario_delivery_days"]

_HOUR = np.timedelta64(3_600_000_000_000, "ns")


def scenario_delivery_days(scenario: Scenario) -> DeliveryDays:
    """The carrier's delivery days of ``scenario`` (weekdays, the country's and the extra
    holidays) in the form the history estimators count business days with.
    """
    calendar = scenario.calendar
    flags = tuple(name in calendar.delivery_weekdays for name in WEEKDAYS)
    closed = set(calendar.extra_holidays)
    if calendar.country is not None:
        start = scenario.horizon.start
        years = range(start.year, start.year + scenario.horizon.days // 365 + 3)
        closed |= set(holiday_calendars.country_holidays(
            calendar.country, subdiv=calendar.subdivision, years=years))
    return DeliveryDays(flags, tuple(np.datetime64(d, "D") for d in sorted(closed)))


def read_replication(folder: str | Path, strategy: str, replication: int) -> pd.DataFrame:
    """The order records of one strategy and replication from a run's records folder."""
    return pd.read_parquet(order_records_path(folder, strategy, replication))


def history_from_records(
    records: pd.DataFrame,
    scenario: Scenario,
    *,
    rating: RatingTruth | None = None,
    rng: np.random.Generator | None = None,
    measured_only: bool = False,
) -> pd.DataFrame:
    """One replication's order records as a history in the generic columns.

    ``order_time``, ``handed_over`` (the truck) and ``delivered`` are timestamps from the
    horizon's start; ``promised`` is the date of the promised window's close; ``service`` the
    service level's name; ``customer`` the remembered customer (or the order, when customers
    have no memory). With ``rating``, each order is rated from that ordered logit of the days
    early and late (``rng`` draws the logistic errors and who rates). ``measured_only`` leaves
    out the warm-up's orders.
    """
    start = np.datetime64(scenario.horizon.start, "ns")
    if measured_only:
        records = records.loc[records["arrival"] >= scenario.horizon.warmup_days * 24.0]
    records = records.sort_values("arrival", kind="stable").reset_index(drop=True)

    def at(hours: pd.Series) -> np.ndarray:
        return start + np.round(hours.to_numpy() * 3.6e12).astype(np.int64).astype(
            "timedelta64[ns]")

    # a promise closing at 24:00 belongs to the day that ends then, not the next one
    promised = np.datetime64(scenario.horizon.start, "D") + np.floor(
        records["latest"].to_numpy() / 24.0 - 1e-9).astype(np.int64)
    delivered = at(records["delivered"])
    names = [s.name for s in scenario.carrier.service_levels]
    customer = records["customer"].to_numpy()
    frame = pd.DataFrame({
        "order_id": [f"s{i:08d}" for i in range(len(records))],
        "order_time": at(records["arrival"]),
        "promised": promised.astype("datetime64[ns]"),
        "handed_over": at(records["dispatch"]),
        "delivered": delivered,
        "service": pd.Categorical.from_codes(  # type: ignore[call-overload]
            records["service"].to_numpy().astype(np.int64), names),
        "customer": np.where(customer >= 0, customer, -1 - np.arange(customer.size)),
    })
    if rating is not None:
        if rng is None:
            raise ValueError("drawing ratings needs an rng")
        days = scenario_delivery_days(scenario)
        frame["rating"] = rating.rate(rng, days.between(delivered.astype("datetime64[D]"),
                                                        promised))
    return frame


def period_days(start: dt.date, end: dt.date) -> int:
    """Days from ``start`` to ``end``, both included."""
    return (end - start).days + 1
