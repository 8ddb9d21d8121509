"""Order records on disk: chunked Parquet equal to the in-memory records, one file per strategy
and replication, written whole or not at all, and nothing when the option is off."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from factories import small_scenario

import sim
from sim.errors import ExperimentError
from sim.experiment.manifest import scenario_hash
from sim.experiment.streams import replication_streams
from sim.world import OrderRecords, build_strategies, build_world, simulate
from sim.world.records import ParquetOrderRecords, order_records_path

FIELDS = OrderRecords.FIELDS


def _batch(n, start=0.0):
    times = start + np.arange(n, dtype=float)
    columns = {f: times + i for i, f in enumerate(FIELDS)}
    columns["service"] = np.arange(n) % 2
    columns["customer"] = np.arange(n) - 1
    return columns


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def scenario():
    return small_scenario()


@pytest.fixture(scope="module")
def world(scenario):
    return build_world(scenario)


@pytest.mark.parametrize("chunk_rows", [1_000, 4_321])
def test_chunked_records_equal_the_in_memory_records(scenario, world, tmp_path, chunk_rows):
    name, strategy = next(iter(build_strategies(scenario, world).items()))
    memory = OrderRecords()
    ledger = simulate(world, strategy, replication_streams(7, 3), name=name, records=memory)
    expected = memory.to_arrays()

    strategy = build_strategies(scenario, world)[name]
    path = tmp_path / "orders.parquet"
    with ParquetOrderRecords(path, replication=3, chunk_rows=chunk_rows) as records:
        again = simulate(world, strategy, replication_streams(7, 3), name=name, records=records)

    n = expected["arrival"].size
    file = pq.ParquetFile(path)
    sizes = [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)]
    assert file.num_row_groups == -(-n // chunk_rows) > 1
    assert all(size == chunk_rows for size in sizes[:-1]) and sum(sizes) == n
    table = file.read()
    for field in FIELDS:
        np.testing.assert_array_equal(table[field].to_numpy(), expected[field], strict=False)
    assert (table["replication"].to_numpy() == 3).all()
    assert records.rows == n
    assert records.peak_buffered <= chunk_rows and records.buffered == 0
    measured = expected["arrival"] >= world.warmup_days * 24.0
    assert again.orders == ledger.orders == measured.sum()


def test_a_batch_larger_than_a_chunk_never_fills_the_buffer_past_it(tmp_path):
    path = tmp_path / "orders.parquet"
    with ParquetOrderRecords(path, replication=0, chunk_rows=1_000) as records:
        for k in range(3):
            records.add(**_batch(2_500, start=k * 2_500))
            assert records.buffered < 1_000
    assert records.peak_buffered == 1_000
    file = pq.ParquetFile(path)
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == (
        [1_000] * 7 + [500]
    )
    np.testing.assert_array_equal(file.read()["arrival"].to_numpy(), np.arange(7_500.0))


def test_the_file_appears_only_when_closed(tmp_path):
    path = tmp_path / "orders.parquet"
    records = ParquetOrderRecords(path, replication=0, chunk_rows=10)
    records.add(**_batch(25))
    assert not path.exists()
    assert all(p.name.startswith(".") for p in tmp_path.iterdir())
    records.close()
    assert _files(tmp_path) == ["orders.parquet"]
    assert pq.read_table(path).num_rows == 25


def test_a_failed_block_leaves_nothing_behind(tmp_path):
    with pytest.raises(RuntimeError), ParquetOrderRecords(
        tmp_path / "orders.parquet", replication=0, chunk_rows=10
    ) as records:
        records.add(**_batch(25))
        raise RuntimeError("the replication failed")
    assert _files(tmp_path) == []


def test_no_orders_give_an_empty_file_with_every_column(tmp_path):
    path = tmp_path / "orders.parquet"
    ParquetOrderRecords(path, replication=0).close()
    table = pq.read_table(path)
    assert table.num_rows == 0
    assert table.column_names == [*FIELDS, "replication"]


def test_the_folder_reads_as_one_table_with_strategy_and_replication(tmp_path):
    names = ["plain", "with space", "a/b=c%d", "2"]
    for name in names:
        for replication in (0, 1, 10):
            with ParquetOrderRecords(order_records_path(tmp_path, name, replication),
                                     replication=replication, chunk_rows=7) as records:
                records.add(**_batch(replication + 3))
    table = pd.read_parquet(tmp_path)
    assert list(table.columns) == [*FIELDS, "replication", "strategy"]
    counts = table.groupby(["strategy", "replication"], observed=True).size()
    assert counts.to_dict() == {(n, r): r + 3 for n in names for r in (0, 1, 10)}


def test_an_unwritable_path_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ExperimentError, match="cannot write order records") as info:
        ParquetOrderRecords(blocker / "orders.parquet", replication=0)
    assert "\n" not in str(info.value)


# A run's order records: sim.run(..., order_records=...) and the scenario option.


@pytest.fixture(scope="module")
def recorded(scenario, tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "orders"
    return folder, sim.run(scenario, replications=2, workers=1, order_records=folder)


def test_run_writes_one_file_per_strategy_and_replication(recorded, scenario):
    folder, results = recorded
    assert _files(folder) == sorted(
        f"strategy={s.name}/replication={r}.parquet" for s in scenario.strategies for r in (0, 1)
    )
    table = pd.read_parquet(folder)
    assert list(table.columns) == [*FIELDS, "replication", "strategy"]
    measured = table[table["arrival"] >= scenario.horizon.warmup_days * 24.0]
    counts = measured.groupby(["strategy", "replication"], observed=True).size()
    orders = results.replications.set_index(["strategy", "replication"])["orders"]
    assert counts.sort_index().to_dict() == orders.sort_index().to_dict()
    assert results.manifest["order_records"] == str(folder)


def test_recording_changes_no_number(recorded, scenario):
    _, results = recorded
    plain = sim.run(scenario, replications=2, workers=1)
    pd.testing.assert_frame_equal(results.replications, plain.replications)
    assert plain.manifest["order_records"] is None


def test_two_workers_write_identical_records(recorded, scenario, tmp_path):
    folder, _ = recorded
    sim.run(scenario, replications=2, workers=2, order_records=tmp_path / "orders")
    assert _files(tmp_path / "orders") == _files(folder)
    for name in _files(folder):
        assert pq.read_table(tmp_path / "orders" / name).equals(pq.read_table(folder / name))


def test_a_second_run_replaces_its_files_and_leaves_the_others(scenario, tmp_path):
    folder = tmp_path / "orders"
    sim.run(scenario, replications=3, workers=1, order_records=folder)
    first = pd.read_parquet(folder)
    stale = folder / f"strategy={scenario.strategies[0].name}" / "replication=0.parquet"
    stale.write_bytes(b"not parquet")
    sim.run(scenario, replications=2, workers=1, order_records=folder)
    assert len(_files(folder)) == 3 * len(scenario.strategies)
    pd.testing.assert_frame_equal(pd.read_parquet(folder), first)
    assert not list(folder.rglob(".*"))


def test_the_scenario_option_is_relative_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = small_scenario(experiment={"replications": 2, "seed": 7, "order_records": "out"})
    assert scenario_hash(scenario) == scenario_hash(small_scenario(
        experiment={"replications": 2, "seed": 7}))
    sim.run(scenario, workers=1)
    assert len(_files(tmp_path / "out")) == 2 * len(scenario.strategies)


def test_off_by_default_writes_nothing(scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sim.run(scenario, replications=2, workers=1)
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_is_refused(scenario, tmp_path):
    blocker = tmp_path / "orders"
    blocker.write_text("")
    with pytest.raises(ExperimentError, match="exists and is not a folder"):
        sim.run(scenario, replications=2, workers=1, order_records=blocker)
    with pytest.raises(ExperimentError, match="cannot create the order records folder"):
        sim.run(scenario, replications=2, workers=1, order_records=blocker / "below")
