"""Small scenarios for tests: the headline world shrunk to weeks and a few hundred orders a day."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.scenario import Scenario, parse_scenario

HEADLINE = Path(__file__).resolve().parents[1] / "scenarios" / "zappos_vs_competitor.yaml"


def small_scenario_data(**sections: Any) -> dict[str, Any]:
    """The headline scenario as a dict, 8 weeks at 300 orders a day; ``sections`` replace keys."""
    data = yaml.safe_load(HEADLINE.read_text())
    data["horizon"] = {"start": "2025-01-06", "days": 56, "warmup_days": 7}
    data["demand"]["orders_per_day"] = 300
    data["warehouse"]["shifts"] = [
        {"start": "06:00", "end": "14:00", "pickers": 4},
        {"start": "14:00", "end": "22:00", "pickers": 3},
    ]
    data["experiment"] = {"replications": 6, "seed": 7}
    data.update(copy.deepcopy(sections))
    return data


def small_scenario(**sections: Any) -> Scenario:
    """:func:`small_scenario_data` validated."""
    return parse_scenario(small_scenario_data(**sections), source="<small>")


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as a YAML scenario file at ``path``."""
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def quiet_fortnight(env, replication):
    """A SimPy process for tests: demand halves for two weeks from day 10."""
    while True:
        day = yield replication.day_started
        if day == 10:
            replication.scale_demand(0.5, days=14)


def deliver_to(base, ids, *, promise, actual, early, luck, satisfaction=0.0, at=100.0):
    """Let the customers ``ids`` of ``base`` learn from one delivery each, all alike."""
    n = len(ids)
    return base.after_delivery(
        np.asarray(ids),
        promise_lead=np.full(n, promise),
        actual_lead=np.full(n, actual),
        earliness=np.full(n, early),
        satisfaction=np.full(n, satisfaction),
        delivered=np.full(n, at),
        luck=luck,
    )
