"""Small worlds for the validation rows, and running them replication by replication.

Theory holds in worlds without the calendar's seams: every day a working, pickup and delivery
day, no holidays, a flat hourly profile (Poisson arrivals at a constant rate) and, for queueing,
one shift round the clock (a 24/7 roster up to the end of the calendar, which runs 120 days
past the horizon, so no order meets the roster's end).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim.world.firm as firm_module
import sim.world.market as market_module
import sim.world.replication as replication_module
from sim.experiment.streams import replication_streams
from sim.model.customer_store import CustomerBase
from sim.scenario import Scenario, parse_scenario
from sim.world import OrderRecords, World, build_strategies, build_world, simulate
from sim.world.parcels import Parcels

__all__ = ["EVERY_DAY", "Replication", "judged_parcels", "replicate", "world_data",
           "world_scenario"]

#: What :func:`judged_parcels` reads of each judged batch: columns by name, given the world,
#: the parcels, their customers once judged, and the evening they were judged.
Reader = Callable[[World, Parcels, CustomerBase, float], dict[str, np.ndarray]]

EVERY_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def world_data(**sections: Any) -> dict[str, Any]:
    """A scenario as a dict: every day open, no holidays, 24/7 picking; ``sections`` replace."""
    data: dict[str, Any] = {
        "name": "validation",
        "horizon": {"start": "2025-01-06", "days": 60, "warmup_days": 5},
        "calendar": {
            "country": None,
            "working_weekdays": EVERY_DAY,
            "pickup_weekdays": EVERY_DAY,
            "delivery_weekdays": EVERY_DAY,
        },
        "demand": {"orders_per_day": 1000},
        "warehouse": {
            "shifts": [{"start": "00:00", "end": "24:00", "pickers": 1}],
            "pick_minutes": {"dist": "exponential", "mean": 1.0},
        },
        "carrier": {
            "service_levels": [
                {"name": "ground", "nominal_days": 2,
                 "transit_days": {"dist": "constant", "value": 2}, "cost": 5.0},
            ]
        },
        "strategies": [{"name": "ground", "kind": "tight", "service": "ground"}],
    }
    data.update(copy.deepcopy(sections))
    return data


def world_scenario(**sections: Any) -> Scenario:
    """:func:`world_data` validated."""
    return parse_scenario(world_data(**sections), source="<validation>")


@dataclass(frozen=True, slots=True, eq=False)
class Replication:
    """One replication of one strategy: its ledger's metrics and every order's record."""

    metrics: dict[str, float]
    records: dict[str, np.ndarray]
    warmup_hours: float
    horizon_hours: float

    @property
    def measured(self) -> np.ndarray:
        """Which orders were placed after the warm-up (those the ledger measures)."""
        return self.records["arrival"] >= self.warmup_hours


def replicate(
    scenario: Scenario, strategy: str, replications: int, *, seed: int
) -> Iterator[Replication]:
    """Run ``strategy`` of ``scenario`` in replications ``0 .. replications - 1``."""
    world = build_world(scenario)
    for r in range(replications):
        records = OrderRecords()
        ledger = simulate(world, build_strategies(scenario, world)[strategy],
                          replication_streams(seed, r), name=strategy, records=records)
        yield Replication(ledger.metrics(), records.to_arrays(), world.warmup_days * 24.0,
                          world.days * 24.0)


def judged_parcels(scenario: Scenario, strategy: str, replication: int, read: Reader
                   ) -> pd.DataFrame:
    """Every parcel of one replication as its customer judged it, in order of arrival, with
    ``order_number`` (0: the customer's first order) and ``measured`` (after the warm-up).

    Order records carry neither expectation nor customer state, so the world's ``judge``
    (sim/world/firm.py) is wrapped: it sees each delivered parcel with its customer, and when
    it returns the customer has been updated; ``read`` takes the columns wanted from there.
    """
    original = firm_module.judge
    chunks: list[dict[str, np.ndarray]] = []

    def spy(world, parcels, ledger, **options):
        out = original(world, parcels, ledger, **options)
        chunks.append({"arrival": parcels.arrival, "customer": parcels.customer,
                       **read(world, parcels, options["customers"], options["judged_at"])})
        return out

    world = build_world(scenario)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(firm_module, "judge", spy)
        # the spy sits in the scheduled days; the compiled loop gives the same numbers
        # (tests/world/test_day_loop.py) without calling ``judge``
        for module in (replication_module, market_module):
            patch.setattr(module, "fits_compiled_days", lambda *args, **kwargs: False)
        simulate(world, build_strategies(scenario, world)[strategy],
                 replication_streams(scenario.experiment.seed, replication))
    table = pd.DataFrame({k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]})
    table = table.sort_values("arrival", kind="stable", ignore_index=True)
    table["order_number"] = table.groupby("customer").cumcount()
    table["measured"] = table["arrival"] >= world.warmup_days * 24.0
    return table
