"""Reading a scenario file into a validated :class:`Scenario`, with one-line errors.

Every problem becomes a :class:`ScenarioError` whose message names the file, the key path and
what is wrong, e.g. ``scenarios/x.yaml: warehouse.pick_minutes.sigma: must be > 0, got -0.4``.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.checks import check_scenario
from sim.scenario.messages import describe_error, kind_of, one_line
from sim.scenario.spec import Scenario

__all__ = ["MAX_SCENARIO_BYTES", "load_scenario", "parse_scenario"]

#: A scenario is a page or two of settings; a file larger than this is the wrong file (a
#: data set, a device such as /dev/zero), refused before it is read into memory.
MAX_SCENARIO_BYTES = 1_000_000


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys, and reads what is not a date or number as text.

    A date that does not exist (``2025-02-30``, month 13, hour 25) stays the text written, so
    the spec names its key and what is wrong rather than YAML failing without a key; a time of
    day (``17:00``) stays text rather than YAML 1.1's base-60 number (1020).
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """The date or date-time written, or its text if there is no such date or time."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        """The integer written, or its text if it is a base-60 one such as a time of day."""
        text = self.construct_scalar(node)
        return text if ":" in text else super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        """The number written, or its text if it is a base-60 one such as ``1:30.5``."""
        text = self.construct_scalar(node)
        return text if ":" in text else super().construct_yaml_float(node)


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
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


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
        raise ScenarioError(f"{path}: invalid YAML: {one_line(str(exc))}") from None
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
    return one_line(problem)


def parse_scenario(data: Any, *, source: str = "<scenario>") -> Scenario:
    """Validate already-parsed scenario data (a mapping), naming ``source`` in errors."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a mapping of keys, got {kind_of(data)}")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {describe_error(exc, data, Scenario)}") from None
    check_scenario(scenario, source)
    return scenario
