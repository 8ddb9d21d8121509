"""The CLI door: files written on success; one line, exit 2 and nothing written on bad input."""

import json
import re
import subprocess
import sys

import pytest
import yaml
from factories import small_scenario_data, write_yaml

from sim.cli.app import COMMAND_MODULES, cli, main
from sim.report import RESULT_FILES
from sim.world.ledger import METRICS


def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def scenario_file(tmp_path):
    return write_yaml(tmp_path / "small.yaml", small_scenario_data())


def test_run_writes_the_five_result_files(scenario_file, tmp_path, capsys):
    out = tmp_path / "results" / "small"
    code, stdout, err = _run(
        ["run", str(scenario_file), "-r", "2", "-w", "1", "--out", str(out)], capsys
    )
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 2 and manifest["seed"] == 7
    assert "satisfaction" in stdout and str(out) in stdout


def test_run_quiet_prints_only_the_folder(scenario_file, tmp_path, capsys):
    out = tmp_path / "r"
    code, stdout, _ = _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out), "-q"],
                           capsys)
    assert code == 0
    assert stdout.strip() == str(out)


def test_validate_accepts_the_headline_scenario(capsys):
    code, stdout, _ = _run(["validate", "scenarios/zappos_vs_competitor.yaml"], capsys)
    assert code == 0
    assert "ok" in stdout and "zappos_buffer" in stdout


def test_schema_prints_json_schema(capsys):
    code, stdout, _ = _run(["schema"], capsys)
    assert code == 0
    schema = json.loads(stdout)
    assert schema["title"] == "promise-sim scenario"
    assert "strategies" in schema["properties"]


def test_python_dash_m_sim_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "Examples" in out.stdout


def _mutate(data, path, value):
    node = data
    *parents, last = path
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()

BAD_SCENARIOS = [
    # (id, mutation path, value, expected message fragment)
    ("wrong type", ("demand", "orders_per_day"), "many", r"demand\.orders_per_day: .*number"),
    ("unknown key", ("warehouse", "pick_minuts"), 3, r"warehouse\.pick_minuts: unknown key .*did you mean 'pick_minutes'"),
    ("missing key", ("carrier",), _DELETE, r"carrier: required key is missing"),
    ("negative rate", ("disruptions", "events", 0, "rate_per_year"), -2,
     r"disruptions\.events\[0\]\.rate_per_year: .*greater than or equal to 0"),
    ("bad distribution", ("warehouse", "pick_minutes"), {"dist": "lognormal", "median": 3, "sigma": -0.4},
     r"warehouse\.pick_minutes\.sigma: .*greater than 0, got -0\.4"),
    ("unknown distribution", ("warehouse", "pick_minutes"), {"dist": "weibull", "shape": 2},
     r"warehouse\.pick_minutes: .*'weibull'"),
    ("impossible shift", ("warehouse", "shifts"), [{"start": "14:00", "end": "06:00", "pickers": 3}],
     r"warehouse\.shifts\[0\]: 'end' must be after 'start'"),
    ("no working days", ("calendar", "working_weekdays"), [], r"calendar\.working_weekdays: .*at least 1"),
    ("unknown country", ("calendar", "country"), "Atlantis", r"calendar\.country: unknown holiday country"),
    ("unknown service", ("strategies", 1, "service"), "drone",
     r"strategies\[1\]\.service: unknown service level 'drone'"),
    ("warm-up too long", ("horizon", "warmup_days"), 999, r"horizon: 'warmup_days' must be < 'days'"),
    ("bad clock time", ("calendar", "cutoff"), "25:00", r"calendar\.cutoff: .*pattern"),
    ("custom not importable", ("strategies", 0), {"name": "x", "kind": "custom", "path": "no_such_pkg.mod:Rule"},
     r"strategies\[0\]\.path: cannot import strategy .no_such_pkg\.mod:Rule.: No module named"),
    ("unknown strategy kind", ("strategies", 0, "kind"), "psychic", r"strategies\[0\]: .*'psychic'"),
    ("bad baseline", ("baseline",), "nobody", r"baseline: 'nobody' is not a strategy"),
]


@pytest.mark.parametrize(("path", "value", "message"),
                         [case[1:] for case in BAD_SCENARIOS], ids=[c[0] for c in BAD_SCENARIOS])
def test_bad_scenario_is_one_line_exit_2_nothing_written(tmp_path, capsys, path, value, message):
    data = _mutate(small_scenario_data(), path, value)
    scenario = write_yaml(tmp_path / "bad.yaml", data)
    out = tmp_path / "results"
    code, _, err = _run(["run", str(scenario), "-r", "2", "-w", "1", "-o", str(out)], capsys)
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"promise-sim: error: {scenario}")
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nhorizon: {start: 2025-01-06, days: 10\n", r"bad\.yaml:\d+:\d+: invalid YAML"),
        ("name: x\nname: y\n", r"bad\.yaml:2:1: duplicate key 'name'"),
        ("- just\n- a list\n", r"a scenario must be a mapping of keys, got a list"),
        ("", r"a scenario must be a mapping of keys, got nothing"),
    ],
    ids=["syntax error", "duplicate key", "not a mapping", "empty file"],
)
def test_malformed_file_is_one_line_exit_2(tmp_path, capsys, text, message):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(text)
    code, _, err = _run(["validate", str(scenario)], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert re.search(message, err), err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "no/such/file.yaml"], r"no/such/file\.yaml: no such scenario file"),
        (["run", "scenarios/zappos_vs_competitor.yaml", "-r", "1"], r"--replications.*1 is not in the range x>=2"),
        (["run", "scenarios/zappos_vs_competitor.yaml", "-w", "0"], r"--workers.*0 is not in the range x>=1"),
        (["run", "scenarios/zappos_vs_competitor.yaml", "--seed", "-3"], r"--seed.*-3 is not in the range x>=0"),
        (["run", "scenarios/zappos_vs_competitor.yaml", "--bogus"], r"No such option:? '?--bogus"),
        (["fly"], r"No such command 'fly'"),
    ],
    ids=["missing file", "one replication", "zero workers", "negative seed", "unknown option",
         "unknown command"],
)
def test_bad_command_line_is_one_line_exit_2(capsys, argv, message):
    code, _, err = _run(argv, capsys)
    assert code == 2
    assert err.count("\n") == 1, err
    assert re.search(message, err), err


def test_failed_run_keeps_the_previous_results(scenario_file, tmp_path, capsys):
    out = tmp_path / "r"
    assert _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out), "-q"], capsys)[0] == 0
    before = (out / "summary.csv").read_bytes()
    bad = yaml.safe_load(scenario_file.read_text())
    bad["warehouse"]["shifts"] = [{"start": "09:00", "end": "10:00", "pickers": 1}]
    bad["warehouse"]["pick_minutes"] = {"dist": "constant", "value": 10}
    write_yaml(scenario_file, bad)
    code, _, err = _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out)], capsys)
    assert code == 2 and "falls behind" in err
    assert (out / "summary.csv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_seeds_writes_the_verdicts(tmp_path, capsys):
    claim = {"says": "x", "view": "under-promise", "metric": "satisfaction_mean",
             "higher": {"strategy": "zappos_buffer"},
             "lower": {"strategy": "competitor_overnight"}}
    path = write_yaml(tmp_path / "claim.yaml", small_scenario_data(claim=claim))
    out = tmp_path / "seeds"
    code, stdout, err = _run(["seeds", str(path), "-r", "2", "-w", "1", "-o", str(out)], capsys)
    assert code == 0, err
    assert (out / "verdict.csv").exists() and (out / "zappos_vs_competitor" / "summary.csv").exists()
    assert "claim supported" in stdout


def test_seeds_refuses_a_scenario_without_a_claim(scenario_file, tmp_path, capsys):
    out = tmp_path / "seeds"
    code, _, err = _run(["seeds", str(scenario_file), "-o", str(out)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "claim: missing" in err and str(scenario_file) in err
    assert not out.exists()


def test_run_order_records_writes_a_file_per_strategy_and_replication(scenario_file, tmp_path, capsys):
    import pandas as pd

    out, orders = tmp_path / "results", tmp_path / "orders"
    code, _, err = _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out), "-q",
                         "--order-records", str(orders)], capsys)
    assert code == 0, err
    names = [s["name"] for s in small_scenario_data()["strategies"]]
    files = sorted(str(p.relative_to(orders)) for p in orders.rglob("*") if p.is_file())
    assert files == sorted(f"strategy={n}/replication={r}.parquet" for n in names for r in (0, 1))
    table = pd.read_parquet(orders)
    assert set(table["strategy"]) == set(names) and set(table["replication"]) == {0, 1}
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    assert json.loads((out / "manifest.json").read_text())["order_records"] == str(orders)


def test_run_without_order_records_writes_none(scenario_file, tmp_path, capsys):
    out = tmp_path / "results"
    assert _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out), "-q"], capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "small.yaml"]
    assert json.loads((out / "manifest.json").read_text())["order_records"] is None


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("file", r"orders: order records: exists and is not a folder"),
        ("below a file", r"cannot create the order records folder"),
        ("results", r"the order records folder and the results folder .* must be separate"),
        ("inside results", r"the order records folder and the results folder .* must be separate"),
    ],
)
def test_run_order_records_in_the_way_is_one_line_exit_2(scenario_file, tmp_path, capsys, where,
                                                         message):
    out = tmp_path / "results"
    blocker = tmp_path / "orders"
    blocker.write_text("")
    path = {"file": blocker, "below a file": blocker / "below", "results": out,
            "inside results": out / "orders"}[where]
    code, _, err = _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out),
                         "--order-records", str(path)], capsys)
    assert code == 2
    assert err.count("\n") == 1, err
    assert re.search(message, err), err
    assert not out.exists()
    assert blocker.read_text() == ""


def test_run_precision_reports_the_replications_it_took(scenario_file, tmp_path, capsys):
    out = tmp_path / "p"
    code, stdout, err = _run(
        ["run", str(scenario_file), "-r", "3", "-w", "1", "-o", str(out), "--precision", "0.2",
         "--metric", "satisfaction", "--paired"], capsys,
    )
    assert code == 0, err
    line = next(x for x in stdout.splitlines() if x.startswith("precision:"))
    assert re.match(r"precision: paired satisfaction_mean half-width \S+ <= 0.2 after \d+ "
                    r"replications", line)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["precision"]["reached"]
    assert manifest["replications"] == manifest["precision"]["replications"]


def test_run_precision_with_an_unknown_metric_is_one_line(scenario_file, tmp_path, capsys):
    out = tmp_path / "p"
    code, _, err = _run(["run", str(scenario_file), "-o", str(out), "--precision", "0.2",
                         "--metric", "happiness"], capsys)
    assert code == 2
    assert err.strip() == ("promise-sim: error: 'metric': 'happiness' is unknown (one of "
                           + ", ".join(METRICS) + ")")
    assert not out.exists()


def test_warmup_prints_the_suggestion_and_writes_nothing(tmp_path, capsys, monkeypatch):
    data = small_scenario_data()
    data["horizon"] = {"start": "2025-01-06", "days": 175, "warmup_days": 7}
    path = write_yaml(tmp_path / "w.yaml", data)
    monkeypatch.chdir(tmp_path)
    code, stdout, err = _run(["warmup", str(path), "-r", "2", "-w", "1", "-q"], capsys)
    assert code == 0, err
    assert int(stdout.strip()) % 7 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.yaml"]


def test_rerun_exit_status_says_whether_the_numbers_match(scenario_file, tmp_path, capsys):
    out = tmp_path / "r"
    assert _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out), "-q"],
                capsys)[0] == 0
    code, stdout, err = _run(["rerun", str(out / "manifest.json"), "-w", "1", "-q"], capsys)
    assert (code, stdout, err) == (0, "", "")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["replications_sha256"] = "0" * 64
    manifest["versions"]["libc"] = "glibc 1.0"
    (out / "manifest.json").write_text(json.dumps(manifest))
    code, stdout, _ = _run(["rerun", str(out), "-w", "1"], capsys)
    assert code == 1
    assert "NOT reproduced" in stdout
    assert "libc glibc 1.0 -> " in stdout


def test_run_json_is_one_object_for_scripts(scenario_file, tmp_path, capsys):
    out = tmp_path / "j"
    code, stdout, err = _run(["run", str(scenario_file), "-r", "2", "-w", "1", "-o", str(out),
                              "--json"], capsys)
    assert code == 0, err
    data = json.loads(stdout)
    assert data["folder"] == str(out) and data["replications"] == 2
    assert {row["strategy"] for row in data["summary"]} == {
        "zappos_buffer", "competitor_overnight", "quantile_95_ground"}
    assert all(set(row) == {"strategy", "metric", "mean", "ci_low", "ci_high", "n"}
               for row in data["summary"])
    assert data["verdict"] is None and data["precision"] is None


def test_validate_and_warmup_json(scenario_file, tmp_path, capsys):
    code, stdout, _ = _run(["validate", str(scenario_file), "--json"], capsys)
    assert code == 0 and json.loads(stdout)["ok"] is True
    data = small_scenario_data()
    data["horizon"] = {"start": "2025-01-06", "days": 175, "warmup_days": 7}
    path = write_yaml(tmp_path / "w.yaml", data)
    code, stdout, _ = _run(["warmup", str(path), "-r", "2", "-w", "1", "--json"], capsys)
    found = json.loads(stdout)
    assert code == 0 and found["days"] % 7 == 0 and found["current_days"] == 7


def test_sweep_json_lists_the_best_points(tmp_path, capsys):
    data = small_scenario_data(sweep={"parameters": [
        {"path": "strategies.zappos_buffer.max_days", "values": [5, 6]}]})
    path = write_yaml(tmp_path / "s.yaml", data)
    code, stdout, err = _run(["sweep", str(path), "-r", "2", "-w", "1", "-o",
                              str(tmp_path / "out"), "--json"], capsys)
    assert code == 0, err
    result = json.loads(stdout)
    assert result["metric"] == "satisfaction_mean"
    assert {row["strategy"] for row in result["best"]} >= {"zappos_buffer"}


def test_a_command_imports_only_its_own_layers():
    code = ("import sys; from sim.cli.app import cli; cli.get_command(None, 'seeds'); "
            "print(sorted(m for m in ('matplotlib', 'statsmodels', 'jinja2', 'sim.history', "
            "'sim.cli.fit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_help_lists_every_command(capsys):
    assert cli.list_commands(None) == sorted(COMMAND_MODULES)
    code, stdout, _ = _run(["--help"], capsys)
    assert code == 0
    assert all(re.search(rf"^  {name}\s", stdout, re.MULTILINE) for name in COMMAND_MODULES)
