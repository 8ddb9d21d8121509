"""Bad input, case by case: one line on stderr, exit status 2, nothing written.

The cases are data (``bad_inputs/cases.yaml``): malformed scenario files and command lines, each
with the line promise-sim must answer. Every case runs through ``sim.cli.app.main`` in an empty
folder holding only its inputs; the folder must hold only those inputs afterwards. The limits
behind the absurd sizes are also checked from Python, and the expected orders they count
against the demand model's own rates.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from factories import small_scenario, small_scenario_data

import sim
from sim.cli.app import main
from sim.errors import ExperimentError, ScenarioError
from sim.scenario import parse_scenario, scenario_schema
from sim.scenario.limits import MAX_ORDERS_PER_DAY, MAX_REPLICATIONS, check_replications
from sim.world.build import build_world

CASES_FILE = Path(__file__).parent / "bad_inputs" / "cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
DEFAULT_ARGV = ["run", "{scenario}", "-r", "2", "-w", "1"]
PREFIX = "promise-sim: error: "


def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def _placeholder(i: int) -> str:
    """Text standing in for the ``i``-th raw value until the scenario is dumped."""
    return f"RAW_VALUE_{i}_"


def patched(changes: dict[str, Any]) -> dict[str, Any]:
    """The small headline scenario with the ``set`` keys changed and the ``delete`` keys gone.

    The ``raw`` keys hold placeholders that :func:`write_inputs` replaces by their text.
    """
    data = small_scenario_data()
    raw = {path: _placeholder(i) for i, path in enumerate(changes.get("raw", {}))}
    for path, value in [*changes.get("set", {}).items(), *raw.items()]:
        *parents, last = [_key(p) for p in path.split(".")]
        node = data
        for part in parents:
            node = node[part]
        node[last] = copy.deepcopy(value)
    for path in changes.get("delete", []):
        *parents, last = [_key(p) for p in path.split(".")]
        node = data
        for part in parents:
            node = node[part]
        del node[last]
    return data


def write_inputs(folder: Path, case: dict[str, Any]) -> str:
    """Write the case's scenario and other inputs into ``folder``; the scenario's path."""
    source = case.get("scenario", {})
    relative = case.get("scenario_path", "scenario.yaml")
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, text in case.get("files", {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    if source.get("missing"):
        return relative
    if source.get("folder"):
        path.mkdir()
    elif "text" in source:
        path.write_text(source["text"], encoding="utf-8")
    elif "bytes" in source:
        path.write_bytes(source["bytes"].encode("latin-1"))
    elif "nested" in source:
        path.write_text("name: " + "[" * source["nested"] + "]" * source["nested"] + "\n")
    elif "size" in source:
        path.write_text("#" * source["size"])
    else:
        text = yaml.safe_dump(patched(source), sort_keys=False) + source.get("append", "")
        for i, value in enumerate(source.get("raw", {}).values()):
            text = text.replace(_placeholder(i), value)
        path.write_text(text, encoding="utf-8")
    return relative


def tree(folder: Path) -> set[str]:
    """Every file and folder below ``folder``, hidden ones too, as relative paths."""
    found = set()
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(root, name), folder))
    return found


def test_bad_inputs_corpus_has_at_least_40_distinct_cases_each_with_one_answer():
    ids = [case["id"] for case in CASES]

    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)
    assert all(("stderr" in case) != ("stderr_regex" in case) for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(case, tmp_path, monkeypatch, capsys):
    if "requires" in case:
        pytest.importorskip(case["requires"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    scenario = write_inputs(tmp_path, case)
    before = tree(tmp_path)
    argv = [arg.replace("{scenario}", scenario) for arg in case.get("argv", DEFAULT_ARGV)]

    code = main(argv)

    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.removesuffix("\n")
    assert line.startswith(PREFIX)
    if "stderr" in case:
        assert line == case["stderr"]
    else:
        assert re.fullmatch(case["stderr_regex"], line), line
    assert "Traceback" not in err
    assert out == ""
    assert tree(tmp_path) == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_bad_input_endless_device_is_refused_before_it_is_read(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    code = main(["validate", "/dev/zero"])

    _, err = capsys.readouterr()
    assert code == 2
    assert err == (f"{PREFIX}/dev/zero: larger than 1,000,000 bytes: not a scenario file (a "
                   "scenario is a page or two of settings)\n")
    assert tree(tmp_path) == set()


def _date_and_time_fields(schema: dict[str, Any], node: dict[str, Any], path: str) -> list[str]:
    """The paths (list items as ``[]``) of every date or time-of-day field below ``node``."""
    if "$ref" in node:
        return _date_and_time_fields(schema, schema["$defs"][node["$ref"].split("/")[-1]], path)
    if "anyOf" in node:
        return [f for option in node["anyOf"] for f in _date_and_time_fields(schema, option, path)]
    if node.get("type") == "array" and "items" in node:
        return _date_and_time_fields(schema, node["items"], f"{path}[]")
    if "properties" in node:
        return [f for key, inner in node["properties"].items()
                for f in _date_and_time_fields(schema, inner, f"{path}.{key}" if path else key)]
    dated = node.get("format") in ("date", "date-time", "time")
    timed = ":" in node.get("pattern", "") or node.get("pattern") == r"^\d\d-\d\d$"
    return [path] if dated or timed else []


def test_bad_inputs_cover_every_date_and_time_field_of_the_schema():
    schema = scenario_schema()
    fields = set(_date_and_time_fields(schema, schema, ""))
    covered = {re.sub(r"\.\d+", "[]", path)
               for case in CASES for path in case.get("scenario", {}).get("raw", {})}

    assert {"horizon.start", "calendar.extra_holidays[]", "calendar.cutoff",
            "warehouse.shifts[].start", "disruptions.peaks[].end"} <= fields
    assert {f.removesuffix("[]") for f in fields} <= covered


# --- the limits behind the absurd-size cases, from Python ----------------------------------------

REPLICATIONS_REASON = (r"must be <= 100,000 \(intervals narrow only as 1/sqrt\(n\): 10\^5 replications "
                       r"already pin a mean within 0\.6% of its standard deviation\), got 1,000,000,000")


def test_check_replications_names_the_limit_and_the_reason():
    assert check_replications(MAX_REPLICATIONS) == MAX_REPLICATIONS
    with pytest.raises(ValueError, match=rf"^{REPLICATIONS_REASON}$"):
        check_replications(10**9)


def test_run_refuses_a_billion_replications_before_running_any():
    with pytest.raises(ExperimentError, match=rf"^'replications' {REPLICATIONS_REASON}$"):
        sim.run(small_scenario(), replications=10**9, workers=1)


def test_parse_scenario_refuses_a_trillion_orders_naming_limit_and_reason():
    data = small_scenario_data()
    data["demand"]["orders_per_day"] = 1e12

    with pytest.raises(ScenarioError, match=(
            r"^x: demand: expected orders in one replication must be <= 1,000,000,000 \(at about "
            r"2\.5 million orders a second, one strategy's replication would take over 7 minutes"
            r"\), got 4\.91e\+13 over 56 days$")):
        parse_scenario(data, source="x")


def test_parse_scenario_refuses_a_busiest_day_beyond_the_limit():
    data = small_scenario_data()
    data["demand"]["orders_per_day"] = MAX_ORDERS_PER_DAY  # x 1.15 on Mondays, x 0.9 in January

    with pytest.raises(ScenarioError, match=(
            r"^x: demand: expected orders on the busiest day must be <= 10,000,000 \(a day's "
            r"orders are simulated as one batch of about 170 bytes an order: 1\.7 GB a worker\), "
            r"got 1\.04e\+07 on 2025-01-06$")):
        parse_scenario(data, source="x")


def test_parse_scenario_refuses_a_transit_tail_beyond_the_calendar():
    data = small_scenario_data()
    data["carrier"]["service_levels"][1]["transit_days"] = {"dist": "exponential", "mean": 5}

    with pytest.raises(ScenarioError, match=(
            r"^x: carrier\.service_levels\[1\]\.transit_days: one parcel in a million may take "
            r"69\.1 business days; must be <= 60 \(the calendar runs 120 days past the horizon "
            r"to deliver the last parcels\)$")):
        parse_scenario(data, source="x")


def test_parse_scenario_refuses_handling_past_the_limit_in_whole_trucks():
    data = small_scenario_data()
    data["warehouse"]["handling_trucks"] = {"dist": "constant", "value": 40.9}  # waits 40
    assert parse_scenario(data).warehouse.handling_trucks.value == 40.9

    data["warehouse"]["handling_trucks"] = {"dist": "constant", "value": 41}
    with pytest.raises(ScenarioError, match=(
            r"^x: warehouse\.handling_trucks: one parcel in a million may wait 41 trucks; must "
            r"be <= 40 \(the calendar runs 120 days past the horizon to ship and deliver the "
            r"last parcels\)$")):
        parse_scenario(data, source="x")


@pytest.mark.parametrize(
    "peaks",
    [[], [{"name": "winter", "start": "12-20", "end": "01-10", "demand_multiplier": 3.0}],
     [{"name": "a", "start": "01-10", "end": "02-20", "demand_multiplier": 2.0},
      {"name": "b", "start": "02-01", "end": "02-05", "demand_multiplier": 0.5}]],
    ids=["no peak", "peak across new year", "overlapping peaks"],
)
def test_expected_daily_orders_are_the_rates_the_demand_model_draws(peaks):
    data = small_scenario_data()
    data["horizon"] = {"start": "2024-12-01", "days": 120}
    data["demand"]["weekday_profile"] = {"Mon": 1.3, "Sun": 0.0}
    data["disruptions"]["peaks"] = peaks
    scenario = parse_scenario(data)

    world = build_world(scenario)

    np.testing.assert_allclose(scenario.expected_daily_orders(), world.demand.daily_rate,
                               rtol=1e-12)
