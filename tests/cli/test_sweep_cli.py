"""``promise-sim sweep``: the folder and the best points on success; one line, exit 2, nothing
written on bad input; an interrupted sweep resumed from its kept parts."""

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from factories import small_scenario_data, write_yaml

import sim.cli.app
from sim.cli.app import main
from sim.cli.resume import parts_folder
from sim.cli.sweep import sweep
from sim.experiment.sweep import run_sweep
from sim.report.sweep import SWEEP_FILES
from sim.scenario import load_scenario

MAX_DAYS = "strategies.zappos_buffer.max_days"


@pytest.fixture(autouse=True)
def sweep_command(monkeypatch):
    """``promise-sim sweep`` wired into the CLI group for these tests (as the app will)."""
    monkeypatch.setitem(sim.cli.app.cli.commands, "sweep", sweep)


def sweep_file(tmp_path, **sweep_block):
    data = small_scenario_data(
        sweep={"parameters": [{"path": MAX_DAYS, "values": [5, 7]}], **sweep_block})
    data["horizon"]["days"] = 35
    return write_yaml(tmp_path / "small.yaml", data)


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_writes_the_folder_and_prints_each_strategys_best_point(tmp_path, capsys):
    out = tmp_path / "results" / "small-sweep"
    code, stdout, err = _run(["sweep", str(sweep_file(tmp_path)), "-r", "2", "-w", "1", "-o",
                              str(out)], capsys)

    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(SWEEP_FILES)
    assert not parts_folder(out).exists()
    assert "best point of each strategy by satisfaction_mean (highest mean)" in stdout
    assert re.search(rf"zappos_buffer +\S+ \[\S+, \S+\]  point 1: {MAX_DAYS}=7", stdout), stdout
    assert re.search(r"competitor_overnight +\S+ \[\S+, \S+\]  the same at every point", stdout)
    assert f"sweep written to {out}/" in stdout


def test_sweep_metric_option_ranks_by_a_prefix_named_metric(tmp_path, capsys):
    out = tmp_path / "s"
    code, stdout, err = _run(["sweep", str(sweep_file(tmp_path)), "-r", "2", "-w", "1", "-o",
                              str(out), "--metric", "lateness_m"], capsys)

    assert code == 0, err
    assert "by lateness_mean (lowest mean)" in stdout
    assert json.loads((out / "manifest.json").read_text())["sweep"]["metric"] == "lateness_mean"


def test_sweep_quiet_prints_only_the_folder(tmp_path, capsys):
    out = tmp_path / "s"
    code, stdout, _ = _run(["sweep", str(sweep_file(tmp_path)), "-r", "2", "-w", "1", "-o",
                            str(out), "-q"], capsys)

    assert code == 0
    assert stdout.strip() == str(out)


@pytest.mark.parametrize(
    ("block", "option", "message"),
    [
        ({"parameters": [{"path": "strategies.zappo.max_days", "values": [5]}]}, [],
         r"small\.yaml: sweep\.parameters\[0\]\.path: strategies\.zappo\.max_days: no item "
         r"'zappo' in strategies"),
        ({"parameters": [{"path": "strategies.zappos_buffer.min_days", "values": [4, 6]}]}, [],
         r"small\.yaml: sweep point 1 \(strategies\.zappos_buffer\.min_days=6\): setting "),
        ({"design": "sobol", "points": 6,
          "parameters": [{"path": MAX_DAYS, "low": 5, "high": 8}]}, [],
         r"small\.yaml: sweep: points: a sobol design needs a power of 2"),
        ({}, ["--metric", "nonsense"], r"'metric': 'nonsense' is unknown"),
        ({}, ["--metric", "orders"], r"--metric: 'orders' is not an outcome a sweep can rank"),
        ({}, ["--metric", "new_customers"],
         r"small\.yaml: sweep\.metric: 'new_customers' is measured only with a 'customers:'"),
    ],
    ids=["unknown path", "value refused", "bad design", "unknown metric", "not an outcome",
         "metric not measured"],
)
def test_sweep_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, block, option,
                                                            message):
    scenario = sweep_file(tmp_path, **block)
    out = tmp_path / "results" / "s"

    code, _, err = _run(["sweep", str(scenario), "-r", "2", "-w", "1", "-o", str(out), *option],
                        capsys)

    assert code == 2
    assert err.count("\n") == 1, err
    assert re.search(f"^promise-sim: error: .*{message}", err), err
    assert not (tmp_path / "results").exists()


def test_sweep_of_a_scenario_without_a_sweep_block_is_one_line(tmp_path, capsys):
    scenario = write_yaml(tmp_path / "plain.yaml", small_scenario_data())

    code, _, err = _run(["sweep", str(scenario), "-o", str(tmp_path / "s")], capsys)

    assert code == 2
    assert err == f"promise-sim: error: {scenario}: sweep: missing (a scenario to sweep needs a " \
                  "'sweep:' section)\n"


def test_sweep_resumes_from_the_parts_an_interrupted_sweep_kept(tmp_path, capsys):
    scenario = sweep_file(tmp_path)
    whole = tmp_path / "whole"
    assert _run(["sweep", str(scenario), "-r", "3", "-w", "1", "-q", "-o", str(whole)],
                capsys)[0] == 0
    out = tmp_path / "resumed"
    run_sweep(load_scenario(scenario), replications=2, workers=1, store=parts_folder(out))

    code, _, err = _run(["sweep", str(scenario), "-r", "3", "-w", "1", "-q", "-o", str(out)],
                        capsys)

    assert code == 0, err
    assert not parts_folder(out).exists()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"),
                                  pd.read_parquet(whole / "sweep.parquet"))
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()


def test_sweep_help_shows_examples():
    result = CliRunner().invoke(sweep, ["--help"])

    assert result.exit_code == 0
    assert "promise-sim sweep scenarios/headline_buffer_sweep.yaml" in result.output
    assert "--fresh" in result.output and "--metric" in result.output
