"""Compile (or load from numba's cache) every kernel of the world once, in this process.

Worker pools fork from a server process that imports this module first, so each worker
starts with the compiled kernels already in memory instead of loading them itself: a pool
started for every run then costs milliseconds, not most of a second.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sim.experiment.streams import replication_streams
from sim.scenario import parse_scenario
from sim.world import build_strategies, build_world, simulate

__all__ = ["warm_kernels"]

_TINY: dict[str, Any] = {
    "name": "warm_up",
    "horizon": {"start": "2025-01-06", "days": 14, "warmup_days": 0},
    "calendar": {"country": None},
    "demand": {"orders_per_day": 30},
    "warehouse": {"shifts": [{"start": "08:00", "end": "16:00", "pickers": 2}],
                  "pick_minutes": {"dist": "lognormal", "median": 3.0, "sigma": 0.5}},
    "carrier": {"service_levels": [{"name": "overnight", "nominal_days": 1, "cost": 10.0,
                                    "transit_days": {"dist": "lognormal", "median": 0.7,
                                                     "sigma": 0.25}}]},
    "strategies": [{"name": "tight", "kind": "tight", "service": "overnight"}],
}


def warm_kernels() -> None:
    """Run four tiny replications: one judged per order, one with customers, and a market
    with and without them (the compiled day loops of a firm and of a market).
    """
    market = {"competitors": [{"name": "rival", "strategy": _TINY["strategies"][0]}]}
    customers = {"pushback": {"share": 0.5}}
    scenarios = [parse_scenario(data, source="<warm-up>") for data in (
        _TINY, {**_TINY, "customers": customers}, {**_TINY, "market": market},
        {**_TINY, "customers": customers, "market": market})]
    for scenario in scenarios:
        world = build_world(scenario)
        strategy = build_strategies(scenario, world)["tight"]
        simulate(world, strategy, replication_streams(0, 0))


# Warming is an optimisation: whatever fails here fails again, and is reported, in the run.
with contextlib.suppress(Exception):
    warm_kernels()
