"""The 'optimize:' block of a scenario file."""

from __future__ import annotations

from sim.scenario.base import Spec

__all__ = ["Optimize"]


class Optimize(Spec):
    """A strategy's parameters to search for the best value of an objective (being written)."""
