"""Satisfaction as expectation-disconfirmation, with loss aversion (Oliver 1980; Kahneman-Tversky).

``d`` is the expected minus the actual delivery time in business days (positive: early).
Satisfaction is ``d**a`` when early or on time (optionally capped) and ``-lambda * (-d - t)**b``
when more than ``t`` business days late (the zone of tolerance; 0 by default), nothing in
between: late hurts more than early pleases. The expectation is set by one point of the
promised window, its :class:`Reference`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

import numba
import numpy as np

from sim.scenario.customers import Satisfaction as SatisfactionSpec

__all__ = ["Disconfirmation", "Reference", "SatisfactionRule", "disconfirmation_value",
           "promise_point"]

#: The defaults of an empty ``satisfaction:`` section, the model's defaults too.
_SPEC = SatisfactionSpec()


class Reference(IntEnum):
    """The point of a promised window that sets the customer's expectation (compiled passes
    read it as the plain integer).
    """

    START = 0
    MID = 1
    END = 2

    @classmethod
    def of(cls, name: str | int) -> Reference:
        """The reference a scenario names (``"start"``, ``"mid"``, ``"end"``), or itself."""
        return cls[name.upper()] if isinstance(name, str) else cls(name)


class SatisfactionRule(NamedTuple):
    """A :class:`Disconfirmation` as the compiled passes read it: the reference point (an
    integer of :class:`Reference`), the value's parameters (``delight_cap`` inf for none) and
    the days early that delight.
    """

    reference: int
    loss_aversion: float
    gain_curvature: float
    loss_curvature: float
    delight_cap: float
    late_tolerance_days: float
    delight_days: float


_DEFAULT_REFERENCE = Reference.of(_SPEC.reference)


@numba.njit(cache=True, inline="always")
def disconfirmation_value(d, rule):
    """Satisfaction of a delivery ``d`` business days early (negative: late) under ``rule``
    (a :class:`SatisfactionRule`).

    Lateness within the tolerance goes unnoticed; beyond it, it counts from there.
    """
    if d >= 0.0:
        return min(math.pow(d, rule.gain_curvature), rule.delight_cap)
    late = -d - rule.late_tolerance_days
    if late <= 0.0:
        return 0.0
    return -rule.loss_aversion * math.pow(late, rule.loss_curvature)


@numba.njit(cache=True, inline="always")
def promise_point(reference, earliest, latest):
    """The time in a promised window ``[earliest, latest]`` a customer expects the parcel:
    its start, middle or end as ``reference`` (a :class:`Reference`) says.
    """
    if reference == Reference.START:
        return earliest
    if reference == Reference.MID:
        return 0.5 * (earliest + latest)
    return latest


@numba.njit(cache=True)
def _values(d, rule, out):
    for i in range(d.size):
        out[i] = disconfirmation_value(d[i], rule)


@dataclass(frozen=True, slots=True)
class Disconfirmation:
    """The value a customer puts on a delivery ``d`` business days before the expectation.

    The defaults are those of an empty ``satisfaction:`` section; ``reference`` may be given
    by name (``"end"``).
    """

    loss_aversion: float = _SPEC.loss_aversion
    gain_curvature: float = _SPEC.gain_curvature
    loss_curvature: float = _SPEC.loss_curvature
    delight_cap: float | None = _SPEC.delight_cap
    reference: Reference = _DEFAULT_REFERENCE
    delight_days: float = _SPEC.delight_days
    late_tolerance_days: float = _SPEC.late_tolerance_days

    def __post_init__(self) -> None:
        object.__setattr__(self, "reference", Reference.of(self.reference))

    @classmethod
    def from_spec(cls, spec: SatisfactionSpec) -> Disconfirmation:
        """The satisfaction model a scenario describes (its reading in stars aside)."""
        return cls(**spec.model_dump(exclude={"stars"}))

    def value(self, d: np.ndarray) -> np.ndarray:
        """Satisfaction of deliveries ``d`` business days early (negative: late)."""
        d = np.asarray(d, dtype=float)
        flat = np.ascontiguousarray(d).ravel()
        out = np.empty_like(flat)
        _values(flat, self.rule, out)
        return out.reshape(d.shape)

    @property
    def rule(self) -> SatisfactionRule:
        """The model as the compiled passes take it."""
        cap = np.inf if self.delight_cap is None else float(self.delight_cap)
        return SatisfactionRule(int(self.reference), float(self.loss_aversion),
                                float(self.gain_curvature), float(self.loss_curvature), cap,
                                float(self.late_tolerance_days), float(self.delight_days))

    def expectation(self, earliest: np.ndarray, latest: np.ndarray) -> np.ndarray:
        """The point of a promised window ``[earliest, latest]`` that sets the expectation."""
        if self.reference == Reference.START:
            return np.asarray(earliest, dtype=float)
        if self.reference == Reference.MID:
            return 0.5 * (np.asarray(earliest) + np.asarray(latest))
        return np.asarray(latest, dtype=float)
