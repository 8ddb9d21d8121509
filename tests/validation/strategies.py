"""Promise strategies of the validation worlds, named in scenarios as ``validation.strategies:X``.

The built-in strategies round a quote to the end of a delivery day; the theory of quoting in
an M/M/1 queue needs a continuous quote, a constant time after the order is placed.
"""

from __future__ import annotations

import numpy as np

from sim import FirmView, Quote

__all__ = ["AfterOrder", "AfterTruck"]


class AfterOrder:
    """Promise every order ``hours + allowance_hours`` after it is placed, on the first service.

    ``hours`` is the quote the theory speaks of (the one an optimiser searches); the fixed
    ``allowance_hours`` covers what the theory leaves out (the wait for the day's truck), so
    that searching ``hours`` searches the theory's quote.
    """

    uses_backlog = False
    elementwise = True

    def __init__(self, hours: float, allowance_hours: float = 0.0) -> None:
        if not hours >= 0 or not allowance_hours >= 0:
            raise ValueError(f"'hours' and 'allowance_hours' must be >= 0, got {hours} and "
                             f"{allowance_hours}")
        self.hours = float(hours)
        self.allowance_hours = float(allowance_hours)

    def quote(self, view: FirmView) -> Quote:
        """The promise of each order of the batch: its arrival plus the quote."""
        due = view.arrival + (self.hours + self.allowance_hours)
        return Quote(earliest=due, latest=due, service=np.zeros(due.size, dtype=np.int64))


class AfterTruck:
    """Promise every order ``days`` business days after the first truck it can take."""

    uses_backlog = False
    elementwise = True

    def __init__(self, days: float) -> None:
        if not days >= 0:
            raise ValueError(f"'days' must be >= 0, got {days}")
        self.days = float(days)

    def quote(self, view: FirmView) -> Quote:
        """The promise of each order of the batch: its truck plus ``days`` on the carrier's clock."""
        clock = view.calendar
        due = clock.from_business(clock.to_business(view.next_truck()) + self.days)
        return Quote(earliest=due, latest=due, service=np.zeros(due.size, dtype=np.int64))
