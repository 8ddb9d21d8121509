"""A scenario's assumptions as readable tables: every setting with its value and its meaning.

Walks the frozen specs generically, so a section added to the scenario shows up in reports
without code here: nested sections become dotted keys, lists of items (shifts, service
levels, events, strategies) become tables, distributions read as ``lognormal (median 3.5,
sigma 0.5; mean 3.97)``. The meaning of each key is its field's description in the spec.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sim.scenario.base import WEEKDAYS, Spec
from sim.scenario.spec import Scenario

__all__ = ["AssumptionSection", "AssumptionTable", "assumption_sections", "format_value"]

#: Sections of a scenario shown as assumptions, in reading order, with their titles.
SECTION_TITLES = {
    "horizon": "Horizon",
    "calendar": "Calendar",
    "demand": "Demand",
    "warehouse": "Warehouse",
    "carrier": "Carrier services",
    "disruptions": "Disruptions and peaks",
    "satisfaction": "Satisfaction",
    "customers": "Customers",
    "market": "Market",
    "economics": "Economics",
    "strategies": "Strategies",
    "experiment": "Experiment",
    "sweep": "Sweep",
    "optimize": "Optimisation",
    "sensitivity": "Sensitivity",
}
_MAX_ITEMS = 24
_MAX_COLUMNS = 8


@dataclass(frozen=True, slots=True)
class AssumptionTable:
    """A list of like items (shifts, service levels...), one row each."""

    key: str
    about: str
    columns: list[str]
    rows: list[list[str]]
    legend: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AssumptionSection:
    """One section of the scenario: key/value/meaning rows, and tables of its lists."""

    key: str
    title: str
    about: str
    rows: list[tuple[str, str, str]]
    tables: list[AssumptionTable]


def assumption_sections(
    scenario: Scenario, *, replications: int | None = None, seed: int | None = None
) -> list[AssumptionSection]:
    """The scenario's sections that are present, as rows and tables, in reading order.

    ``replications`` and ``seed`` are a run's, shown beside the scenario's when they differ
    (a run may override them).
    """
    run = {"replications": replications, "seed": seed}
    sections = []
    for key, title in SECTION_TITLES.items():
        value = getattr(scenario, key)
        if value is None:
            continue
        about = Scenario.model_fields[key].description or ""
        rows: list[tuple[str, str, str]] = []
        tables: list[AssumptionTable] = []
        if isinstance(value, Spec):
            about = _first_line(type(value).__doc__) or about
            _walk(value, "", rows, tables)
        else:
            tables.append(_table(key, value, about))
            if key == "strategies":
                rows.append(("baseline", scenario.baseline_name,
                             Scenario.model_fields["baseline"].description or ""))
        if key == "experiment":
            rows = [_with_run(row, run.get(row[0])) for row in rows]
        sections.append(AssumptionSection(key, title, about, rows, tables))
    return sections


def _with_run(row: tuple[str, str, str], actual: int | None) -> tuple[str, str, str]:
    key, value, about = row
    if actual is None or str(actual) == value:
        return row
    return (key, f"{value} (this run: {actual})", about)


def format_value(value: Any) -> str:
    """A setting as a person reads it: short numbers, lists joined, distributions named."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if _is_distribution(value):
        return _distribution(value)
    if isinstance(value, Spec):
        return "; ".join(f"{name} {format_value(v)}" for name, v in _fields(value))
    if isinstance(value, dict):
        keys = sorted(value, key=WEEKDAYS.index) if set(value) <= set(WEEKDAYS) else value
        return ", ".join(f"{k} {format_value(value[k])}" for k in keys) or "none"
    if isinstance(value, (list, tuple)):
        shown = [format_value(v) for v in value[:_MAX_ITEMS]]
        more = f", ... ({len(value)} values)" if len(value) > _MAX_ITEMS else ""
        return (", ".join(shown) + more) or "none"
    return str(value)


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n\n")[0].replace("\n", " ")


def _fields(spec: Spec) -> list[tuple[str, Any]]:
    """The settings of ``spec`` as a scenario file names them, without output-only ones."""
    return [(info.alias or name, getattr(spec, name))
            for name, info in type(spec).model_fields.items() if not info.exclude]


def _is_distribution(value: Any) -> bool:
    return isinstance(value, Spec) and "dist" in type(value).model_fields


def _distribution(spec: Spec) -> str:
    """``name (parameters; mean m)``: the mean when the parameters do not already say it."""
    params = dict(_fields(spec))
    name = params.pop("dist")
    mean = getattr(spec, "mean", None)
    shown = isinstance(mean, float) and "mean" not in params and name != "constant"
    tail = f"; mean {mean:.3g}" if shown else ""
    text = ", ".join(f"{key} {format_value(v)}" for key, v in params.items())
    return f"{name} ({text}{tail})"


def _is_item_list(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(v, Spec) and not _is_distribution(v) for v in value))


def _walk(spec: Spec, prefix: str, rows: list, tables: list) -> None:
    for name, value in _fields(spec):
        key = f"{prefix}{name}"
        about = type(spec).model_fields[name].description or ""
        if _is_item_list(value):
            tables.append(_table(key, value, about))
        elif isinstance(value, Spec) and not _is_distribution(value):
            _walk(value, f"{key}.", rows, tables)
        else:
            rows.append((key, format_value(value), about))


def _table(key: str, items: list[Spec], about: str) -> AssumptionTable:
    """Items of one kind as columns of their settings; mixed kinds as name, kind, settings."""
    settings = [dict(_fields(item)) for item in items]
    names = list(dict.fromkeys(name for values in settings for name in values))
    described = {info.alias or name: info.description or "" for item in items
                 for name, info in type(item).model_fields.items()}
    if len({type(item) for item in items}) == 1 and len(names) <= _MAX_COLUMNS:
        rows = [[format_value(values[name]) for name in names] for values in settings]
        return AssumptionTable(key, about, names, rows, [(n, described[n]) for n in names])
    lead = [name for name in ("name", "kind") if name in names]
    rows = [
        [format_value(values.get(name)) for name in lead]
        + ["; ".join(f"{n} {format_value(v)}" for n, v in values.items() if n not in lead),
           _first_line(type(item).__doc__).split(". ")[0].rstrip(".")]
        for item, values in zip(items, settings)
    ]
    return AssumptionTable(key, about, [*lead, "settings", "rule"], rows)
