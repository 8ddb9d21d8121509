"""``promise-sim report`` and ``compare``: output on success; one line, exit 2, nothing written on bad input."""

import json
import shutil

import pytest
from factories import small_scenario, small_scenario_data

import sim
from sim.cli.app import cli, main
from sim.cli.report import compare, report
from sim.report import write_results


@pytest.fixture(autouse=True)
def wired(monkeypatch):
    """The commands as the lead wires them into the app (a no-op once they are)."""
    monkeypatch.setitem(cli.commands, "report", report)
    monkeypatch.setitem(cli.commands, "compare", compare)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    before = sim.run(small_scenario(), replications=2, workers=1)
    data = small_scenario_data()
    data["strategies"][0]["max_days"] = 7
    wider = sim.run(sim.parse_scenario(data), replications=2, workers=1)
    return write_results(before, root / "before"), write_results(wider, root / "wider")


@pytest.fixture()
def folder(saved, tmp_path):
    return shutil.copytree(saved[0], tmp_path / "small")


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_report_writes_the_html_file_and_says_where(folder, capsys):
    code, out, err = _run(["report", folder], capsys)
    assert code == 0, err
    assert out.strip() == f"report written to {folder / 'report.html'}"
    assert (folder / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_quiet_prints_only_the_path(folder, tmp_path, capsys):
    code, out, _ = _run(["report", folder, "--out", tmp_path / "r.html", "-q"], capsys)
    assert code == 0
    assert out.strip() == str(tmp_path / "r.html")
    assert not (folder / "report.html").exists()


def test_report_of_a_missing_folder_is_one_line_and_writes_nothing(tmp_path, capsys):
    code, out, err = _run(["report", tmp_path / "nowhere"], capsys)
    assert code == 2
    assert out == ""
    assert err == f"promise-sim: error: {tmp_path / 'nowhere'}: no such results folder\n"
    assert _files(tmp_path) == []


@pytest.mark.parametrize("name", ["summary.csv", "replications.parquet", "comparison.png"])
def test_report_with_a_missing_file_is_one_line_naming_it_and_writes_nothing(
    folder, name, capsys
):
    (folder / name).unlink()
    before = _files(folder)
    code, _, err = _run(["report", folder], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"promise-sim: error: {folder / name}: missing from the results folder")
    assert _files(folder) == before


def test_report_with_a_corrupt_manifest_is_one_line_and_writes_nothing(folder, tmp_path, capsys):
    (folder / "manifest.json").write_text('{"seed": 1, "replications": ')
    before = _files(tmp_path)
    code, _, err = _run(["report", folder, "-o", tmp_path / "out" / "r.html"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith(f"promise-sim: error: {folder / 'manifest.json'}: not a manifest "
                          "(invalid JSON")
    assert _files(tmp_path) == before


def test_report_onto_a_folder_is_one_line(folder, tmp_path, capsys):
    code, _, err = _run(["report", folder, "-o", tmp_path], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("promise-sim: error: ") and "is a directory" in err


def test_compare_shows_the_changed_key_and_the_changed_metrics(saved, capsys):
    code, out, err = _run(["compare", *saved], capsys)
    assert code == 0, err
    assert "strategies.zappos_buffer.max_days: 5 -> 7" in out
    assert "beyond sampling error (B - A, Welch t over replications, 95%):" in out
    earliness = next(line for line in out.splitlines()
                     if line.startswith("zappos_buffer") and "earliness_mean" in line)
    assert earliness.endswith(" *")
    assert "competitor_overnight" not in out.split("95%):", 1)[1]


def test_compare_all_lists_every_strategy_and_metric(saved, capsys):
    code, out, _ = _run(["compare", *saved, "--all"], capsys)
    assert code == 0
    assert any(line.startswith("competitor_overnight") and "satisfaction_mean" in line
               for line in out.splitlines())
    assert out.rstrip().endswith("* beyond sampling error")


def test_compare_json_is_machine_readable(saved, capsys):
    code, out, _ = _run(["compare", *saved, "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["a"] == str(saved[0]) and data["b"] == str(saved[1])
    assert data["scenario_changes"] == [
        {"path": "strategies.zappos_buffer.max_days", "a": 5, "b": 7}]
    rows = {(r["strategy"], r["metric"]): r for r in data["metrics"]}
    assert rows[("zappos_buffer", "earliness_mean")]["beyond_sampling_error"] is True
    assert rows[("competitor_overnight", "satisfaction_mean")]["change"] == 0


def test_compare_quiet_prints_one_line_per_changed_metric(saved, capsys):
    code, out, _ = _run(["compare", *saved, "-q"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines and all(len(line.split()) == 3 for line in lines)
    assert any(line.startswith("zappos_buffer earliness_mean +") for line in lines)


def test_compare_with_a_missing_folder_is_one_line(saved, tmp_path, capsys):
    code, out, err = _run(["compare", saved[0], tmp_path / "gone"], capsys)
    assert code == 2
    assert out == ""
    assert err == f"promise-sim: error: {tmp_path / 'gone'}: no such results folder\n"


def test_compare_with_a_damaged_table_is_one_line_naming_it(saved, folder, capsys):
    (folder / "replications.parquet").write_bytes(b"\x00" * 64)
    code, _, err = _run(["compare", saved[1], folder], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert f"{folder / 'replications.parquet'}: cannot read" in err


def test_help_of_both_commands_has_examples(capsys):
    for command in ("report", "compare"):
        code, out, _ = _run([command, "--help"], capsys)
        assert code == 0
        assert "Examples:" in out and f"promise-sim {command} results/" in out
