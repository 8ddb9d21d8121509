import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from factories import small_scenario_data, write_yaml

from sim.cli.app import main
from sim.cli.resume import parts_folder

PROMISE_SIM = [sys.executable, "-c", "import sys; from sim.cli.app import main; sys.exit(main())"]


@pytest.fixture
def scenario_file(tmp_path):
    # enough replications that a signal sent after the second lands before the last
    data = small_scenario_data(experiment={"replications": 32, "seed": 5})
    data["horizon"]["days"] = 120
    return write_yaml(tmp_path / "small.yaml", data)


def finished_parts(folder: Path) -> int:
    return sum(1 for _ in folder.glob("*/replication=*"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_stopped_by_a_signal_resumes_to_the_uninterrupted_numbers(
    scenario_file, tmp_path, signum
):
    whole = tmp_path / "whole"
    assert main(["run", str(scenario_file), "-w", "1", "-q", "-o", str(whole)]) == 0

    out = tmp_path / "resumed"
    command = [*PROMISE_SIM, "run", str(scenario_file), "-w", "1", "-q", "-o", str(out)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    parts = parts_folder(out)
    deadline = time.monotonic() + 60
    while finished_parts(parts) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert finished_parts(parts) >= 2
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1] == "promise-sim: interrupted"
    assert not out.exists()  # nothing half-written
    kept = finished_parts(parts)
    assert 2 <= kept < 32

    assert main(["run", str(scenario_file), "-w", "1", "-q", "-o", str(out)]) == 0
    assert not parts.exists()  # the parts go once the results are whole
    for name in ("summary.csv", "differences.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes()


def test_run_fresh_ignores_kept_replications(scenario_file, tmp_path):
    out = tmp_path / "out"
    parts = parts_folder(out)
    junk = parts / "not-a-point"
    junk.mkdir(parents=True)
    assert main(["run", str(scenario_file), "-r", "2", "-w", "1", "-q", "--fresh",
                 "-o", str(out)]) == 0
    assert not parts.exists()
    assert os.path.exists(out / "summary.csv")


def test_sweep_stopped_by_sigterm_resumes_to_the_uninterrupted_table(tmp_path):
    data = small_scenario_data(
        experiment={"replications": 3, "seed": 5},
        sweep={"parameters": [{"path": "strategies.zappos_buffer.max_days",
                               "values": [5, 6, 7, 8]}]},
    )
    data["horizon"]["days"] = 84
    path = write_yaml(tmp_path / "sweep.yaml", data)
    whole = tmp_path / "whole"
    assert main(["sweep", str(path), "-w", "1", "-q", "-o", str(whole)]) == 0

    out = tmp_path / "resumed"
    command = [*PROMISE_SIM, "sweep", str(path), "-w", "1", "-q", "-o", str(out)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    parts = parts_folder(out)
    deadline = time.monotonic() + 60
    while finished_parts(parts) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert not out.exists()
    assert 3 <= finished_parts(parts) < 12

    assert main(["sweep", str(path), "-w", "1", "-q", "-o", str(out)]) == 0
    assert not parts.exists()
    assert (out / "sweep.csv").read_bytes() == (whole / "sweep.csv").read_bytes()
