"""The handling stage's specs: whole trucks a parcel waits after picking, and the check that
the calendar can hold them (see ``sim.model.handling``).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from sim.scenario.base import Spec
from sim.scenario.distributions import Distribution
from sim.scenario.limits import HANDLING_REASON, MAX_HANDLING_TRUCKS, TRANSIT_TAIL

__all__ = ["CutoffSides", "check_handling_tail"]


def check_handling_tail(handling: Distribution) -> None:
    """Refuse handling under which one parcel in a million waits more than the calendar holds."""
    with np.errstate(all="ignore"):
        tail = float(handling.ppf(np.array([1.0 - TRANSIT_TAIL]))[0])
    if not tail < MAX_HANDLING_TRUCKS + 1:  # whole trucks: 40.9 waits 40
        raise ValueError(
            f"one parcel in a million may wait {np.floor(tail):.3g} trucks; must be <= "
            f"{MAX_HANDLING_TRUCKS} ({HANDLING_REASON})"
        )


class CutoffSides(Spec):
    """Handling of the orders placed on one weekday: before and after that day's cut-off."""

    before_cutoff: Distribution = Field(
        description="Further trucks waited by orders placed before the day's cut-off.")
    after_cutoff: Distribution = Field(
        description="Further trucks waited by orders placed at or after the day's cut-off.")

    @field_validator("before_cutoff", "after_cutoff")
    @classmethod
    def _within_the_calendar(cls, handling: Distribution) -> Distribution:
        check_handling_tail(handling)
        return handling
