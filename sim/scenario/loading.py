"""Reading a scenario file into a validated :class:`Scenario`, with one-line errors.

Every problem becomes a :class:`ScenarioError` whose message names the file, the key path and
what is wrong, e.g. ``scenarios/x.yaml: warehouse.pick_minutes.sigma: must be > 0, got -0.4``.
"""

from __future__ import annotations

import difflib
import importlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.scenario.spec import Scenario

__all__ = ["load_scenario", "parse_scenario"]


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of keeping the last one."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            mark = key_node.start_mark
            raise ScenarioError(
                f"{mark.name}:{mark.line + 1}:{mark.column + 1}: duplicate key {key!r}"
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate the scenario file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    try:
        loader = _StrictLoader(text)
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ScenarioError(f"{where}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: invalid YAML: {exc}") from None
    return parse_scenario(data, source=str(path))


def parse_scenario(data: Any, *, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed scenario data (a mapping), naming ``source`` in errors."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a mapping of keys, got {_kind(data)}")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {describe_error(exc, data)}") from None
    _check_imports(scenario, source)
    return scenario


def _check_imports(scenario: Scenario, source: str) -> None:
    """Every custom strategy's 'package.module:Name' must import, the competitors' too."""
    located = [(f"strategies[{i}]", s) for i, s in enumerate(scenario.strategies)]
    if scenario.market is not None:
        located += [(f"market.competitors[{i}].strategy", c.strategy)
                    for i, c in enumerate(scenario.market.competitors)]
    for key, strategy in located:
        path = getattr(strategy, "path", None)
        if path is None:
            continue
        module_name, _, attribute = path.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # any failure to import is the user's to fix
            raise ScenarioError(
                f"{source}: {key}.path: cannot import strategy {path!r}: {exc}"
            ) from None
        if not hasattr(module, attribute):
            raise ScenarioError(
                f"{source}: {key}.path: cannot import strategy {path!r}: "
                f"module {module_name!r} has no {attribute!r}"
            )


def describe_error(exc: ValidationError, data: Any) -> str:
    """The first validation problem as 'key.path: what is wrong, got value'."""
    errors = exc.errors(include_url=False)
    # a misspelt key also shows up as a missing one: name the misspelling
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    path = _key_path(error["loc"], data)
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        hint = _did_you_mean(key)
        return f"{path}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "union_tag_invalid":
        return f"{path}: {message}"
    if kind in {"union_tag_not_found"}:
        return f"{path}: {message}"
    if ": " in message and path == "":
        return message
    got = "" if kind.startswith(("model_", "value_error")) else _got(error.get("input"))
    where = f"{path}: " if path else ""
    return f"{where}{message}{got}"


def _got(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f", got {_kind(value)}"
    return f", got {value!r}"


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _key_path(loc: tuple, data: Any) -> str:
    """Dotted path of ``loc`` in the user's data, skipping pydantic's union-tag entries."""
    parts: list[str] = []
    node = data
    for i, item in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(item, int) and isinstance(node, list):
            parts.append(f"[{item}]")
            node = node[item] if item < len(node) else None
        elif isinstance(node, dict) and item in node:
            parts.append(f".{item}" if parts else str(item))
            node = node[item]
        elif isinstance(node, dict) and item in (node.get("dist"), node.get("kind")):
            continue  # the tag of a discriminated union, not a key of the file
        elif last or not isinstance(node, dict):
            parts.append(f".{item}" if parts else str(item))
            node = None
        # otherwise a discriminated-union tag pydantic inserts: not a key of the file
    return "".join(parts)


def _spec_field_names() -> set[str]:
    names: set[str] = set()
    stack: list[type[BaseModel]] = [Scenario]
    seen: set[type] = set()
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(field.alias or name)
        stack.extend(model.__subclasses__())
    from sim.scenario.base import Spec

    stack = [Spec]
    while stack:
        model = stack.pop()
        for name, field in model.model_fields.items():
            names.add(field.alias or name)
        stack.extend(model.__subclasses__())
    return names


def _did_you_mean(key: str) -> str:
    matches = difflib.get_close_matches(key, sorted(_spec_field_names()), n=1, cutoff=0.75)
    return f" {key!r} (did you mean {matches[0]!r}?)" if matches else f" {key!r}"
