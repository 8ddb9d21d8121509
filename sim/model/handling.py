"""The handling stage: whole trucks a parcel waits after picking, by when it was ordered.

A history shows when parcels left, not how they were picked (``promise-sim fit``), so a fitted
world puts the observed delay here: after picking, a parcel waits ``k`` further trucks, ``k``
drawn from ``warehouse.handling_trucks`` or, when ``warehouse.handling_by_order_time`` names
it, from the distribution of the orders placed on that weekday before (or after) that day's
cut-off: a queue that fills over the weekend makes Monday's orders wait more, and an order
placed just before the cut-off is likelier to miss it. Each order's ``k`` is the quantile of
one uniform of its own stream, so every strategy sees the same handling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.base import WEEKDAYS, clock_hours
from sim.scenario.distributions import Distribution
from sim.scenario.operations import Warehouse

__all__ = ["Handling"]


@dataclass(frozen=True, slots=True, eq=False)
class Handling:
    """Distributions of whole trucks waited: ``classes[2 * weekday + before_cutoff]``
    (Monday 0; empty when every order takes ``overall``), and ``overall`` for the median the
    firm expects.
    """

    overall: Distribution
    classes: tuple[Distribution, ...]
    cutoff_hour: float

    @classmethod
    def from_spec(cls, warehouse: Warehouse, cutoff: str) -> Handling | None:
        """The handling stage of ``warehouse`` (None without one), with the calendar's cut-off."""
        overall = warehouse.handling_trucks
        if overall is None:
            return None
        named = warehouse.handling_by_order_time or {}
        classes: list[Distribution] = []
        for day in WEEKDAYS if named else ():
            sides = named.get(day)  # type: ignore[call-overload]
            classes += ([overall, overall] if sides is None
                        else [sides.after_cutoff, sides.before_cutoff])
        return cls(overall, tuple(classes), clock_hours(cutoff))

    @property
    def expected(self) -> int:
        """Whole trucks of handling the firm expects: the median of all orders'."""
        return int(np.floor(self.overall.ppf(np.array([0.5]))[0]))

    def trucks(self, arrival: np.ndarray, luck: np.ndarray, first_weekday: int) -> np.ndarray:
        """Whole trucks waited by orders placed at ``arrival`` (hours from the start, a day
        whose weekday is ``first_weekday``) with uniforms ``luck``.
        """
        if not self.classes:
            return np.floor(self.overall.ppf(luck)).astype(np.int64)
        day = np.floor(arrival / 24.0).astype(np.int64)
        before = (arrival - day * 24.0) < self.cutoff_hour
        group = 2 * ((day + first_weekday) % 7) + before
        out = np.empty(arrival.size, dtype=np.int64)
        for g in np.unique(group):
            chosen = group == g
            out[chosen] = np.floor(self.classes[g].ppf(luck[chosen]))
        return out
