"""Fuzzing the loader: whatever it is given, a Scenario or one ScenarioError line, never a crash.

Random mutations of the small headline and of every scenario file (a key dropped, renamed or
given a random JSON value, garbage inserted deep down), random edits of the headline's YAML text,
random text and random bytes: ``parse_scenario`` and ``load_scenario`` return a :class:`Scenario` or raise a
:class:`ScenarioError` whose message is one line naming the source. Any other exception fails.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from factories import small_scenario_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.scenario import Scenario, load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
VALID = small_scenario_data()
VALID_TEXT = yaml.safe_dump(VALID, sort_keys=False)
#: Starting points: the small headline and every scenario file (customers, market, claims,
#: sweeps, searches, sensitivity), so mutations reach every section's checks.
STARTS = [VALID] + [yaml.safe_load(path.read_text(encoding="utf-8"))
                    for path in sorted(SCENARIOS.rglob("*.yaml"))]
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Values at the edges, and names that select other parts of the schema.
EDGES = [0, -1, 1, 2**63, 10**400, 1e-300, 1e308, float("nan"), float("inf"), "", "24:00",
         "2024-02-29", "Mon", "custom", "buffer", "quantile", "adaptive", "controlled", "tight",
         "lognormal", "gamma", "empirical", "triangular", "uniform", "constant", "os:getcwd"]
KEYS = sorted({
    "customers", "market", "claim", "sweep", "optimize", "sensitivity", "pushback", "competitors",
    "strategy", "kind", "dist", "path", "params", "weeks", "higher", "lower", "metric", "keys",
    "values", "weights", "service", "shifts", "peaks", "events", "subdivision", "country",
})
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.sampled_from(EDGES))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=12,
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a key of a mapping or an item of a list inside ``node``."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, (dict, list)):
            found.extend(paths(value, (*prefix, key)))
    return found


def parent(data: Any, path: tuple) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated_scenarios(draw) -> dict[str, Any]:
    """A valid scenario after one to three random mutations."""
    data = copy.deepcopy(draw(st.sampled_from(STARTS)))
    for _ in range(draw(st.integers(1, 3))):
        everywhere = paths(data)
        if not everywhere:
            break
        path = draw(st.sampled_from(everywhere))
        node, key = parent(data, path), path[-1]
        how = draw(st.sampled_from(["drop", "change", "rename", "insert"]))
        if how == "drop":
            del node[key]
        elif how == "change":
            node[key] = draw(json_values)
        elif how == "rename" and isinstance(node, dict):
            new = draw(st.text(min_size=1, max_size=12) | st.just(str(key)[:-1] or "x"))
            node[new] = node.pop(key)
        elif isinstance(node[key], dict):
            node[key][draw(st.text(max_size=12) | st.sampled_from(KEYS))] = draw(json_values)
        elif isinstance(node[key], list):
            node[key].insert(draw(st.integers(0, len(node[key]))), draw(json_values))
        else:
            node[key] = {draw(st.text(max_size=12)): draw(json_values)}
    return data


@st.composite
def edited_texts(draw) -> str:
    """The valid scenario's YAML text with a few characters inserted, deleted or replaced."""
    text = VALID_TEXT
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from([":", " ", "\n", "-", "[", "{", "'", '"', "&a", "*a", "\t",
                                      "!!", "#", "?", "0", "1e9", "\x00", "\ufeff"])
                     | st.text(max_size=3))
        cut = draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut:]
    return text


def check(call, source: str) -> None:
    """``call()`` gives a Scenario, or a ScenarioError of one line that names ``source``."""
    try:
        result = call()
    except ScenarioError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert message.startswith(source), message
    else:
        assert isinstance(result, Scenario)


def load_scenario_text(text: str) -> Scenario:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "valid.yaml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=mutated_scenarios())
def test_parse_scenario_mutated_scenario_is_a_scenario_or_one_line(data):
    check(lambda: parse_scenario(data, source="fuzz"), "fuzz")


@FUZZ
@given(data=mutated_scenarios())
def test_load_scenario_mutated_scenario_file_is_a_scenario_or_one_line(data, folder):
    path = folder / "mutated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    check(lambda: load_scenario(path), str(path))


@FUZZ
@given(text=edited_texts() | st.text(max_size=200))
def test_load_scenario_random_text_is_a_scenario_or_one_line(text, folder):
    path = folder / "edited.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))

    check(lambda: load_scenario(path), str(path))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_load_scenario_random_bytes_are_a_scenario_or_one_line(raw, folder):
    path = folder / "bytes.yaml"
    path.write_bytes(raw)

    check(lambda: load_scenario(path), str(path))


@FUZZ
@given(value=json_values)
def test_parse_scenario_random_json_value_is_one_line(value):
    check(lambda: parse_scenario(value, source="fuzz"), "fuzz")


def test_fuzz_starts_from_a_valid_scenario():
    assert isinstance(parse_scenario(copy.deepcopy(VALID), source="fuzz"), Scenario)
    assert isinstance(load_scenario_text(VALID_TEXT), Scenario)
