"""Business days of a history: the carrier's delivery weekdays and the country's holidays.

Counts follow the simulator's calendar (``sim.model.calendar.BusinessCalendar``): a promise
of ``n`` business days made on day ``o`` falls on the ``n``-th delivery day after ``o``; the
delivery weekdays are read from the deliveries themselves unless given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import holidays as holiday_calendars
import numpy as np

from sim.history.reading import History
from sim.scenario.base import WEEKDAYS

__all__ = ["ORIGIN", "WEEKDAYS", "DeliveryDays", "delivery_days"]

#: Day from which the carrier's clock counts (a Monday).
ORIGIN = np.datetime64("2000-01-03", "D")
#: A weekday is a delivery day when it sees at least this share of the busiest one's deliveries.
DELIVERY_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class DeliveryDays:
    """The carrier's delivery days: seven weekday flags (Monday first) and closed dates."""

    weekdays: tuple[bool, ...]
    holidays: tuple[np.datetime64, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The delivery weekdays by name."""
        return tuple(n for n, on in zip(WEEKDAYS, self.weekdays) if on)

    def _calendar(self) -> np.busdaycalendar:
        return np.busdaycalendar(weekmask=list(self.weekdays),
                                 holidays=np.array(self.holidays, dtype="datetime64[D]"))

    def between(self, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Delivery days in ``[begin, end)`` (negative when ``end`` comes first): a delivery on
        ``begin`` is that many business days before a promise for ``end``.
        """
        return np.busday_count(_days(begin), _days(end), busdaycal=self._calendar())

    def offset(self, day: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The ``n``-th delivery day after ``day`` (``n = 0``: ``day`` or the next one)."""
        day = _days(day)
        cal = self._calendar()
        n = np.broadcast_to(np.asarray(n), day.shape)
        forward = np.busday_offset(day, 0, roll="forward", busdaycal=cal)
        backward = np.busday_offset(day, np.maximum(n, 0), roll="backward", busdaycal=cal)
        return np.where(n > 0, backward, forward)

    def promise_days(self, ordered: np.ndarray, promised: np.ndarray) -> np.ndarray:
        """Delivery days after the order day up to and including the promised day."""
        return self.between(_days(ordered) + 1, _days(promised) + 1)

    def clock(self, times: np.ndarray) -> np.ndarray:
        """The carrier's clock at ``times``: delivery days since :data:`ORIGIN`, running only
        on delivery days (the simulator's ``BusinessCalendar.to_business``).
        """
        times = np.asarray(times, dtype="datetime64[ns]")
        day = times.astype("datetime64[D]")
        fraction = (times - day).astype(np.int64) / 86.4e12
        running = np.is_busday(day, busdaycal=self._calendar())
        return self.between(np.full(day.shape, ORIGIN), day) + np.where(running, fraction, 0.0)

    def time_at(self, clock: np.ndarray) -> np.ndarray:
        """The time at which the carrier's clock reads ``clock`` (inverse of :meth:`clock`)."""
        clock = np.asarray(clock, dtype=float)
        whole = np.floor(clock)
        day = np.busday_offset(ORIGIN, whole.astype(np.int64), roll="forward",
                               busdaycal=self._calendar())
        nanoseconds = np.round((clock - whole) * 86.4e12).astype(np.int64)
        return day.astype("datetime64[ns]") + nanoseconds.astype("timedelta64[ns]")


def _days(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype("datetime64[D]")


def delivery_days(history: History, *, weekdays: Iterable[str] | None = None) -> DeliveryDays:
    """The delivery days of a history: the given weekdays, or those with at least
    ``DELIVERY_SHARE`` of the busiest weekday's deliveries; the holidays of its country.
    """
    if weekdays is None:
        counts = np.bincount(history.frame["delivered"].dt.day_of_week.to_numpy(), minlength=7)
        flags = tuple(bool(c >= DELIVERY_SHARE * counts.max()) for c in counts)
    else:
        names = set(weekdays)
        flags = tuple(n in names for n in WEEKDAYS)
    closed: tuple[np.datetime64, ...] = ()
    if history.country:
        years = range(history.start.year, history.end.year + 2)
        calendar = holiday_calendars.country_holidays(history.country, years=years)
        closed = tuple(np.datetime64(d, "D") for d in sorted(calendar))
    return DeliveryDays(flags, closed)
