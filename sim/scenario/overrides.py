"""Changing a scenario by dotted key path: the one way sweeps, optimisation and sensitivity vary it.

A path names a key as a scenario file would: ``warehouse.shifts.0.pickers``,
``customers.learning_rate``. A list of named items (strategies, service levels, competitors)
may also be indexed by name: ``strategies.zappos_buffer.max_days``,
``carrier.service_levels.overnight.cost``. The changed scenario is validated again whole, so a
value that breaks a rule elsewhere (a window that closes before it opens) is an error that
names the path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.spec import Scenario

__all__ = ["get_value", "split_path", "with_values"]


def split_path(path: str) -> list[str]:
    """The parts of ``path``; ``a.b[0].c`` and ``a.b.0.c`` are the same path."""
    parts = path.replace("[", ".").replace("]", "").split(".")
    if not path or any(part == "" for part in parts):
        raise ScenarioError(f"{path!r}: not a key path (write it like 'customers.learning_rate')")
    return parts


def _child_key(node: Any, part: str, path: str, where: str) -> str | int:
    """The key or index of ``part`` in ``node`` (a mapping or a list)."""
    if isinstance(node, dict):
        if part not in node:
            known = ", ".join(sorted(str(k) for k in node)) or "none"
            raise ScenarioError(f"{path}: no key {part!r} in {where or 'the scenario'} "
                                f"(keys: {known})")
        return part
    if isinstance(node, list):
        if part.lstrip("-").isdigit():
            index = int(part)
            if not 0 <= index < len(node):
                raise ScenarioError(f"{path}: {where} has {len(node)} items, no index {index}")
            return index
        names = [item.get("name") for item in node if isinstance(item, dict)]
        if part in names:
            return names.index(part)
        listed = ", ".join(str(n) for n in names if n is not None)
        hint = f" (names: {listed})" if listed else ""
        raise ScenarioError(f"{path}: no item {part!r} in {where}{hint}")
    raise ScenarioError(f"{path}: {where} is a value, not a section ({part!r} cannot be in it)")


def _locate(data: dict, path: str) -> tuple[Any, str | int]:
    """The container of the last part of ``path`` in ``data`` and that part's key."""
    parts = split_path(path)
    node: Any = data
    where = ""
    for part in parts[:-1]:
        key = _child_key(node, part, path, where)
        node = node[key]
        where = f"{where}.{part}" if where else part
    return node, _child_key(node, parts[-1], path, where)


def _data(scenario: Scenario) -> dict:
    return scenario.model_dump(mode="python", by_alias=True, exclude_unset=False)


def get_value(scenario: Scenario, path: str) -> Any:
    """The value at ``path`` in ``scenario`` (plain data, as a scenario file would hold it)."""
    container, key = _locate(_data(scenario), path)
    return container[key]


def with_values(
    scenario: Scenario, values: Mapping[str, Any], *, source: str = "<override>"
) -> Scenario:
    """A copy of ``scenario`` with each ``path: value`` of ``values`` set, validated again.

    The key must already exist in the scenario (a default counts); a section that is absent
    (``customers`` when customers have no memory) is set whole, not key by key.
    """
    data = _data(scenario)
    for path, value in values.items():
        try:
            container, key = _locate(data, path)
        except ScenarioError as exc:
            raise ScenarioError(f"{source}: {exc}") from None
        container[key] = value
    try:
        changed = Scenario.model_validate(data)
    except ValidationError as exc:
        from sim.scenario.loading import describe_error

        paths = ", ".join(values)
        raise ScenarioError(f"{source}: setting {paths}: {describe_error(exc, data)}") from None
    return changed.model_copy(
        update={"experiment": changed.experiment.model_copy(
            update={"order_records": scenario.experiment.order_records})}
    )
