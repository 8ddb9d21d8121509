"""What every fitted value carries: the value, its uncertainty and what it rests on.

Each estimator of ``sim.history`` returns frozen dataclasses whose numbers are
:class:`Estimate` objects (value, standard error, interval) and a :class:`Basis` (the period
of the history and the number of orders used), so a fitted scenario can say how sure it is.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from scipy import stats

from sim.errors import SimError

__all__ = ["LEVEL", "Basis", "Estimate", "HistoryError"]

#: Level of every interval the estimators report.
LEVEL = 0.95
_Z = float(stats.norm.ppf(0.5 + LEVEL / 2))


class HistoryError(SimError):
    """An order history that cannot be read or fitted: one line naming file, column and fault."""


@dataclass(frozen=True, slots=True)
class Basis:
    """The data a fitted value rests on: the period of the orders and how many were used."""

    start: dt.date
    end: dt.date
    orders: int


@dataclass(frozen=True, slots=True)
class Estimate:
    """A fitted value with its standard error (nan when only an interval is known) and a
    ``LEVEL`` interval ``[low, high]``.
    """

    value: float
    se: float
    low: float
    high: float

    @classmethod
    def wald(cls, value: float, se: float) -> Estimate:
        """An estimate with the normal-approximation interval ``value +- z * se``."""
        value, se = float(value), float(se)
        return cls(value, se, value - _Z * se, value + _Z * se)

    @classmethod
    def interval(cls, value: float, low: float, high: float) -> Estimate:
        """An estimate known by an interval only (profile likelihood, exact count)."""
        return cls(float(value), math.nan, float(low), float(high))

    def covers(self, truth: float) -> bool:
        """Whether the interval contains ``truth``."""
        return self.low <= truth <= self.high

    def __format__(self, spec: str) -> str:
        spec = spec or ".3g"
        if math.isnan(self.se):
            return f"{self.value:{spec}} [{self.low:{spec}}, {self.high:{spec}}]"
        return f"{self.value:{spec}} (se {self.se:{spec}})"
