import json
import os

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario

import sim
from sim.errors import ExperimentError
from sim.experiment import DiskStore, MemoryStore, run_points
from sim.experiment import store as store_module
from sim.experiment.store import (
    outcome_arrays,
    outcome_from_arrays,
    outcome_from_tables,
    outcome_tables,
)
from sim.experiment.tasks import ReplicationTask, run_replication
from sim.scenario.overrides import with_values


@pytest.fixture(scope="module")
def scenario():
    return small_scenario(experiment={"replications": 5, "seed": 3})


class InterruptError(Exception):
    pass


def interrupt_after(k):
    def progress(done, total):
        if done >= k:
            raise InterruptError

    return progress


def test_outcome_tables_round_trip_every_number(scenario, tmp_path):
    outcome = run_replication(ReplicationTask(scenario, 1, 3))
    tables = outcome_tables(outcome)
    for name, table in tables.items():
        table.to_parquet(tmp_path / f"{name}.parquet", index=False)
    back = outcome_from_tables(1, {n: pd.read_parquet(tmp_path / f"{n}.parquet") for n in tables})
    pd.testing.assert_frame_equal(pd.DataFrame(back.rows), pd.DataFrame(outcome.rows))
    for a, b in zip(back.weekly, outcome.weekly):
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    for name in outcome.satisfaction_hist:
        assert (back.satisfaction_hist[name] == outcome.satisfaction_hist[name]).all()


def test_interrupted_run_resumed_equals_uninterrupted_byte_for_byte(scenario, tmp_path):
    whole = sim.run(scenario, workers=1)
    store = tmp_path / "parts"
    with pytest.raises(InterruptError):
        sim.run(scenario, workers=1, store=store, progress=interrupt_after(3))
    assert len(DiskStore(store).finished(scenario, 3)) == 3
    calls = []
    resumed = sim.run(scenario, workers=1, store=store, progress=lambda d, t: calls.append(d))
    assert calls[0] == 3  # the stored ones count as done at once, then only 2 are computed
    assert len(calls) == 3
    assert resumed.summary.to_csv() == whole.summary.to_csv()
    assert resumed.differences.to_csv() == whole.differences.to_csv()
    pd.testing.assert_frame_equal(resumed.timeseries, whole.timeseries)
    pd.testing.assert_frame_equal(resumed.replications, whole.replications)


def test_half_written_part_is_never_read(scenario, tmp_path):
    store = DiskStore(tmp_path / "parts")
    sim.run(scenario, replications=2, workers=1, store=store)
    point = next(p for p in store.folder.iterdir() if p.is_dir())
    (point / ".replication=2.abc").mkdir()  # what a kill during a write leaves
    assert store.finished(scenario, 3) == {0, 1}


def test_store_of_other_code_is_refused_or_cleared(scenario, tmp_path):
    folder = tmp_path / "parts"
    sim.run(scenario, replications=2, workers=1, store=folder)
    marker = folder / "store.json"
    identity = json.loads(marker.read_text())
    marker.write_text(json.dumps({**identity, "code_hash": "0" * 24}))
    with pytest.raises(ExperimentError, match=r"made by other code.*--fresh"):
        DiskStore(folder)
    assert DiskStore(folder, stale="clear").finished(scenario, 3) == set()


def test_store_keeps_points_apart_by_scenario_and_seed(scenario, tmp_path):
    store = DiskStore(tmp_path / "parts")
    sim.run(scenario, replications=2, workers=1, store=store)
    other = with_values(scenario, {"economics.price": 90.0})
    assert store.finished(other, 3) == set()
    assert store.finished(scenario, 4) == set()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_store_is_one_line_error(scenario, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExperimentError, match="cannot use the result store"):
            DiskStore(folder / "parts")
    finally:
        folder.chmod(0o700)


def test_run_points_adds_only_new_replications_to_a_memory_store(scenario):
    store = MemoryStore()
    points = [scenario, with_values(scenario, {"strategies.zappos_buffer.max_days": 6})]
    run_points(points, replications=2, workers=1, store=store)
    calls = []
    results = run_points(points, replications=4, workers=1, store=store,
                         progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (4, 8) and calls[-1] == (8, 8)
    assert [len(r.replications) for r in results] == [12, 12]


def test_run_points_share_luck_across_points(scenario):
    points = [scenario, with_values(scenario, {"strategies.zappos_buffer.max_days": 7})]
    first, second = run_points(points, replications=3, workers=1)
    # the same orders arrive at both points: only the promise differs
    assert first.replications["orders"].tolist() == second.replications["orders"].tolist()
    buffer = first.replications["strategy"] == "zappos_buffer"
    assert (first.replications.loc[buffer, "promise_kept"]
            <= second.replications.loc[buffer, "promise_kept"]).all()
    competitor = first.replications["strategy"] == "competitor_overnight"
    pd.testing.assert_frame_equal(first.replications[competitor],
                                  second.replications[competitor])


def test_run_points_on_two_workers_equal_one_worker(scenario):
    points = [scenario, with_values(scenario, {"economics.price": 90.0})]
    one = run_points(points, replications=3, workers=1)
    two = run_points(points, replications=3, workers=2)
    for a, b in zip(one, two):
        pd.testing.assert_frame_equal(a.replications, b.replications)


def test_outcome_arrays_round_trip_every_number_through_npz(scenario, tmp_path):
    outcome = run_replication(ReplicationTask(scenario, 1, 3))
    arrays = outcome_arrays(outcome)
    assert arrays is not None
    np.savez(tmp_path / "outcome.npz", **arrays)
    with np.load(tmp_path / "outcome.npz", allow_pickle=False) as stored:
        back = outcome_from_arrays(1, dict(stored))
    parquet = outcome_from_tables(1, outcome_tables(outcome))  # what the parts held before
    for other in (outcome, parquet):
        pd.testing.assert_frame_equal(pd.DataFrame(back.rows), pd.DataFrame(other.rows))
        for a, b in zip(back.weekly, other.weekly, strict=True):
            assert list(a) == list(b)
            for key in a:
                np.testing.assert_array_equal(a[key], b[key])
                assert np.asarray(a[key]).dtype == np.asarray(b[key]).dtype
        for name in other.satisfaction_hist:
            np.testing.assert_array_equal(back.satisfaction_hist[name],
                                          other.satisfaction_hist[name])


def test_disk_store_reads_parts_kept_as_parquet_tables(scenario, tmp_path, monkeypatch):
    whole = sim.run(scenario, replications=3, workers=1)
    store = DiskStore(tmp_path / "parts")
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "outcome_arrays", lambda outcome: None)
        sim.run(scenario, replications=2, workers=1, store=store)
    assert not list(store.folder.rglob("outcome.npz"))
    resumed = sim.run(scenario, replications=3, workers=1, store=store)
    assert len(list(store.folder.rglob("outcome.npz"))) == 1  # only the new one
    pd.testing.assert_frame_equal(resumed.replications, whole.replications)
    pd.testing.assert_frame_equal(resumed.timeseries, whole.timeseries)


def test_corrupt_part_is_one_clear_error(scenario, tmp_path):
    store = DiskStore(tmp_path / "parts")
    sim.run(scenario, replications=2, workers=1, store=store)
    next(store.folder.rglob("outcome.npz")).write_bytes(b"not a zip")
    with pytest.raises(ExperimentError, match="cannot read a stored replication"):
        sim.run(scenario, replications=2, workers=1, store=store)
