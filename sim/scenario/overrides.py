"""Changing a scenario by dotted key path: the one way sweeps, optimisation and sensitivity vary it.

A path names a key as a scenario file would (:mod:`sim.scenario.paths`):
``warehouse.shifts.0.pickers``, ``customers.learning_rate``, or a list item by name,
``strategies.zappos_buffer.max_days``. The changed scenario is validated again whole, so a
value that breaks a rule elsewhere (a window that closes before it opens) is an error that
names the path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.scenario.paths import value_at
from sim.scenario.spec import Scenario

__all__ = ["get_value", "with_values"]


def get_value(scenario: Scenario, path: str) -> Any:
    """The value at ``path`` in ``scenario`` (plain data, as a scenario file would hold it)."""
    return value_at(scenario.model_dump(mode="python", by_alias=True), path)


def with_values(
    scenario: Scenario, values: Mapping[str, Any], *, source: str = "<override>"
) -> Scenario:
    """A copy of ``scenario`` with each ``path: value`` of ``values`` set, validated again.

    See :meth:`Scenario.with_values`; errors name ``source``.
    """
    return scenario.with_values(values, source=source)
