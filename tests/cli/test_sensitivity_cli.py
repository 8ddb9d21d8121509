"""``promise-sim sensitivity``: the folder and the ranked table on success; on bad input a
one-line error and nothing written."""

import json
import re

import pytest
from click.testing import CliRunner
from factories import small_scenario_data, write_yaml

from sim.cli.resume import parts_folder
from sim.cli.sensitivity import sensitivity
from sim.errors import ScenarioError
from sim.report.sensitivity import SENSITIVITY_FILES

BLOCK = {
    "method": "morris", "samples": 2, "replications": 2,
    "outcome": {"metric": "satisfaction_mean",
                "difference": ["zappos_buffer", "competitor_overnight"]},
    "parameters": [
        {"path": "economics.late_credit", "low": 0, "high": 10, "label": "late credit"},
        {"path": "carrier.service_levels.overnight.transit_days.median", "low": 0.5,
         "high": 0.9, "label": "overnight transit"},
    ],
}


def scenario_data(**block):
    data = small_scenario_data(sensitivity={**BLOCK, **block})
    data["horizon"] = {"start": "2025-01-06", "days": 21, "warmup_days": 7}
    return data


@pytest.fixture
def scenario_file(tmp_path):
    return write_yaml(tmp_path / "small.yaml", scenario_data())


def invoke(*args):
    return CliRunner().invoke(sensitivity, [str(a) for a in args])


def test_sensitivity_writes_the_folder_and_prints_the_parameters_ranked(scenario_file, tmp_path):
    out = tmp_path / "out"
    result = invoke(scenario_file, "-w", "1", "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(SENSITIVITY_FILES)
    assert not parts_folder(out).exists()
    lines = result.output.splitlines()
    assert lines[0] == ("zappos_vs_competitor: morris, 6 points x 2 replications, common random "
                        "numbers")
    assert lines[1].startswith("outcome: satisfaction_mean: zappos_buffer - competitor_overnight "
                               "(paired): mean +")
    assert re.match(r"simulation noise: \d+\.\d\d% of the outcome's variance", lines[2])
    assert lines[3].split() == ["rank", "parameter", "mu_star", "+-95%", "mu", "sigma"]
    assert lines[4].split()[:3] == ["1", "overnight", "transit"]
    assert lines[5].split()[:3] == ["2", "late", "credit"]
    assert lines[-1] == f"sensitivity written to {out}/"


def test_sensitivity_default_folder_is_named_after_the_scenario(scenario_file, tmp_path,
                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(scenario_file, "-w", "1", "-q")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "results" / "zappos_vs_competitor-sensitivity"
    assert result.output.strip() == str(folder.relative_to(tmp_path))
    assert (folder / "indices.csv").exists()


def test_sensitivity_replications_and_seed_override_the_scenario(scenario_file, tmp_path):
    out = tmp_path / "out"
    result = invoke(scenario_file, "-w", "1", "-q", "-r", "3", "--seed", "11", "-o", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sensitivity"]["replications_per_point"] == 3 and manifest["seed"] == 11


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"parameters": [{"path": "economics.late_credt", "low": 0, "high": 1}]},
         "sensitivity.parameters[0].path: economics.late_credt: no key 'late_credt' in "
         "economics"),
        ({"outcome": {"metric": "profit_total", "strategy": "nobody"}},
         "sensitivity.outcome.strategy: 'nobody' is not a strategy"),
    ],
)
def test_sensitivity_bad_block_is_one_line_and_writes_nothing(tmp_path, block, message):
    path = write_yaml(tmp_path / "bad.yaml", scenario_data(**block))
    out = tmp_path / "out"
    result = invoke(path, "-w", "1", "-o", out)
    assert result.exit_code != 0
    assert isinstance(result.exception, ScenarioError)
    assert re.fullmatch(re.escape(f"{path}: {message}") + ".*", str(result.exception))
    assert "\n" not in str(result.exception)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_sensitivity_scenario_without_a_block_is_a_clear_error(tmp_path):
    data = small_scenario_data()
    path = write_yaml(tmp_path / "plain.yaml", data)
    result = invoke(path, "-o", tmp_path / "out")
    assert isinstance(result.exception, ScenarioError)
    assert str(result.exception) == (f"{path}: sensitivity: missing (a scenario run by "
                                     "'sensitivity' needs one)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.yaml"]
