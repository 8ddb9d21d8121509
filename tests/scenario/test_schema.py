"""scenario_schema: a valid JSON Schema that the headline scenario satisfies, fully described."""

import json
from pathlib import Path

import pytest
import yaml

from sim.scenario import Spec, scenario_schema

HEADLINE = Path(__file__).resolve().parents[2] / "scenarios" / "zappos_vs_competitor.yaml"


def all_specs() -> list[type[Spec]]:
    """Every public spec model: the subclasses of Spec, recursively, but not private bases."""
    import sim.scenario.distributions
    import sim.scenario.spec  # noqa: F401

    found, stack = [], list(Spec.__subclasses__())
    while stack:
        model = stack.pop()
        if model not in found:
            found.append(model)
            stack.extend(model.__subclasses__())
    return sorted((m for m in found if not m.__name__.startswith("_")), key=lambda m: m.__name__)


def headline_as_json():
    """The headline YAML as JSON data would carry it (dates as ISO strings)."""
    data = yaml.safe_load(HEADLINE.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def test_scenario_schema_is_json_and_names_its_dialect():
    schema = scenario_schema()

    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert set(schema["required"]) >= {"name", "horizon", "demand", "warehouse", "carrier"}
    assert schema["additionalProperties"] is False


def test_scenario_schema_is_valid_json_schema():
    jsonschema = pytest.importorskip("jsonschema")

    jsonschema.Draft202012Validator.check_schema(scenario_schema())


def test_scenario_schema_headline_scenario_validates():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(scenario_schema())

    assert list(validator.iter_errors(headline_as_json())) == []


def test_scenario_schema_refuses_what_the_loader_refuses():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(scenario_schema())
    data = headline_as_json()
    data["warehouse"]["pick_minuts"] = data["warehouse"].pop("pick_minutes")

    with pytest.raises(jsonschema.ValidationError, match="pick_minuts"):
        validator.validate(data)


def test_scenario_schema_reaches_every_spec_model():
    defined = set(scenario_schema()["$defs"])

    missing = {m.__name__ for m in all_specs()} - defined - {"Scenario"}

    assert missing == set()


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(m, id=m.__name__)
        for m in all_specs()
    ],
)
def test_spec_every_field_has_a_description(model):
    undescribed = [
        name for name, field in model.model_fields.items() if not (field.description or "").strip()
    ]

    assert undescribed == [], f"{model.__name__}: {undescribed}"


@pytest.mark.parametrize("model", all_specs(), ids=lambda m: m.__name__)
def test_spec_every_model_has_a_docstring(model):
    assert (model.__doc__ or "").strip(), model.__name__
