"""The limits of a scenario's sizes, each with the reason it is where it is.

A value past a limit is refused when the scenario is read, with the reason in the message,
rather than found out hours into a run or as an exhausted memory.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "DAY_REASON",
    "EARLIEST_START",
    "HANDLING_REASON",
    "HORIZON_REASON",
    "LATEST_START",
    "MAX_HANDLING_TRUCKS",
    "MAX_HORIZON_DAYS",
    "MAX_ORDERS_PER_DAY",
    "MAX_ORDERS_PER_REPLICATION",
    "MAX_PICKERS",
    "MAX_REPLICATIONS",
    "MAX_TRANSIT_DAYS",
    "ORDERS_REASON",
    "REPLICATIONS_REASON",
    "TRANSIT_REASON",
    "TRANSIT_TAIL",
    "check_replications",
]

MAX_HORIZON_DAYS = 3660
MAX_PICKERS = 100_000
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_START = dt.date(2199, 12, 31)
MAX_REPLICATIONS = 100_000
MAX_ORDERS_PER_REPLICATION = 10**9
MAX_ORDERS_PER_DAY = 10**7
MAX_TRANSIT_DAYS = 60
MAX_HANDLING_TRUCKS = 40
TRANSIT_TAIL = 1e-6

HORIZON_REASON = "ten years: the calendar of every day is built before the run starts"
REPLICATIONS_REASON = (
    "intervals narrow only as 1/sqrt(n): 10^5 replications already pin a mean within 0.6% "
    "of its standard deviation"
)
ORDERS_REASON = (
    "at about 2.5 million orders a second, one strategy's replication would take over "
    "7 minutes"
)
DAY_REASON = (
    "a day's orders are simulated as one batch of about 170 bytes an order: 1.7 GB a worker"
)
TRANSIT_REASON = "the calendar runs 120 days past the horizon to deliver the last parcels"
HANDLING_REASON = "the calendar runs 120 days past the horizon to ship and deliver the last parcels"


def check_replications(n: int) -> int:
    """``n`` if it is a sensible number of replications, else ``ValueError`` saying why not."""
    if n > MAX_REPLICATIONS:
        raise ValueError(
            f"must be <= {MAX_REPLICATIONS:,} ({REPLICATIONS_REASON}), got {n:,}"
        )
    return n
