"""Reading a scenario file into a validated :class:`Scenario`, with one-line errors.

Every problem becomes a :class:`ScenarioError` whose message names the file, the key path and
what is wrong, e.g. ``scenarios/x.yaml: warehouse.pick_minutes.sigma: must be > 0, got -0.4``.
"""

from __future__ import annotations

import difflib
import importlib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.scenario.spec import Scenario

__all__ = ["MAX_SCENARIO_BYTES", "load_scenario", "parse_scenario"]

#: A scenario is a page or two of settings; a file larger than this is the wrong file (a
#: data set, a device such as /dev/zero), refused before it is read into memory.
MAX_SCENARIO_BYTES = 1_000_000


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of keeping the last one."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, typing.Hashable):
            break  # construct_mapping reports the unhashable key with its line
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
    text = _read_text(path)
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
        raise ScenarioError(f"{where}: invalid YAML: {_yaml_problem(exc)}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ScenarioError(
            f"{path}:{line}:{column}: invalid YAML: unacceptable character #x{code:04x}: "
            f"{exc.reason}"
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: invalid YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: invalid YAML: nested too deeply") from None
    return parse_scenario(data, source=str(path))


def _read_text(path: Path) -> str:
    """The file's text, refusing what is not a small UTF-8 file before reading it whole."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SCENARIO_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a scenario file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{path}: larger than {MAX_SCENARIO_BYTES:,} bytes: not a scenario file "
            "(a scenario is a page or two of settings)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc} (a scenario file is UTF-8 text)") from None


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """What the YAML parser found wrong, with the context it needs to make sense."""
    problem = exc.problem or ""
    if exc.context and problem.startswith("but "):
        problem = f"{exc.context}, {problem}"
    elif exc.context and exc.context_mark and "end of stream" in problem:
        opened = exc.context_mark
        problem += f" ({exc.context} from {opened.line + 1}:{opened.column + 1})"
    return _one_line(problem)


def _one_line(text: str | None) -> str:
    return " ".join(str(text).split())


def parse_scenario(data: Any, *, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed scenario data (a mapping), naming ``source`` in errors."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a mapping of keys, got {_kind(data)}")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {describe_error(exc, data)}") from None
    _check_imports(scenario, source)
    if scenario.sweep is not None:
        from sim.scenario.sweep import check_sweep

        check_sweep(scenario, source)
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
        except (Exception, SystemExit) as exc:  # any failure to import is the user's to fix
            raise ScenarioError(
                f"{source}: {key}.path: cannot import strategy {path!r}: "
                f"{_one_line(str(exc)) or type(exc).__name__}"
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
        hint = _did_you_mean(key, error["loc"][:-1])
        return f"{path}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "union_tag_invalid":
        return f"{path}: {message}"
    if kind in {"union_tag_not_found"}:
        return f"{path}: {message}"
    if ": " in message and path == "":
        return message
    quiet = kind.startswith(("model_", "value_error")) and kind not in _GOT_KINDS
    got = "" if quiet else _got(error.get("input"))
    where = f"{path}: " if path else ""
    return f"{where}{message}{got}"


#: Model errors whose input is the user's value (a scalar where a section belongs).
_GOT_KINDS = {"model_type", "model_attributes_type"}
#: Longest value quoted back in a message.
_GOT_CHARS = 60


def _got(value: Any) -> str:
    if isinstance(value, (dict, list, type(None))):
        return f", got {_kind(value)}"
    text = repr(value)
    if len(text) > _GOT_CHARS:
        text = f"{text[:_GOT_CHARS - 3]}..."
    return f", got {text}"


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
            parts.append(f".{_shown(item)}" if parts else _shown(item))
            node = node[item]
        elif isinstance(node, dict) and item in (node.get("dist"), node.get("kind")):
            continue  # the tag of a discriminated union, not a key of the file
        elif last or not isinstance(node, dict):
            parts.append(f".{_shown(item)}" if parts else _shown(item))
            node = None
        # otherwise a discriminated-union tag pydantic inserts: not a key of the file
    return "".join(parts)


def _shown(key: Any) -> str:
    """A key as the path shows it: quoted if it has line breaks or other unprintable text."""
    text = str(key)
    return text if text.isprintable() and text.strip() == text and text else repr(text)


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


def _did_you_mean(key: str, where: tuple = ()) -> str:
    """' key' with the closest key allowed at ``where`` (else anywhere), if one is close."""
    allowed = {name for model in _models_at(where) for name in _keys(model)}
    candidates = sorted((allowed or _spec_field_names()) - {key})
    matches = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    return f" {key!r} (did you mean {matches[0]!r}?)" if matches else f" {key!r}"


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _models_at(loc: tuple) -> list[type[BaseModel]]:
    """The spec models the section at pydantic's ``loc`` may be (several inside a union)."""
    kinds: list[Any] = [Scenario]
    for item in loc:
        kinds = [inner for kind in kinds for inner in _step(kind, item)]
    return [m for kind in kinds for m in _step(kind, None) if _is_model(m)]


def _step(kind: Any, item: Any) -> list[Any]:
    """What ``item`` of a ``kind`` may be; ``item=None``: the models a union may be."""
    origin = typing.get_origin(kind)
    if origin is Annotated:
        return _step(typing.get_args(kind)[0], item)
    if origin in (typing.Union, types.UnionType):
        return [inner for arg in typing.get_args(kind) for inner in _step(arg, item)]
    if item is None:
        return [kind]
    if origin in (list, tuple) and isinstance(item, int):
        return [typing.get_args(kind)[0]]
    if origin is dict:
        return [typing.get_args(kind)[1]]
    if not _is_model(kind):
        return []
    for name, field in kind.model_fields.items():
        if item in (name, field.alias):
            return [field.annotation]
    tags = [kind.model_fields[t].annotation for t in ("kind", "dist") if t in kind.model_fields]
    if any(typing.get_origin(t) is Literal and item in typing.get_args(t) for t in tags):
        return [kind]
    return []


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)
