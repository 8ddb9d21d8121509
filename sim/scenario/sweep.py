"""The 'sweep:' block of a scenario file."""

from __future__ import annotations

from sim.scenario.base import Spec

__all__ = ["Sweep"]


class Sweep(Spec):
    """Scenario keys to vary, and the design of the points (being written)."""
