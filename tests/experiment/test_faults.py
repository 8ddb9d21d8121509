"""Faults: a killed worker, a full disk, a read-only folder. Never quiet nonsense, never a
half-written result."""

import errno
import os
import signal

import pandas as pd
import pytest
from factories import small_scenario, small_scenario_data, write_yaml

import sim
from sim.cli.app import main
from sim.errors import ExperimentError, ResultsError
from sim.experiment import DaskExecutor, DiskStore, run_points
from sim.experiment import store as store_module


@pytest.fixture(scope="module")
def scenario():
    return small_scenario(horizon={"start": "2025-01-06", "days": 112, "warmup_days": 7})


def test_dask_worker_killed_mid_sweep_is_retried_and_numbers_are_identical(scenario):
    distributed = pytest.importorskip("distributed")
    points = [scenario, scenario.with_values({"strategies.zappos_buffer.max_days": 7})]
    local = run_points(points, replications=6, workers=1)
    killed = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        pids = client.run(os.getpid)

        def kill_one_worker(done, total):
            if not killed:
                pid = next(iter(pids.values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        on_dask = run_points(points, replications=6, executor=DaskExecutor(client),
                             progress=kill_one_worker)
    assert killed
    for a, b in zip(local, on_dask):
        pd.testing.assert_frame_equal(a.replications, b.replications)
        pd.testing.assert_frame_equal(a.summary, b.summary)


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("part", ["npz", "parquet"])
def test_full_disk_while_storing_a_replication_is_one_clear_error(scenario, tmp_path,
                                                                  monkeypatch, part):
    store = DiskStore(tmp_path / "parts")
    if part == "npz":
        monkeypatch.setattr(store_module.np, "savez", full_disk)
    else:  # an outcome of another shape is kept as Parquet tables
        monkeypatch.setattr(store_module, "outcome_arrays", lambda outcome: None)
        monkeypatch.setattr(store_module.pd.DataFrame, "to_parquet", full_disk)
    with pytest.raises(ExperimentError,
                       match=r"parts: cannot store replication \d+: No space left on device"):
        sim.run(scenario, replications=2, workers=1, store=store)
    assert not store.holds_any()
    assert not [p for p in tmp_path.rglob(".replication=*")]  # nothing half-written left


def test_full_disk_while_writing_results_keeps_the_previous_ones(scenario, tmp_path,
                                                                 monkeypatch):
    out = tmp_path / "results"
    results = sim.run(scenario, replications=2, workers=1)
    sim.write_results(results, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    with pytest.raises(ResultsError, match="cannot write results: No space left on device"):
        sim.write_results(results, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_read_only_output_folder_is_one_line_at_the_cli(tmp_path, monkeypatch, capsys):
    path = write_yaml(tmp_path / "s.yaml", small_scenario_data())
    real_mkdtemp = store_module.tempfile.mkdtemp

    def read_only(*args, **kwargs):
        if "results" in str(kwargs.get("dir", "")):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(store_module.tempfile, "mkdtemp", read_only)
    out = tmp_path / "results" / "s"
    code = main(["run", str(path), "-r", "2", "-w", "1", "-q", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"promise-sim: error: {out}: cannot create the results folder: Read-only file system"]
    assert not out.exists()
