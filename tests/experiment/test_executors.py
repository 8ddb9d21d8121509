"""Executors change where replications run, never the numbers."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from factories import small_scenario

import sim
from sim.errors import ExperimentError
from sim.experiment import DaskExecutor, LocalExecutor, make_executor
from sim.experiment.batching import REMOTE_WORKERS, batch_sizes


@pytest.fixture(scope="module")
def scenario():
    return small_scenario()


@pytest.fixture(scope="module")
def local(scenario):
    return sim.run(scenario, replications=4, workers=1)


def test_dask_local_cluster_gives_the_local_numbers(scenario, local):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = sim.run(scenario, replications=4, executor=DaskExecutor(cluster.scheduler_address))
    pd.testing.assert_frame_equal(local.replications, on_dask.replications)
    pd.testing.assert_frame_equal(local.summary, on_dask.summary)
    pd.testing.assert_frame_equal(local.timeseries, on_dask.timeseries)


def test_dask_runs_batches_of_many_short_replications_with_the_local_numbers():
    distributed = pytest.importorskip("distributed")
    short = small_scenario(horizon={"start": "2025-01-06", "days": 21, "warmup_days": 7},
                           demand={"orders_per_day": 100})
    local = sim.run(short, replications=48, workers=1)
    assert max(batch_sizes(48, REMOTE_WORKERS)) > 1
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = sim.run(short, replications=48, executor=DaskExecutor(cluster.scheduler_address))
    pd.testing.assert_frame_equal(local.replications, on_dask.replications)
    pd.testing.assert_frame_equal(local.timeseries, on_dask.timeseries)


def test_two_local_workers_run_batches_of_many_short_replications_with_the_same_numbers():
    short = small_scenario(horizon={"start": "2025-01-06", "days": 21, "warmup_days": 7},
                           demand={"orders_per_day": 100})
    assert max(batch_sizes(48, 2)) > 1
    local = sim.run(short, replications=48, workers=1)
    two = sim.run(short, replications=48, workers=2)
    pd.testing.assert_frame_equal(local.replications, two.replications)
    pd.testing.assert_frame_equal(local.timeseries, two.timeseries)


def test_local_executor_is_the_workers_option(scenario, local):
    again = sim.run(scenario, replications=4, executor=LocalExecutor(2))
    pd.testing.assert_frame_equal(local.replications, again.replications)


def test_make_executor_checks_its_settings():
    assert make_executor("local", workers=3) == LocalExecutor(3)
    assert make_executor("dask", scheduler="tcp://127.0.0.1:8786").scheduler.endswith("8786")
    with pytest.raises(ExperimentError, match="needs a scheduler"):
        make_executor("dask")
    with pytest.raises(ExperimentError, match="unknown executor"):
        make_executor("slurm")
    with pytest.raises(ExperimentError, match="for the dask executor"):
        make_executor("local", scheduler="tcp://127.0.0.1:8786")


def test_unreachable_scheduler_is_an_error(scenario):
    pytest.importorskip("distributed")
    with pytest.raises(ExperimentError, match="cannot reach the Dask scheduler"):
        sim.run(scenario, replications=2, executor=DaskExecutor("tcp://127.0.0.1:9",
                                                                connect_timeout="1s"))


def test_two_workers_from_a_script_without_a_main_guard(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sim\n"
        "from factories import small_scenario\n"
        "results = sim.run(small_scenario(), replications=2, workers=2)\n"
        "print(len(results.replications))\n"
    )
    tests = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": tests}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "6"  # ran once: workers did not run the script again


def test_local_workers_are_kept_for_the_next_run_of_built_in_strategies(scenario):
    from sim.experiment import executors

    first = sim.run(scenario, replications=3, workers=2)
    kept = [p for key, p in executors._POOLS.items() if key[0] == 2]
    assert len(kept) == 1
    second = sim.run(scenario, replications=3, workers=2)
    assert [p for key, p in executors._POOLS.items() if key[0] == 2] == kept
    pd.testing.assert_frame_equal(first.replications, second.replications)


def test_a_run_interrupted_on_kept_workers_stops_them_and_the_next_starts_afresh(scenario):
    from sim.experiment import executors

    class StopError(Exception):
        pass

    def stop(done, total):
        raise StopError

    sim.run(scenario, replications=2, workers=2)
    kept = [p for key, p in executors._POOLS.items() if key[0] == 2]
    with pytest.raises(StopError):
        sim.run(scenario, replications=4, workers=2, progress=stop)
    assert not any(p in kept for p in executors._POOLS.values())
    again = sim.run(scenario, replications=2, workers=2)
    one = sim.run(scenario, replications=2, workers=1)
    pd.testing.assert_frame_equal(again.replications, one.replications)


def test_an_interrupted_run_ends_its_workers_without_waiting_for_their_batches():
    from sim.experiment import executors

    class StopError(Exception):
        pass

    def stop(done, total):
        raise StopError

    short = small_scenario(horizon={"start": "2025-01-06", "days": 21, "warmup_days": 7},
                           demand={"orders_per_day": 100})
    sim.run(short, replications=2, workers=2)
    pool = next(p for key, p in executors._POOLS.items() if key[0] == 2)
    workers = list(pool._processes.values())
    with pytest.raises(StopError):
        sim.run(short, replications=200, workers=2, progress=stop)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == -signal.SIGTERM  # ended, not left to finish its batch
    assert pool not in executors._POOLS.values()
