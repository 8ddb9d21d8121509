"""The scenario file reference in Markdown, generated from the scenario's JSON Schema.

``promise-sim schema --markdown`` prints it and ``docs/scenarios.md`` holds it: one section
per block of a scenario file, each a table of its keys (type, default, constraints,
description), nested blocks linked. Everything comes from the pydantic specs (the schema for
types, bounds and descriptions; the spec classes for defaults made by factories), so the
reference cannot drift from the code; a test checks the committed copy is current.
"""

from __future__ import annotations

import json
import math
import re
import typing
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from sim.scenario.messages import one_line
from sim.scenario.schema import scenario_schema
from sim.scenario.spec import Scenario

__all__ = ["scenario_reference"]

#: The command that rewrites the committed reference.
REGENERATE = "promise-sim schema --markdown > docs/scenarios.md"

#: Headings of the discriminated unions, named by one of their members.
_UNION_TITLES = {
    "BufferStrategy": "Strategy",
    "Constant": "Distribution",
    "KimNelson": "Selection method",
}

#: Lists of one repeated value longer than this are shown as ``n × value``.
_LONG_LIST = 4

_INTRO = """\
# Scenario file reference

<!-- Generated from the scenario specs (sim/scenario/) by `{regenerate}`.
Do not edit by hand: change the specs' docstrings and field descriptions, then regenerate. -->

A scenario is one YAML file: the world (calendar, demand, warehouse, carrier, disruptions,
customers, market, economics), the promise strategies to compare in it, and the experiment
(replications, seed), with optional `claim`, `sweep`, `optimize` and `sensitivity` blocks.
Each section below is one block of the file and a table of its keys: the type, the default
(*required* when there is none; `{{}}` means the block with all its own defaults), the
constraints the loader enforces, and what the key means. Unknown keys are errors. Rules that
tie several keys together (a window's end not before its start, shifts that do not overlap,
unique names, strategies and service levels that exist) are checked too when the file is
loaded: `promise-sim validate FILE` reports the first problem as one line naming the key.

Paths such as `carrier.service_levels[].transit_days` say where a block sits (`[]`: each item
of a list). The model behind the keys, its equations and the source of every default, is in
[model.md](model.md); the same schema for editors is `promise-sim schema`.
"""


@dataclass
class _Section:
    """One heading of the reference: a block (a spec class) or a union of blocks."""

    key: str
    title: str
    union: tuple[str, ...] = ()
    discriminator: str = ""
    member_of: str | None = None
    paths: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return _anchor(self.title)


def scenario_reference() -> str:
    """The Markdown reference of every block and key a scenario file may hold."""
    schema = scenario_schema()
    defs = schema["$defs"]
    classes = _spec_classes()
    sections = _walk(schema, defs)
    lines = [_INTRO.format(regenerate=REGENERATE), "## Contents", ""]
    for section in sections.values():
        indent = "  " if section.member_of else ""
        lines.append(f"{indent}- [{section.title}](#{section.anchor})")
    lines.append("")
    for section in sections.values():
        if section.union:
            lines += _union_section(section, sections, defs)
        else:
            body = schema if section.key == "Scenario" else defs[section.key]
            lines += _block_section(section, body, sections, classes.get(section.key))
    return "\n".join(lines).rstrip("\n") + "\n"


def _anchor(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^a-z0-9 _-]", "", title.lower()).replace(" ", "-")


def _title(key: str) -> str:
    """A heading for a ``$defs`` entry; pydantic qualifies clashing names with their module."""
    if "__" not in key:
        return key
    *module, name = key.split("__")
    return f"{name} ({module[-1]})"


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _union_members(node: dict[str, Any]) -> tuple[str, ...] | None:
    """The blocks of a union discriminated on a key, or None if ``node`` is not one."""
    options = node.get("oneOf") or node.get("anyOf")
    if "discriminator" not in node or not options:
        return None
    return tuple(_ref_name(option["$ref"]) for option in options)


def _union_key(members: tuple[str, ...]) -> str:
    return "|".join(members)


def _links(node: Any, suffix: str = "") -> list[tuple[str, str, dict[str, Any]]]:
    """The blocks a key's schema leads to, as ``(path suffix, $defs name or union, node)``."""
    if not isinstance(node, dict):
        return []
    members = _union_members(node)
    if members is not None:
        return [(suffix, _union_key(members), node)]
    if "$ref" in node:
        return [(suffix, _ref_name(node["$ref"]), node)]
    found = []
    for option in node.get("anyOf", []) + node.get("oneOf", []):
        found += _links(option, suffix)
    found += _links(node.get("items"), suffix + "[]")
    for item in node.get("prefixItems", []):
        found += _links(item, suffix + "[]")
    found += _links(node.get("additionalProperties"), suffix + ".<key>")
    return found


def _walk(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, _Section]:
    """Every block reachable from the top, in the order a reader meets them, with its paths."""
    sections: dict[str, _Section] = {"Scenario": _Section("Scenario", "Scenario")}

    def visit(node: dict[str, Any], prefix: str, stack: tuple[str, ...]) -> None:
        for key, prop in node.get("properties", {}).items():
            for suffix, target, link in _links(prop, ""):
                path = f"{prefix}{key}{suffix}"
                if target in stack:
                    continue
                if "|" in target:
                    visit_union(target, link, path, stack)
                else:
                    visit_block(target, path, stack)

    def visit_block(name: str, path: str, stack: tuple[str, ...]) -> None:
        section = sections.setdefault(name, _Section(name, _title(name)))
        section.paths.append(path)
        visit(defs[name], f"{path}.", (*stack, name))

    def visit_union(key: str, node: dict[str, Any], path: str, stack: tuple[str, ...]) -> None:
        members = tuple(key.split("|"))
        title = next((_UNION_TITLES[m] for m in members if m in _UNION_TITLES),
                     f"One of {', '.join(members)}")
        section = sections.setdefault(
            key, _Section(key, title, members, node["discriminator"]["propertyName"]))
        section.paths.append(path)
        for member in members:
            sections.setdefault(member, _Section(member, _title(member), member_of=key))
        for member in members:
            visit(defs[member], f"{path}.", (*stack, key, member))

    visit(schema, "", ("Scenario",))
    return sections


def _block_section(
    section: _Section,
    body: dict[str, Any],
    sections: dict[str, _Section],
    cls: type[BaseModel] | None,
) -> list[str]:
    level = "###" if section.member_of else "##"
    lines = [f"{level} {section.title}", ""]
    doc = body.get("description", "")
    if doc:
        lines += [_prose(doc), ""]
    if section.paths:
        lines += [f"In: {', '.join(f'`{p}`' for p in section.paths)}", ""]
    lines += ["| key | type | default | constraints | description |",
              "| --- | --- | --- | --- | --- |"]
    required = set(body.get("required", []))
    fields = _fields_by_alias(cls)
    for key, prop in body.get("properties", {}).items():
        default = "*required*" if key in required else _default(prop, fields.get(key))
        cells = [f"`{key}`", _type(prop, sections), default, _constraints(prop),
                 one_line(_prose(prop.get("description", "")))]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def _union_section(
    section: _Section, sections: dict[str, _Section], defs: dict[str, Any]
) -> list[str]:
    key = section.discriminator
    lines = [f"## {section.title}", "",
             f"In: {', '.join(f'`{p}`' for p in section.paths)}", "",
             f"One of these blocks, chosen by its `{key}`:", "",
             f"| `{key}` | block | what it is |", "| --- | --- | --- |"]
    for member in section.union:
        body = defs[member]
        value = body["properties"][key].get("const", "")
        summary = one_line(_prose(body.get("description", "").split("\n\n")[0]))
        lines.append(f"| `{value}` | [{sections[member].title}](#{sections[member].anchor}) | "
                     f"{_cell(summary)} |")
    return [*lines, ""]


def _spec_classes() -> dict[str, type[BaseModel]]:
    """The spec classes reachable from :class:`Scenario`, by their ``$defs`` name."""
    found: list[type[BaseModel]] = []
    stack: list[Any] = [Scenario]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item not in found:
                found.append(item)
                stack += [f.annotation for f in item.model_fields.values()]
        else:
            stack += list(typing.get_args(item))
    names = [c.__name__ for c in found]
    by_key = {}
    for cls in found:
        key = cls.__name__
        if names.count(key) > 1:
            key = f"{cls.__module__}.{cls.__qualname__}".replace(".", "__")
        by_key[key] = cls
    return by_key


def _fields_by_alias(cls: type[BaseModel] | None) -> dict[str, Any]:
    if cls is None:
        return {}
    return {(f.alias or name): f for name, f in cls.model_fields.items()}


def _default(prop: dict[str, Any], info: Any) -> str:
    """A key's default, as a scenario file would write it."""
    if info is not None:
        value = info.get_default(call_default_factory=True, validated_data={})
    elif "default" in prop:
        value = prop["default"]
    else:
        return ""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if (isinstance(value, list) and len(value) > _LONG_LIST
            and all(v == value[0] for v in value)):
        return f"{len(value)} × `{_yaml(value[0])}`"
    return f"`{_yaml(value)}`"


def _yaml(value: Any) -> str:
    """``value`` in YAML flow style, on one line; a lone string in double quotes."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple, dict)):
        value = _plain(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=math.inf, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _type(node: dict[str, Any], sections: dict[str, _Section]) -> str:
    """What a key holds, in words, with nested blocks linked."""
    members = _union_members(node)
    if members is not None:
        section = sections[_union_key(members)]
        return f"[{section.title}](#{section.anchor})"
    if "$ref" in node:
        section = sections[_ref_name(node["$ref"])]
        return f"[{section.title}](#{section.anchor})"
    options = node.get("anyOf") or node.get("oneOf")
    if options:
        return " or ".join(_type(option, sections) for option in options)
    kind = node.get("type")
    if kind == "array":
        if "prefixItems" in node:
            return "[" + ", ".join(_type(i, sections) for i in node["prefixItems"]) + "]"
        items = node.get("items")
        return "list" if not items else f"list of {_inner_type(items, sections)}"
    if kind == "object":
        values = node.get("additionalProperties")
        if isinstance(values, dict):
            return f"map of string to {_inner_type(values, sections)}"
        return "map"
    if kind == "string" and node.get("format") == "date":
        return "date (YYYY-MM-DD)"
    if kind == "null":
        return "null"
    return kind or "any"


def _inner_type(node: dict[str, Any], sections: dict[str, _Section]) -> str:
    """The type of list items or map values, a choice of several in parentheses."""
    text = _type(node, sections)
    return f"({text})" if " or " in text else text


_BOUNDS = (("exclusiveMinimum", ">"), ("minimum", ">="), ("exclusiveMaximum", "<"),
           ("maximum", "<="))


def _constraints(node: dict[str, Any]) -> str:
    """The rules on a key's value: bounds, patterns, lengths, allowed values."""
    parts: list[str] = []
    for option in node.get("anyOf") or node.get("oneOf") or []:
        if _union_members(node) is None:
            inner = _constraints(option)
            if inner:
                parts.append(inner)
    parts += [f"{sign} {_number(node[k])}" for k, sign in _BOUNDS if k in node]
    if "const" in node:
        parts.append(f"`{node['const']}`")
    if "enum" in node:
        parts.append("one of " + ", ".join(f"`{v}`" for v in node["enum"]))
    if "pattern" in node:
        parts.append(f"matches `{node['pattern']}`")
    parts += _sizes(node, "minLength", "maxLength", "characters")
    if "prefixItems" not in node:
        parts += _sizes(node, "minItems", "maxItems", "items")
    parts += _sizes(node, "minProperties", "maxProperties", "entries")
    items = node.get("items")
    if isinstance(items, dict) and "$ref" not in items and _union_members(items) is None:
        inner = _constraints(items)
        if inner:
            parts.append(f"each {inner}")
    names = node.get("propertyNames", {})
    if "enum" in names:
        parts.append("keys one of " + ", ".join(f"`{v}`" for v in names["enum"]))
    values = node.get("additionalProperties")
    if isinstance(values, dict) and "$ref" not in values:
        inner = _constraints(values)
        if inner:
            parts.append(f"values {inner}")
    return ", ".join(parts)


def _sizes(node: dict[str, Any], low: str, high: str, unit: str) -> list[str]:
    def count(n: int) -> str:
        return f"{n} {unit if n != 1 else unit.removesuffix('s')}"

    if low in node and node.get(high) == node[low]:
        return [f"exactly {count(node[low])}"]
    if node.get(low) == 1 and high not in node:
        return ["not empty"]
    out = []
    if low in node:
        out.append(f"at least {count(node[low])}")
    if high in node:
        out.append(f"at most {count(node[high])}")
    return out


def _number(x: float) -> str:
    """A bound as people write it: ``1e7`` and ``2^63`` rather than long digit strings."""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, int) and abs(x) >= 10**6:
        if x & (x - 1) == 0:
            return f"2^{x.bit_length() - 1}"
        digits = str(abs(x))
        if digits.rstrip("0") == "1":
            return f"{'-' if x < 0 else ''}1e{len(digits) - 1}"
    return str(x)


def _prose(text: str) -> str:
    """A docstring as Markdown: reST literals and roles become code spans."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`").strip()


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")

