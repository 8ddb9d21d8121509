"""benchmarks/throughput.py: repeated replications timed in one process, medians reported."""

import json
import os
import statistics
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def throughput(monkeypatch):
    """The benchmark script as a module, kept from pinning the test process to one core."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    if hasattr(os, "sched_setaffinity"):
        monkeypatch.setattr(os, "sched_setaffinity", lambda *args: None)
    import throughput

    return throughput


def test_throughput_reports_the_median_of_replications_one_after_another(throughput, capsys):
    throughput.main(["--engine", "batched", "--orders", "3000", "--repeat", "3", "--json",
                     "--no-naive"])

    row = json.loads(capsys.readouterr().out)
    assert row["repeat"] == 3
    assert len(row["all_seconds"]) == len(row["all_orders"]) == 3
    assert row["seconds"] == statistics.median(row["all_seconds"])
    assert len(set(row["all_orders"])) > 1  # replications 0, 1, 2: each its own draws
    assert row["orders"] == row["all_orders"][0]
    rates = [n / t for n, t in zip(row["all_orders"], row["all_seconds"])]
    assert min(rates) * 0.99 <= row["orders_per_s"] <= max(rates) * 1.01


def test_throughput_per_order_engine_times_one_replication_unless_told(throughput, capsys):
    throughput.main(["--engine", "per-order", "--orders", "300", "--json", "--no-naive"])

    row = json.loads(capsys.readouterr().out)
    assert row["repeat"] == 1 and len(row["all_seconds"]) == 1


def test_throughput_refuses_fewer_than_one_repeat(throughput, capsys):
    with pytest.raises(SystemExit) as exit_info:
        throughput.main(["--repeat", "0"])

    assert exit_info.value.code == 2
    assert "--repeat must be >= 1" in capsys.readouterr().err


def test_throughput_customer_mixes_aim_at_the_orders_and_differ_in_new_customers(throughput):
    repeat = throughput.scaled_scenario(200_000, customers="repeat")
    new = throughput.scaled_scenario(200_000, customers="new")

    assert repeat.customers is not None and new.customers is not None
    ratio = new.demand.orders_per_day / repeat.demand.orders_per_day
    assert ratio == pytest.approx(5.0 / 2.6)  # the new mix brings more new customers a day
    assert throughput.scaled_scenario(200_000).customers is None


def test_throughput_measures_the_naive_model_beside_the_engine_and_reports_the_ratio(
    throughput, monkeypatch, capsys
):
    spawned = []

    def in_this_process(engine, orders, *, customers, repeat, market):
        spawned.append((engine, orders, customers, repeat, market))
        return throughput.measure(engine, orders, customers=customers, repeat=repeat,
                                  market=market)

    monkeypatch.setattr(throughput, "measure_in_subprocess", in_this_process)
    throughput.main(["--engine", "batched", "--orders", "3000", "--repeat", "1", "--json",
                     "--market", "--naive-orders", "600"])

    naive, batched = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert spawned == [("naive", 600, None, 1, True)]  # its own subprocess, the same world
    assert naive["engine"] == "naive" and naive["market"] and naive["x_naive"] is None
    assert naive["strategy"] == batched["strategy"] == "promise_overnight"
    assert batched["naive_orders_per_s"] == naive["orders_per_s"]
    assert batched["x_naive"] == pytest.approx(batched["orders_per_s"] / naive["orders_per_s"],
                                               rel=0.01)
    line = throughput.speed_ratios([batched])[0]
    assert line.startswith("batched / naive at 3,000 orders: ")


def test_throughput_market_scales_seed_08_and_refuses_customers(throughput, capsys):
    market = throughput.scaled_scenario(50_000, market=True)

    assert market.market is not None and market.horizon.days == throughput.DAYS
    assert throughput.strategy_of(market) == "promise_overnight"
    with pytest.raises(SystemExit) as exit_info:
        throughput.main(["--market", "--customers"])
    assert exit_info.value.code == 2
    assert "--customers and --market exclude each other" in capsys.readouterr().err
