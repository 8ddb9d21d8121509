"""Many short replications: replications per second over 1 and 2 workers, and where the time
goes outside the simulation itself.

Small worlds (the headline scenario and ``repeat_customers.yaml`` cut to ``--days`` days at
``--orders`` orders a day, every strategy) run ``--replications`` times (the world with
customers ``--customer-replications`` times) through
``sim.run(workers=1)`` and ``sim.run(workers=2)`` (its kept workers, as users get them), and the
headline buffer sweep cut the same way runs its points with ``--sweep-replications`` each
through ``sim.run_sweep``. Runs are timed in ``--repeat`` interleaved rounds; the best counts
(every round is shown, with the CPU seconds of this process and of the workers). Each run's
table of replications is checked against the first.

The breakdown runs the first world once more in this process, each replication's task and
result pickled and unpickled on the way as a worker process would have them, with spans
around: set-up (the world, strategies, streams), the simulation (``sim.world.simulate``),
result assembly in the worker (ledger to rows and weekly series), hand-off (pickling tasks
and results), assembly in the parent (tables, intervals, manifest), and the result store
(each replication committed to a disk store, as the CLI's run, sweep, optimize and sensitivity
do; the "stored" runs time that too).

    python benchmarks/small_replications.py                    # 300 replications, best of 3
    python benchmarks/small_replications.py --replications 200 --repeat 2 --json
    python benchmarks/small_replications.py --no-sweep --days 30 --orders 50
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pandas.testing import assert_frame_equal
from tables import aligned

import sim
from sim.experiment import executors, runner, store, tasks
from sim.scenario import Scenario, load_scenario, parse_scenario
from sim.world import ledger

T = TypeVar("T")
R = TypeVar("R")

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
WORLDS = ("zappos_vs_competitor.yaml", "repeat_customers.yaml")
SWEEP = "headline_buffer_sweep.yaml"
WORKERS = 2
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
#: Spans of the breakdown: the module, the attribute wrapped, and the part it counts in.
SPANS = (
    (tasks, "prepare_world", "set-up"),
    (tasks, "replication_strategies", "set-up"),
    (tasks, "replication_streams", "set-up"),
    (tasks, "simulate", "simulation"),
    (ledger.Ledger, "metrics", "worker assembly"),
    (ledger.WeeklySeries, "table", "worker assembly"),
    (runner, "_assemble", "parent assembly"),
    (store.DiskStore, "save", "store (as the CLI keeps one)"),
)


def small(path: Path, days: int, orders: int) -> Scenario:
    """The scenario at ``path`` over ``days`` days at ``orders`` orders a day, no order records."""
    data = load_scenario(path).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["horizon"]["days"] = days
    data["horizon"]["warmup_days"] = min(data["horizon"].get("warmup_days", 0), 7)
    data["demand"]["orders_per_day"] = orders
    data["experiment"].pop("order_records", None)
    return parse_scenario(data, source=f"<{path.name}, {days} days, {orders} a day>")


def worker_cpu() -> float:
    """CPU seconds of the kept local worker processes so far (0 where there are none)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pool in executors._POOLS.values():
        for pid in list(getattr(pool, "_processes", None) or {}):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def timed(call: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """Wall seconds, this process's CPU seconds, the workers' CPU seconds, and the result."""
    wall, cpu, workers = time.perf_counter(), time.process_time(), worker_cpu()
    result = call()
    return (time.perf_counter() - wall, time.process_time() - cpu, worker_cpu() - workers,
            result)


def table_of(result: Any) -> pd.DataFrame:
    return result.replications


def measure(
    runs: dict[str, tuple[int, int, Callable[[int], Any]]], repeat: int
) -> list[dict[str, Any]]:
    """Each run's best seconds over ``repeat`` interleaved rounds, its CPU, and its tables.

    ``runs`` maps a name to (workers, replications, call of the workers).
    """
    rounds: dict[str, list[tuple[float, float, float]]] = {name: [] for name in runs}
    identical = dict.fromkeys(runs, True)
    reference: dict[int, pd.DataFrame] = {}
    for _ in range(repeat):
        for name, (workers, _, call) in runs.items():
            wall, cpu, worker, result = timed(functools.partial(call, workers))
            rounds[name].append((round(wall, 3), round(cpu, 3), round(worker, 3)))
            key = id(call)
            if key not in reference:
                reference[key] = table_of(result)
            else:
                try:
                    assert_frame_equal(table_of(result), reference[key])
                except AssertionError:
                    identical[name] = False
    rows = []
    for name, (workers, n, _) in runs.items():
        best = min(rounds[name])
        rows.append({"run": name, "workers": workers, "replications": n, "seconds": best[0],
                     "all_seconds": [r[0] for r in rounds[name]],
                     "parent_cpu_s": [r[1] for r in rounds[name]],
                     "worker_cpu_s": [r[2] for r in rounds[name]],
                     "replications_per_s": round(n / best[0], 1),
                     "identical": identical[name]})
    for row in rows:  # speed-up of each 2-worker run over the 1-worker run before it
        if row["workers"] == 1:
            base = row["seconds"]
        row["speed_up"] = round(base / row["seconds"], 2)
    return rows


class PicklingExecutor:
    """Runs every task in this process, its task and result pickled and unpickled on the way
    (what a worker process would cost), with the seconds and bytes that took."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.bytes = 0
        self.items = 0

    def map_unordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            started = time.perf_counter()
            sent = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
            item = pickle.loads(sent)
            self.seconds += time.perf_counter() - started
            result = function(item)
            started = time.perf_counter()
            back = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
            result = pickle.loads(back)
            self.seconds += time.perf_counter() - started
            self.bytes += len(sent) + len(back)
            self.items += 1
            yield result


def breakdown(scenario: Scenario, replications: int) -> dict[str, Any]:
    """Milliseconds a replication spends in each part, from spans around the functions of
    :data:`SPANS` (nested spans count in the outer one only), over one run in this process."""
    spent: dict[str, float] = {}
    depth = [0]
    saved = []

    def spanned(function: Callable[..., Any], part: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return function(*args, **kwargs)
            depth[0] += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[part] = spent.get(part, 0.0) + time.perf_counter() - started
                depth[0] -= 1

        return inner

    for owner, name, part in SPANS:
        if hasattr(owner, name):
            saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, spanned(getattr(owner, name), part))
    executor = PicklingExecutor()
    folder = tempfile.mkdtemp(prefix="small_replications.")
    try:
        started = time.perf_counter()
        sim.run(scenario, replications=replications, executor=executor, store=folder)
        total = time.perf_counter() - started
    finally:
        for owner, name, function in reversed(saved):
            setattr(owner, name, function)
        shutil.rmtree(folder, ignore_errors=True)
    spent["hand-off (pickling)"] = executor.seconds
    spent["other"] = total - sum(spent.values())
    per = {part: round(seconds / replications * 1e3, 3) for part, seconds in spent.items()}
    outside = sum(v for k, v in per.items() if k != "simulation")
    return {"scenario": scenario.name, "replications": replications,
            "ms_per_replication": per, "total_ms_per_replication": round(total / replications
                                                                         * 1e3, 3),
            "overhead_ms_per_replication": round(outside, 3),
            "tasks": executor.items,
            "bytes_per_replication": round(executor.bytes / replications)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=300, help="replications a world")
    parser.add_argument("--customer-replications", type=int, default=60,
                        help="replications of the world with customers (slower a replication)")
    parser.add_argument("--days", type=int, default=60, help="days of each small world")
    parser.add_argument("--orders", type=int, default=100, help="orders a day (new customers)")
    parser.add_argument("--sweep-replications", type=int, default=20,
                        help="replications of each sweep point")
    parser.add_argument("--no-sweep", action="store_true", help="leave out the sweep")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is reported")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    if min(args.replications, args.customer_replications, args.sweep_replications) < 2:
        parser.error("--replications, --customer-replications and --sweep-replications "
                     "must be >= 2")
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    for name in ONE_THREAD:  # inherited by the forkserver and its workers
        os.environ.setdefault(name, "1")
    worlds = [small(SCENARIOS / f, args.days, args.orders) for f in WORLDS]
    runs: dict[str, tuple[int, int, Callable[[int], Any]]] = {}
    for world, n in zip(worlds, (args.replications, args.customer_replications)):
        sim.run(world, replications=2, workers=WORKERS)  # numba's cache, the kept workers
        sim.run(world, replications=2, workers=1)
        call = functools.partial(_run, world, n)
        runs[f"{world.name}, 1 worker"] = (1, n, call)
        runs[f"{world.name}, 2 workers"] = (WORKERS, n, call)
    call = functools.partial(_run_stored, worlds[0], args.replications)
    runs[f"{worlds[0].name}, stored, 1 worker"] = (1, args.replications, call)
    runs[f"{worlds[0].name}, stored, 2 workers"] = (WORKERS, args.replications, call)
    if not args.no_sweep:
        swept = small(SCENARIOS / SWEEP, args.days, args.orders)
        points = len(sim.experiment.sweep_points(swept))
        call = functools.partial(_sweep, swept, args.sweep_replications)
        n = points * args.sweep_replications
        runs[f"sweep of {points} points, 1 worker"] = (1, n, call)
        runs[f"sweep of {points} points, 2 workers"] = (WORKERS, n, call)
    rows = measure(runs, args.repeat)
    parts = breakdown(worlds[0], args.replications)
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "days": args.days, "orders": args.orders,
                          "repeat": args.repeat, "runs": rows, "breakdown": parts}))
        return
    print(f"{args.days} days, {args.orders} orders a day, every strategy, best of "
          f"{args.repeat} round{'s' if args.repeat > 1 else ''}, {os.cpu_count()} CPUs")
    head = ("run", "replications", "seconds", "replications/s", "speed-up", "same table",
            "every round (s)", "CPU: this process, workers (s)")
    body = [(r["run"], str(r["replications"]), f"{r['seconds']:.2f}",
             f"{r['replications_per_s']:.1f}", f"{r['speed_up']:.2f}x",
             "yes" if r["identical"] else "NO", " ".join(f"{x:.2f}" for x in r["all_seconds"]),
             " ".join(f"{a:.2f}+{b:.2f}" for a, b in zip(r["parent_cpu_s"],
                                                         r["worker_cpu_s"])))
            for r in rows]
    print(aligned(head, body))
    print(f"\nwhere a replication of {parts['scenario']} spends its time, in this process, "
          f"{parts['tasks']} tasks, {parts['bytes_per_replication']} bytes pickled a "
          "replication:")
    print(aligned(("part", "ms a replication"),
                  [(k, f"{v:.3f}") for k, v in parts["ms_per_replication"].items()]
                  + [("total", f"{parts['total_ms_per_replication']:.3f}"),
                     ("outside the simulation", f"{parts['overhead_ms_per_replication']:.3f}")]))


def _run(scenario: Scenario, replications: int, workers: int) -> sim.Results:
    return sim.run(scenario, replications=replications, workers=workers)


def _run_stored(scenario: Scenario, replications: int, workers: int) -> sim.Results:
    """``sim.run`` keeping every replication in a new disk store, as the CLI does."""
    folder = tempfile.mkdtemp(prefix="small_replications.")
    try:
        return sim.run(scenario, replications=replications, workers=workers, store=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep(scenario: Scenario, replications: int, workers: int) -> sim.SweepResults:
    return sim.run_sweep(scenario, replications=replications, workers=workers)


if __name__ == "__main__":
    main()
