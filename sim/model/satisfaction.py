"""Satisfaction as expectation-disconfirmation, with loss aversion (Oliver 1980; Kahneman-Tversky).

``d`` is the expected minus the actual delivery time in business days (positive: early).
Satisfaction is ``d**a`` when early or on time (optionally capped) and ``-lambda * (-d - t)**b``
when more than ``t`` business days late (the zone of tolerance; 0 by default), nothing in
between: late hurts more than early pleases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from sim.scenario.customers import Satisfaction as SatisfactionSpec

__all__ = ["Disconfirmation", "disconfirmation_value"]


@numba.njit(cache=True, inline="always")
def disconfirmation_value(d, loss_aversion, gain_curvature, loss_curvature, cap, tolerance):
    """Satisfaction of a delivery ``d`` business days early (negative: late); ``cap`` may be inf.

    Lateness within ``tolerance`` business days goes unnoticed; beyond it, it counts from there.
    """
    if d >= 0.0:
        return min(math.pow(d, gain_curvature), cap)
    late = -d - tolerance
    if late <= 0.0:
        return 0.0
    return -loss_aversion * math.pow(late, loss_curvature)


@numba.njit(cache=True)
def _values(d, loss_aversion, gain_curvature, loss_curvature, cap, tolerance, out):
    for i in range(d.size):
        out[i] = disconfirmation_value(d[i], loss_aversion, gain_curvature, loss_curvature, cap,
                                       tolerance)


@dataclass(frozen=True, slots=True)
class Disconfirmation:
    """The value a customer puts on a delivery ``d`` business days before the expectation."""

    loss_aversion: float = 2.25
    gain_curvature: float = 0.88
    loss_curvature: float = 0.88
    delight_cap: float | None = None
    reference: str = "end"
    delight_days: float = 1.0
    late_tolerance_days: float = 0.0

    @classmethod
    def from_spec(cls, spec: SatisfactionSpec) -> Disconfirmation:
        """The satisfaction model a scenario describes."""
        return cls(**spec.model_dump())

    def value(self, d: np.ndarray) -> np.ndarray:
        """Satisfaction of deliveries ``d`` business days early (negative: late)."""
        d = np.asarray(d, dtype=float)
        flat = np.ascontiguousarray(d).ravel()
        out = np.empty_like(flat)
        _values(flat, *self.parameters, out)
        return out.reshape(d.shape)

    @property
    def parameters(self) -> tuple[float, float, float, float, float]:
        """Loss aversion, gain and loss curvature, delight cap (inf: none) and late tolerance,
        as the kernel takes them."""
        cap = np.inf if self.delight_cap is None else float(self.delight_cap)
        return (float(self.loss_aversion), float(self.gain_curvature),
                float(self.loss_curvature), cap, float(self.late_tolerance_days))

    def expectation(self, earliest: np.ndarray, latest: np.ndarray) -> np.ndarray:
        """The point of a promised window ``[earliest, latest]`` that sets the expectation."""
        if self.reference == "start":
            return np.asarray(earliest, dtype=float)
        if self.reference == "mid":
            return 0.5 * (np.asarray(earliest) + np.asarray(latest))
        return np.asarray(latest, dtype=float)
