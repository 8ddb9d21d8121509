"""The scenario reference and the model page: generated from the specs, and in step with them."""

import difflib
import functools
import json
import re
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from sim.cli.app import main
from sim.scenario import Scenario, load_scenario, scenario_schema
from sim.scenario.reference import REGENERATE, scenario_reference
from sim.world.ledger import METRICS, WEEKLY

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "scenarios.md"
MODEL = ROOT / "docs" / "model.md"
EXAMPLES = sorted((ROOT / "scenarios").rglob("*.yaml"))
#: Blocks of experiment design, not of the model: their defaults are in scenarios.md only.
DESIGN_KEYS = ("claim", "sweep", "optimize", "sensitivity")


@functools.cache
def reference() -> str:
    """The generated reference, made once for the module's tests."""
    return scenario_reference()


def models_in(annotation) -> list[type[BaseModel]]:
    """The spec classes a field's annotation holds (through lists, unions and Optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in models_in(arg)]


def reachable_specs(skip: tuple[str, ...] = ()) -> list[type[BaseModel]]:
    """Every spec class a scenario can hold, not entering the top-level keys ``skip``."""
    found, stack = [], [Scenario]
    while stack:
        model = stack.pop()
        if model in found:
            continue
        found.append(model)
        for name, info in model.model_fields.items():
            if not (model is Scenario and name in skip):
                stack.extend(models_in(info.annotation))
    return found


def sections(text: str) -> dict[str, str]:
    """The reference's sections by heading text."""
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def table_rows(text: str) -> list[list[str]]:
    """The cells of every table row of ``text`` (header and rule rows included)."""
    return [[c.strip() for c in line.strip().strip("|").split(" | ")]
            for line in text.splitlines() if line.startswith("| ")]


def test_scenario_reference_matches_committed_docs():
    generated = scenario_reference()
    committed = REFERENCE.read_text(encoding="utf-8")

    if generated != committed:
        diff = "\n".join(list(difflib.unified_diff(
            committed.splitlines(), generated.splitlines(), "docs/scenarios.md", "generated",
            lineterm=""))[:40])
        pytest.fail(f"docs/scenarios.md is out of date with the scenario specs; regenerate it "
                    f"with: {REGENERATE}\n{diff}")


def test_schema_markdown_prints_the_reference(capsys):
    code = main(["schema", "--markdown"])

    out = capsys.readouterr()
    assert code == 0
    assert out.err == ""
    assert out.out == scenario_reference()


def test_schema_without_markdown_still_prints_json(capsys):
    code = main(["schema"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["title"] == "promise-sim scenario"


@pytest.mark.parametrize("model", reachable_specs(), ids=lambda m: m.__name__)
def test_scenario_reference_lists_every_field_of_every_block(model):
    found = sections(reference())
    keys = {(info.alias or name) for name, info in model.model_fields.items()}
    candidates = [body for title, body in found.items()
                  if title == model.__name__ or title.startswith(f"{model.__name__} (")]

    listed = [{row[0].strip("`") for row in table_rows(body)} for body in candidates]

    assert any(keys <= rows for rows in listed), f"{model.__name__}: {sorted(keys)}"


def test_scenario_reference_lists_every_key_of_the_schema():
    schema = scenario_schema()
    text = reference()
    keys = set(schema["properties"])
    for block in schema["$defs"].values():
        keys |= set(block.get("properties", {}))

    missing = [k for k in sorted(keys) if f"| `{k}` |" not in text]

    assert missing == []


def test_scenario_reference_links_lead_to_headings():
    text = reference()
    anchors = {re.sub(r"[^a-z0-9 _-]", "", title.lower()).replace(" ", "-")
               for title in sections(text)}

    targets = set(re.findall(r"\]\(#([^)]+)\)", text))

    assert targets - anchors == set()
    assert len(anchors) == len(sections(text))


def test_scenario_reference_shows_defaults_made_by_factories():
    rows = {row[0]: row for row in table_rows(sections(reference())["Calendar"])}

    weekdays = ", ".join(Scenario.model_fields["calendar"].default_factory().working_weekdays)

    assert rows["`working_weekdays`"][2] == f"`[{weekdays}]`"
    assert rows["`delivery_hours`"][2] == "`{}`"


def test_scenario_reference_shows_required_keys_and_their_bounds():
    rows = {row[0]: row for row in table_rows(sections(reference())["Horizon"])}
    days = scenario_schema()["$defs"]["Horizon"]["properties"]["days"]

    assert rows["`days`"][2] == "*required*"
    assert rows["`days`"][3] == f"> {days['exclusiveMinimum']}, <= {days['maximum']}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_example_scenarios_validate_against_the_schema(path):
    jsonschema = pytest.importorskip("jsonschema")
    load_scenario(path)
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))

    errors = list(jsonschema.Draft202012Validator(scenario_schema()).iter_errors(data))

    assert [e.message for e in errors] == []


def model_defaults_table() -> dict[str, str]:
    """The defaults tables of docs/model.md: key path to the default as written."""
    text = MODEL.read_text(encoding="utf-8")
    section = text.split("## 17. Defaults and their sources", 1)[1].split("\n## ", 1)[0]
    return {row[0].strip("`"): row[1] for row in table_rows(section)
            if row[0].startswith("`")}


def spec_default(path: str):
    """The default of a key path such as ``customers.word_of_mouth.memory`` or
    ``strategies[controlled].dispatch_days`` (a list's items as ``[]``, a kind in brackets)."""
    model = Scenario
    *parents, last = path.split(".")
    for part in parents:
        name, _, kind = part.partition("[")
        kind = kind.rstrip("]")
        options = models_in(model.model_fields[name].annotation)
        if kind:
            options = [m for m in options
                       if typing.get_args(m.model_fields["kind"].annotation) == (kind,)]
        (model,) = options
    info = model.model_fields[last]
    value = info.get_default(call_default_factory=True, validated_data={})
    return json.loads(json.dumps(value, default=str))


def documented_value(cell: str):
    """A default as model.md writes it: YAML in backticks, or ``n × `value```."""
    repeated = re.fullmatch(r"(\d+) × `(.+)`", cell)
    if repeated:
        return [yaml.safe_load(repeated.group(2))] * int(repeated.group(1))
    return yaml.safe_load(cell.strip("`"))


def model_default_paths() -> set[str]:
    """Key paths of every model key with a default (other than a block of defaults), each
    block once, at the first place it appears; distributions have no defaults to speak of."""
    paths, seen = set(), set()

    def walk(model, prefix):
        if model in seen or model.__module__ == "sim.scenario.distributions":
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            if model is Scenario and name in DESIGN_KEYS:
                continue
            nested = models_in(info.annotation)
            default = None if info.is_required() else info.get_default(
                call_default_factory=True, validated_data={})
            if not info.is_required() and not isinstance(default, BaseModel):
                paths.add(f"{prefix}{name}")
            if nested:
                many = typing.get_origin(info.annotation) is list or any(
                    typing.get_origin(a) is list for a in typing.get_args(info.annotation))
                for child in nested:
                    kind = child.model_fields.get("kind")
                    suffix = ""
                    if kind is not None and len(nested) > 1:
                        suffix = f"[{typing.get_args(kind.annotation)[0]}]"
                    elif many:
                        suffix = "[]"
                    walk(child, f"{prefix}{name}{suffix}.")

    walk(Scenario, "")
    return paths


def test_model_page_lists_every_default_of_the_model():
    documented = set(model_defaults_table())

    undocumented = model_default_paths() - documented
    stale = documented - model_default_paths()

    assert undocumented == set(), "add these defaults and their sources to docs/model.md, 17"
    assert stale == set(), "docs/model.md, 17 lists keys the specs do not have"


@pytest.mark.parametrize("path", sorted(model_defaults_table()))
def test_model_page_default_matches_the_spec(path):
    written = model_defaults_table()[path]

    assert documented_value(written) == spec_default(path), (
        f"docs/model.md gives {path} = {written}; the spec's default differs")


def test_model_page_defines_every_metric_and_weekly_series():
    text = MODEL.read_text(encoding="utf-8")

    missing = [name for name in [*METRICS, *WEEKLY] if f"`{name}`" not in text]

    assert missing == []
