"""The carrier, the part the firm only influences: service levels and their transit times."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.calendar import BusinessCalendar
from sim.model.disruptions import DisruptionSchedule, SeasonalPeaks
from sim.scenario.distributions import LogNormal
from sim.scenario.operations import Carrier as CarrierSpec
from sim.scenario.operations import ServiceLevel

__all__ = ["Carrier"]


@dataclass(frozen=True, slots=True, eq=False)
class Carrier:
    """Service levels on a business calendar, slowed by peaks and disruptions."""

    services: tuple[ServiceLevel, ...]
    calendar: BusinessCalendar
    peaks: SeasonalPeaks

    @classmethod
    def from_spec(
        cls, spec: CarrierSpec, calendar: BusinessCalendar, peaks: SeasonalPeaks
    ) -> Carrier:
        """The carrier a scenario describes."""
        return cls(tuple(spec.service_levels), calendar, peaks)

    @property
    def names(self) -> list[str]:
        """Names of the service levels, in order."""
        return [s.name for s in self.services]

    @property
    def costs(self) -> np.ndarray:
        """Cost per parcel of each service level."""
        return np.array([s.cost for s in self.services])

    @property
    def lognormal_transit(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Median and sigma of each service level's undisturbed transit days when every one is
        log-normal (a compiled pass can then draw :meth:`undisturbed_days` itself); else None.
        """
        laws = [s.transit_days for s in self.services if isinstance(s.transit_days, LogNormal)]
        if len(laws) < len(self.services):
            return None
        return (np.array([float(law.median) for law in laws]),
                np.array([float(law.sigma) for law in laws]))

    def index(self, name: str) -> int:
        """Position of the service level ``name``."""
        return self.names.index(name)

    def transit_days(
        self,
        service: np.ndarray,
        u: np.ndarray,
        dispatch: np.ndarray,
        disruptions: DisruptionSchedule,
    ) -> np.ndarray:
        """Business days in transit at carrier luck ``u`` for parcels leaving at ``dispatch``."""
        multiplier, delay = disruptions.transit_effect(dispatch)
        return self.undisturbed_days(service, u) * multiplier * self.peaks.transit_at(
            dispatch) + delay

    def undisturbed_days(self, service: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Business days in transit at carrier luck ``u``, before peaks and disruptions."""
        if len(self.services) == 1:
            return self.services[0].transit_days.ppf(u)
        if u.size and service[0] == service[-1] and np.all(service == service[0]):
            return self.services[int(service[0])].transit_days.ppf(u)  # all by one level
        days = np.empty(u.size)
        for i, level in enumerate(self.services):
            mine = service == i
            if np.any(mine):
                days[mine] = level.transit_days.ppf(u[mine])
        return days

    def deliver(
        self,
        service: np.ndarray,
        u: np.ndarray,
        dispatch: np.ndarray,
        disruptions: DisruptionSchedule,
    ) -> np.ndarray:
        """Delivery time (hours) of parcels leaving at ``dispatch`` by ``service``."""
        transit = self.transit_days(service, u, dispatch, disruptions)
        return self.calendar.deliver(dispatch, transit)

    def quantile_days(self, service: int, p: float) -> float:
        """The ``p``-quantile of undisturbed transit business days of service ``service``."""
        return float(self.services[service].transit_days.ppf(np.array([p]))[0])
