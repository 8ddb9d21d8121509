"""Handling (order to hand-over) read as the simulator's truck: the day's cut-off, the pickup
weekdays and how many whole trucks an order waits past its first one.

The model sends one truck a day at the calendar's ``cutoff`` on the pickup weekdays (holidays
excepted), and a parcel waits ``k`` further trucks (``warehouse.handling_trucks``). The truck's
time is the modal quarter hour of the hand-over clock times when at least
:data:`CONCENTRATION` of them lie within :data:`WINDOW_MINUTES` of it (a real truck); else the
model's one truck stands in for hand-overs spread over the day and its time is their median.
A pickup weekday has hand-overs on at least half as large a share of its dates as the busiest
weekday. An order's ``k`` counts the trucks from the first one at or after its order time to
the one that took it: the first truck at or after its hand-over (less the window, when the
truck is concentrated, so a scan a few minutes after departure counts for that truck).
Shares of ``k`` carry exact (Clopper-Pearson) intervals, orders taken as independent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.proportion import proportion_confint

from sim.history.business_days import delivery_days
from sim.history.estimate import LEVEL, Basis, Estimate, HistoryError
from sim.history.reading import History
from sim.scenario.base import WEEKDAYS

__all__ = ["CONCENTRATION", "TAIL", "WINDOW_MINUTES", "HandlingClass", "HandlingFit",
           "fit_handling", "truck_days"]

#: Share of hand-overs near the modal quarter hour above which they mark one truck.
CONCENTRATION = 0.5
#: Minutes either side of the modal quarter hour that count as that truck.
WINDOW_MINUTES = 30
#: Values of ``k`` beyond this quantile are folded into the last one kept.
TAIL = 0.999
#: Orders a weekday-and-side-of-the-cut-off class needs to get its own shares of ``k``.
MIN_CLASS_ORDERS = 30
#: Share of the busiest weekday's dates with hand-overs a pickup weekday reaches at least half of.
PICKUP_SHARE = 0.5
_DAY_MINUTES = 1440
_NS_PER_MINUTE = 60_000_000_000


@dataclass(frozen=True, slots=True)
class HandlingClass:
    """The handling of the orders placed on one weekday before (or after) that day's cut-off:
    how many there were and the share of each ``k`` of :attr:`HandlingFit.trucks`.
    """

    weekday: str
    before_cutoff: bool
    orders: int
    shares: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class HandlingFit:
    """The truck and the handling of a history: cut-off ``"HH:MM"``, whether hand-overs
    concentrate there (``concentration``: their share within the window), the pickup weekdays
    (``pickup_shares``: each weekday's share of dates with hand-overs, Monday first), the shares
    of ``k`` further trucks waited for ``k`` in ``trucks``, and the delivery hours (None when
    deliveries carry no time of day). ``by_order_time`` holds the shares of the orders placed on
    each weekday before and after the cut-off (the classes with at least
    :data:`MIN_CLASS_ORDERS` orders): a queue that fills over the weekend makes Monday's
    orders wait more, and an order placed just before the cut-off is likelier to miss it.
    """

    basis: Basis
    cutoff: str
    concentrated: bool
    concentration: float
    pickup_weekdays: tuple[str, ...]
    pickup_shares: tuple[float, ...]
    trucks: tuple[int, ...]
    counts: tuple[int, ...]
    shares: tuple[Estimate, ...]
    mean_trucks: Estimate
    folded: int
    early: int
    delivery_opens: str | None
    delivery_closes: str | None
    by_order_time: tuple[HandlingClass, ...] = ()

    @property
    def pmf(self) -> dict[int, float]:
        """The fitted distribution of ``k``: share by number of further trucks."""
        return {k: s.value for k, s in zip(self.trucks, self.shares)}


def _minutes_of_day(times: np.ndarray) -> np.ndarray:
    return (times - times.astype("datetime64[D]")).astype(np.int64) / _NS_PER_MINUTE


def _clock(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours:02d}:{rest:02d}"


def truck_days(times: np.ndarray, cutoff_minutes: float) -> np.ndarray:
    """The date of the first truck at or after each time were there a truck every day: the
    day of ``time - cutoff`` rounded up (a time at the cut-off takes that day's truck).
    """
    shifted = np.asarray(times, dtype="datetime64[ns]") - np.timedelta64(
        round(cutoff_minutes * _NS_PER_MINUTE), "ns")
    day = shifted.astype("datetime64[D]")
    return day + (shifted != day.astype("datetime64[ns]"))


def _cutoff(minutes: np.ndarray) -> tuple[float, bool, float]:
    """The truck's minute of the day, whether hand-overs concentrate there, and their share."""
    quarter = np.round(minutes / 15).astype(np.int64) % (_DAY_MINUTES // 15)
    modal = 15.0 * np.bincount(quarter, minlength=_DAY_MINUTES // 15).argmax()
    distance = np.abs(minutes - modal)
    near = np.minimum(distance, _DAY_MINUTES - distance) <= WINDOW_MINUTES
    share = float(near.mean())
    if share >= CONCENTRATION:
        return modal, True, share
    return 15.0 * (round(float(np.median(minutes)) / 15) % (_DAY_MINUTES // 15)), False, share


def _pickup(taken: np.ndarray, holidays: np.ndarray) -> tuple[tuple[bool, ...], tuple[float, ...]]:
    """Each weekday's share of its (non-holiday) dates with hand-overs, and the pickup flags."""
    dates = np.arange(taken.min(), taken.max() + 1)
    dates = dates[~np.isin(dates, holidays)]
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    active = np.isin(dates, np.unique(taken))
    shares = np.bincount(weekday, active, 7) / np.maximum(np.bincount(weekday, minlength=7), 1)
    flags = tuple(bool(s > 0 and s >= PICKUP_SHARE * shares.max()) for s in shares)
    return flags, tuple(float(s) for s in shares)


def _delivery_hours(delivered: np.ndarray) -> tuple[str | None, str | None]:
    """1st and 99th percentiles of the deliveries' clock times rounded out to the quarter hour
    (those at midnight exactly taken as dates without a time); None when none has a time.
    """
    minutes = _minutes_of_day(delivered)
    timed = minutes[minutes > 0]
    if timed.size == 0:
        return None, None
    low, high = np.quantile(timed, [0.01, 0.99])
    opens = 15 * np.floor(low / 15)
    closes = max(15 * np.ceil(high / 15), opens + 15)
    return _clock(opens), _clock(closes)


def _shares(k: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Counts of ``k`` with the tail beyond :data:`TAIL` folded into the last value kept."""
    counts = np.bincount(k)
    top = int(np.searchsorted(np.cumsum(counts), np.ceil(TAIL * k.size)))
    folded = int(counts[top + 1:].sum())
    kept = counts[:top + 1].copy()
    kept[top] += folded
    return np.arange(top + 1), kept, folded


def fit_handling(history: History, *, weekdays: Iterable[str] | None = None) -> HandlingFit:
    """The truck (cut-off and pickup weekdays, or the given ``weekdays``) and the trucks each
    order waits, from the order and hand-over times (see the module docstring).
    """
    if not history.has("handed_over"):
        raise HistoryError(f"{history.report.source}: no hand-over times (column handed_over); "
                           "the handling cannot be fitted")
    frame = history.frame
    ordered = frame["order_time"].to_numpy()
    handed = frame["handed_over"].to_numpy()
    cutoff, concentrated, concentration = _cutoff(_minutes_of_day(handed))
    grace = np.timedelta64(WINDOW_MINUTES * _NS_PER_MINUTE if concentrated else 0, "ns")
    taken = truck_days(handed - grace, cutoff)
    holidays = np.array(delivery_days(history, weekdays=WEEKDAYS).holidays, dtype="datetime64[D]")
    flags, pickup_shares = _pickup(taken, holidays)
    if weekdays is not None:
        names = set(weekdays)
        if unknown := names - set(WEEKDAYS):
            raise ValueError(f"unknown weekdays {sorted(unknown)}; weekdays are "
                             f"{', '.join(WEEKDAYS)}")
        flags = tuple(n in names for n in WEEKDAYS)
    calendar = np.busdaycalendar(weekmask=list(flags), holidays=holidays)
    waited = np.busday_count(truck_days(ordered, cutoff), taken, busdaycal=calendar)
    k = np.maximum(waited, 0)
    trucks, counts, folded = _shares(k)
    n = k.size
    low, high = proportion_confint(counts, n, alpha=1 - LEVEL, method="beta")
    p = counts / n
    shares = tuple(Estimate(float(v), float(np.sqrt(v * (1 - v) / n)), float(lo), float(hi))
                   for v, lo, hi in zip(p, low, high))
    spread = float(k.std(ddof=1)) if n > 1 else np.nan
    opens, closes = _delivery_hours(frame["delivered"].to_numpy())
    return HandlingFit(
        basis=history.basis,
        cutoff=_clock(cutoff),
        concentrated=concentrated,
        concentration=concentration,
        pickup_weekdays=tuple(n for n, on in zip(WEEKDAYS, flags) if on),
        pickup_shares=pickup_shares,
        trucks=tuple(int(t) for t in trucks),
        counts=tuple(int(c) for c in counts),
        shares=shares,
        mean_trucks=Estimate.wald(k.mean(), spread / np.sqrt(n)),
        folded=folded,
        early=int((waited < 0).sum()),
        delivery_opens=opens,
        delivery_closes=closes,
        by_order_time=_classes(ordered, cutoff, np.minimum(k, trucks[-1]), trucks.size),
    )


def _classes(ordered: np.ndarray, cutoff: float, k: np.ndarray,
             values: int) -> tuple[HandlingClass, ...]:
    """The shares of ``k`` (folded at ``values - 1``) of each weekday and side of the cut-off
    with at least :data:`MIN_CLASS_ORDERS` orders.
    """
    day = ordered.astype("datetime64[D]")
    weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    before = _minutes_of_day(ordered) < cutoff
    tally = np.zeros((7, 2, values), dtype=np.int64)
    np.add.at(tally, (weekday, before.astype(np.int64), k), 1)
    out = []
    for w, name in enumerate(WEEKDAYS):
        for side in (1, 0):
            n = int(tally[w, side].sum())
            if n >= MIN_CLASS_ORDERS:
                out.append(HandlingClass(name, bool(side), n,
                                         tuple(float(c) / n for c in tally[w, side])))
    return tuple(out)
