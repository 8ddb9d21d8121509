"""The JSON Schema of scenario files, for editors and for ``promise-sim schema``."""

from __future__ import annotations

from typing import Any

from sim.scenario.spec import Scenario

__all__ = ["scenario_schema"]

SCHEMA_ID = "https://promise-sim.invalid/scenario.schema.json"


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every scenario file must satisfy."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "promise-sim scenario"
    return schema
