"""Validation errors in the user's words: the key path in their file, what is wrong, the value.

Pydantic reports where in the model a value failed; :func:`describe_error` turns the first
problem into ``key.path: what is wrong, got value``, with the path as the file writes it (list
items by position, no union tags) and a close spelling offered for an unknown key.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ValidationError

from sim.scenario.base import Spec

__all__ = ["describe_error", "kind_of", "one_line"]


def one_line(text: str | None) -> str:
    """``text`` with its line breaks and runs of spaces made single spaces."""
    return " ".join(str(text).split())


def describe_error(exc: ValidationError, data: Any, model: type[BaseModel]) -> str:
    """The first problem of ``data`` as a ``model``: 'key.path: what is wrong, got value'."""
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
        hint = _did_you_mean(key, model, error["loc"][:-1])
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
        return f", got {kind_of(value)}"
    text = repr(value)
    if len(text) > _GOT_CHARS:
        text = f"{text[:_GOT_CHARS - 3]}..."
    return f", got {text}"


def kind_of(value: Any) -> str:
    """What ``value`` is, in words: 'a mapping', 'a list', 'nothing', 'int'..."""
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
    """Every key any scenario spec allows (for a hint where the section is unknown)."""
    names: set[str] = set()
    stack: list[type[BaseModel]] = [Spec]
    while stack:
        spec = stack.pop()
        names.update(_keys(spec))
        stack.extend(spec.__subclasses__())
    return names


def _did_you_mean(key: str, model: type[BaseModel], where: tuple = ()) -> str:
    """' key' with the closest key allowed at ``where`` (else anywhere), if one is close."""
    allowed = {name for inner in _models_at(model, where) for name in _keys(inner)}
    candidates = sorted((allowed or _spec_field_names()) - {key})
    matches = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    return f" {key!r} (did you mean {matches[0]!r}?)" if matches else f" {key!r}"


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _models_at(model: type[BaseModel], loc: tuple) -> list[type[BaseModel]]:
    """The specs the section at pydantic's ``loc`` in ``model`` may be (several in a union)."""
    kinds: list[Any] = [model]
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
