"""What nobody controls: random disruptions, and the seasonal peaks everyone sees coming."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.model.calendar import BusinessCalendar
from sim.scenario.operations import Disruption, Peak

__all__ = ["DisruptionSchedule", "SeasonalPeaks", "TransitSteps"]


class TransitSteps(NamedTuple):
    """The disruptions' effect on transit as a step function: from ``edges[i]`` (hours) on,
    transit times scale by ``multiplier[i]`` and gain ``delay[i]`` business days (before the
    first edge: 1 and 0).
    """

    edges: np.ndarray
    multiplier: np.ndarray
    delay: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class DisruptionSchedule:
    """The disruptions of one replication: when each starts and ends (hours) and what it does."""

    kind: np.ndarray
    start: np.ndarray
    end: np.ndarray
    warehouse_capacity: np.ndarray
    transit_multiplier: np.ndarray
    transit_delay_days: np.ndarray

    @classmethod
    def none(cls) -> DisruptionSchedule:
        """A replication without disruptions."""
        empty = np.empty(0)
        return cls(np.empty(0, dtype=object), empty, empty, empty, empty, empty)

    @classmethod
    def draw(
        cls,
        specs: Sequence[Disruption],
        calendar: BusinessCalendar,
        days: int,
        rng: np.random.Generator,
    ) -> DisruptionSchedule:
        """Events of each kind over ``days`` days: Poisson counts, uniform starts in season."""
        rows: list[tuple] = []
        months = calendar.months[:days]
        for spec in specs:
            season = sorted(set(spec.months or range(1, 13)))
            in_season = np.zeros(13, dtype=bool)
            in_season[season] = True
            allowed = np.flatnonzero(in_season[months])
            season_days_per_year = 365.25 * len(season) / 12
            count = rng.poisson(spec.rate_per_year * allowed.size / season_days_per_year)
            day: np.ndarray | list[int] = (
                allowed[rng.integers(0, allowed.size, count)] if allowed.size else [])
            start = (np.asarray(day) + rng.random(count)) * 24.0
            duration = spec.duration_days.ppf(rng.random(count)) * 24.0
            for s, d in zip(start, duration):
                rows.append(
                    (spec.kind, s, s + d, spec.warehouse_capacity, spec.transit_multiplier,
                     spec.transit_delay_days)
                )
        if not rows:
            return cls.none()
        rows.sort(key=lambda row: row[1])
        columns = list(zip(*rows))
        return cls(
            np.array(columns[0], dtype=object),
            *(np.array(c, dtype=float) for c in columns[1:]),
        )

    def started_by(self, t: float) -> DisruptionSchedule:
        """The events that have started by time ``t``: what anyone can know at ``t``."""
        keep = self.start <= t
        if keep.all():
            return self
        return DisruptionSchedule(
            self.kind[keep], self.start[keep], self.end[keep], self.warehouse_capacity[keep],
            self.transit_multiplier[keep], self.transit_delay_days[keep],
        )

    def __len__(self) -> int:
        return int(self.start.size)

    @property
    def outages(self) -> list[tuple[float, float, float]]:
        """``(start, end, capacity)`` of events that cut warehouse capacity."""
        cut = self.warehouse_capacity < 1.0
        return list(zip(self.start[cut], self.end[cut], self.warehouse_capacity[cut]))

    def active(self, t: np.ndarray) -> np.ndarray:
        """Boolean matrix: event ``j`` is under way at time ``t[i]``."""
        t = np.asarray(t, dtype=float)[:, None]
        return (self.start[None, :] <= t) & (t < self.end[None, :])

    def transit_effect(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Multiplier and added business days for transit of parcels shipped at ``t``."""
        t = np.asarray(t, dtype=float)
        if len(self) == 0 or t.size == 0 or t.max() < self.start[0] or t.min() >= self.end.max():
            return np.ones(t.size), np.zeros(t.size)
        edges, multiplier, delay = self.transit_steps()
        step = np.searchsorted(edges, t, side="right") - 1
        inside = step >= 0
        step = np.maximum(step, 0)
        return np.where(inside, multiplier[step], 1.0), np.where(inside, delay[step], 0.0)

    def transit_steps(self) -> TransitSteps:
        """The transit effect as a step function, which changes only where events start or end."""
        if len(self) == 0:
            return TransitSteps(np.empty(0), np.empty(0), np.empty(0))
        edges = np.unique(np.concatenate([self.start, self.end]))
        on = self.active(edges)
        multiplier = np.prod(np.where(on, self.transit_multiplier, 1.0), axis=1)
        delay = np.sum(np.where(on, self.transit_delay_days, 0.0), axis=1)
        return TransitSteps(edges, multiplier, delay)

    def capacity_at(self, t: np.ndarray) -> np.ndarray:
        """Share of pickers working at time ``t``."""
        t = np.asarray(t, dtype=float)
        if len(self) == 0:
            return np.ones(t.size)
        return np.prod(np.where(self.active(t), self.warehouse_capacity, 1.0), axis=1)


@dataclass(frozen=True, slots=True, eq=False)
class SeasonalPeaks:
    """Per-day demand and transit multipliers of the known seasons."""

    demand: np.ndarray
    transit: np.ndarray

    @classmethod
    def build(cls, peaks: Sequence[Peak], calendar: BusinessCalendar) -> SeasonalPeaks:
        """Multipliers on every day of ``calendar`` (1 outside all peaks; peaks multiply)."""
        demand = np.ones(calendar.days)
        transit = np.ones(calendar.days)
        for d in range(calendar.days):
            date = calendar.date_of(d)
            for peak in peaks:
                if _in_season(date, peak.start, peak.end):
                    demand[d] *= peak.demand_multiplier
                    transit[d] *= peak.transit_multiplier
        return cls(demand=demand, transit=transit)

    def transit_at(self, t: np.ndarray) -> np.ndarray:
        """Transit multiplier for parcels shipped at time ``t``."""
        day = np.floor(np.asarray(t, dtype=float) / 24.0).astype(np.int64)
        return self.transit[np.minimum(day, self.transit.size - 1)]


def _in_season(date: dt.date, start: str, end: str) -> bool:
    key = f"{date.month:02d}-{date.day:02d}"
    return start <= key <= end if start <= end else key >= start or key <= end
