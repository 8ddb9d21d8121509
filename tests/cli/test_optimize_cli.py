"""``promise-sim optimize``: the folder and the best with its rivals on success; on bad input a
one-line error and nothing written; an interrupted search resumes where it stopped."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from factories import small_scenario_data, write_yaml

from sim.cli.optimize import optimize
from sim.cli.resume import parts_folder
from sim.errors import ResultsError, ScenarioError
from sim.experiment import LocalExecutor
from sim.report.optimize import OPTIMIZATION_FILES

BLOCK = {
    "strategy": "quantile_95_ground",
    "parameters": [{"path": "p", "values": [0.6, 0.96, 0.97]}],
    "objective": {"metric": "satisfaction_mean"},
    "method": {"kind": "subset", "replications": 2},
    "confirmation": 2,
}


def scenario_data(**block):
    data = small_scenario_data(optimize={**BLOCK, **block})
    data["horizon"] = {"start": "2025-01-06", "days": 21, "warmup_days": 7}
    return data


@pytest.fixture
def scenario_file(tmp_path):
    return write_yaml(tmp_path / "small.yaml", scenario_data())


def invoke(*args):
    return CliRunner().invoke(optimize, [str(a) for a in args])


def test_optimize_writes_the_folder_and_prints_the_best_and_its_rivals(scenario_file, tmp_path):
    out = tmp_path / "out"
    result = invoke(scenario_file, "-w", "1", "-o", out)

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OPTIMIZATION_FILES)
    assert not parts_folder(out).exists()
    lines = result.output.splitlines()
    assert lines[0] == ("zappos_vs_competitor: max satisfaction_mean over 3 candidates of "
                        "strategy 'quantile_95_ground', 8 replications (common random numbers)")
    assert re.fullmatch(r"best: p=0\.96: [-\d.]+ \[[-\d.]+, [-\d.]+\] \(95%, 2 fresh "
                        r"replications; chosen on 2\)", lines[1])
    assert re.fullmatch(r"not ruled out: p=0\.97: [-\d.]+; difference to the best \+0 "
                        r"\[\+0, \+0\] \(paired, simultaneous\)", lines[2])
    assert lines[3] == "ruled out: 1 candidate"
    assert lines[-1] == f"results written to {out}/"


def test_optimize_default_folder_is_named_after_the_scenario(scenario_file, tmp_path,
                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(scenario_file, "-w", "1", "-q")

    assert result.exit_code == 0, result.output
    folder = tmp_path / "results" / "zappos_vs_competitor-optimize"
    assert result.output.strip() == str(folder.relative_to(tmp_path))
    assert (folder / "best.json").exists()


def test_optimize_options_override_the_scenario(scenario_file, tmp_path):
    out = tmp_path / "out"
    result = invoke(scenario_file, "-w", "1", "-q", "-r", "3", "--seed", "11", "-o", out)

    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 11
    assert manifest["optimize"]["procedure"]["replications"] == 3
    assert manifest["optimize"]["total_replications"] == 3 * 3 + 2


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"parameters": [{"path": "pp", "values": [0.5]}]},
         "optimize.parameters[0].path: 'pp' is neither a key of strategy "
         "'quantile_95_ground' (kind, p, service) nor a section of the scenario"),
        ({"parameters": [{"path": "economics.late_credt", "values": [1.0]}]},
         "optimize.parameters[0].path: economics.late_credt: no key 'late_credt' in economics "
         "(keys: gross_margin, late_cost_per_day, late_credit, price, promise_cost_per_day)"),
        ({"parameters": [{"path": "p", "values": [0.5, 1.0]}]},
         "optimize.parameters[0] candidate p=1: setting strategies.quantile_95_ground.p: "
         "strategies[0].p: Input should be less than 1, got 1.0"),
        ({"objective": {"metric": "conversion"}},
         "optimize.objective: 'conversion' is measured only with a 'market:' section"),
    ],
)
def test_optimize_bad_block_is_one_line_and_writes_nothing(tmp_path, block, message):
    path = write_yaml(tmp_path / "bad.yaml", scenario_data(**block))
    result = invoke(path, "-w", "1", "-o", tmp_path / "out")

    assert isinstance(result.exception, ScenarioError)
    assert str(result.exception) == f"{path}: {message}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_optimize_scenario_without_a_block_is_a_clear_error(tmp_path):
    path = write_yaml(tmp_path / "plain.yaml", small_scenario_data())
    result = invoke(path, "-o", tmp_path / "out")

    assert isinstance(result.exception, ScenarioError)
    assert str(result.exception) == (f"{path}: optimize: missing (a scenario searched by "
                                     "'optimize' needs one)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.yaml"]


def test_optimize_unwritable_folder_fails_before_running(scenario_file, tmp_path, monkeypatch):
    monkeypatch.setattr("sim.cli.optimize.run_optimization",
                        lambda *a, **k: pytest.fail("ran before checking the folder"))
    blocker = tmp_path / "file"
    blocker.write_text("a file")
    result = invoke(scenario_file, "-o", blocker / "out")

    assert isinstance(result.exception, ResultsError)
    assert str(result.exception).startswith(f"{blocker / 'out'}: cannot create the results "
                                            "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "small.yaml"]


def test_optimize_interrupted_search_resumes_with_what_was_kept(scenario_file, tmp_path,
                                                                monkeypatch):
    computed: list[int] = []

    class Counting(LocalExecutor):
        def map_unordered(self, function, items):
            items = list(items)
            computed.append(len(items))
            return super().map_unordered(function, items)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.cli.options.make_executor", lambda *a, **k: Counting(1))
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        patch.setattr("sim.cli.optimize.write_optimization", interrupted)
        first = invoke(scenario_file, "-o", out)
    assert first.exit_code != 0
    assert parts_folder(out).is_dir() and not out.exists()

    again = invoke(scenario_file, "-o", out, "-q")

    assert again.exit_code == 0, again.output
    assert computed == [6, 2]  # the second search found all 8 replications kept
    assert not parts_folder(out).exists()
    assert (out / "candidates.csv").exists()
