"""Satisfaction as expectation-disconfirmation, with loss aversion (Oliver 1980; Kahneman-Tversky).

``d`` is the expected minus the actual delivery time in business days (positive: early).
Satisfaction is ``d**a`` when early or on time (optionally capped) and ``-lambda * (-d)**b``
when late: late hurts more than early pleases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.spec import Satisfaction as SatisfactionSpec

__all__ = ["Disconfirmation"]


@dataclass(frozen=True, slots=True)
class Disconfirmation:
    """The value a customer puts on a delivery ``d`` business days before the expectation."""

    loss_aversion: float = 2.25
    gain_curvature: float = 0.88
    loss_curvature: float = 0.88
    delight_cap: float | None = None
    reference: str = "end"
    delight_days: float = 1.0

    @classmethod
    def from_spec(cls, spec: SatisfactionSpec) -> Disconfirmation:
        """The satisfaction model a scenario describes."""
        return cls(**spec.model_dump())

    def value(self, d: np.ndarray) -> np.ndarray:
        """Satisfaction of deliveries ``d`` business days early (negative: late)."""
        d = np.asarray(d, dtype=float)
        early = d >= 0
        if self.gain_curvature == self.loss_curvature:
            size = np.power(np.abs(d), self.gain_curvature)
            gain, loss = size, self.loss_aversion * size
        else:
            gain = np.power(np.maximum(d, 0.0), self.gain_curvature)
            loss = self.loss_aversion * np.power(np.maximum(-d, 0.0), self.loss_curvature)
        if self.delight_cap is not None:
            gain = np.minimum(gain, self.delight_cap)
        return np.where(early, gain, -loss)

    def expectation(self, earliest: np.ndarray, latest: np.ndarray) -> np.ndarray:
        """The point of a promised window ``[earliest, latest]`` that sets the expectation."""
        if self.reference == "start":
            return np.asarray(earliest, dtype=float)
        if self.reference == "mid":
            return 0.5 * (np.asarray(earliest) + np.asarray(latest))
        return np.asarray(latest, dtype=float)
