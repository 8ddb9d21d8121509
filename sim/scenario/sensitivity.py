"""The 'sensitivity:' block of a scenario file."""

from __future__ import annotations

from sim.scenario.base import Spec

__all__ = ["Sensitivity"]


class Sensitivity(Spec):
    """Uncertain parameters as ranges, and the outcome whose sensitivity is wanted (being written)."""
