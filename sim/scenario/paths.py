"""Dotted key paths into plain scenario data: how a sweep, a search or an override names a key.

A path names a key as a scenario file would: ``warehouse.shifts.0.pickers``,
``customers.learning_rate``; ``shifts[0]`` is the same as ``shifts.0``. A list of named items
(strategies, service levels, competitors) may also be indexed by name:
``strategies.zappos_buffer.max_days``. The data is what a scenario dumps to (mappings, lists and
values), so nothing here knows the specs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.errors import ScenarioError

__all__ = ["same_key", "set_values", "split_path", "value_at", "where_indexed"]


def same_key(path: str) -> str:
    """``path`` written one way, with list items as ``.i``: ``a[0].b`` becomes ``a.0.b``."""
    return path.replace("[", ".").replace("]", "")


def split_path(path: str) -> list[str]:
    """The parts of ``path``; ``a.b[0].c`` and ``a.b.0.c`` are the same path."""
    parts = same_key(path).split(".")
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


def _keys(data: Any, path: str) -> list[str | int]:
    """The key or index of each part of ``path`` in ``data``, items named by name resolved."""
    parts = split_path(path)
    node = data
    where = ""
    keys: list[str | int] = []
    for part in parts:
        key = _child_key(node, part, path, where)
        keys.append(key)
        node = node[key]
        where = f"{where}.{part}" if where else part
    return keys


def value_at(data: Any, path: str) -> Any:
    """The value at ``path`` in ``data``; :class:`ScenarioError` naming the path if none."""
    node = data
    for key in _keys(data, path):
        node = node[key]
    return node


def where_indexed(data: Any, path: str) -> str:
    """``path`` (which exists in ``data``) with list items by index, not by name.

    Two spellings of one key (``strategies.fast.p`` and ``strategies.0.p``) give one answer.
    """
    return ".".join(str(key) for key in _keys(data, path))


def set_values(data: Any, values: Mapping[str, Any]) -> None:
    """Set each ``path: value`` of ``values`` in ``data``, in place; every key must exist."""
    for path, value in values.items():
        *parents, last = _keys(data, path)
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
