"""Replications per second over 1 and 2 local worker processes, and optionally a Dask cluster.

The headline scenario (every strategy, its full horizon) runs ``--replications`` times on each
of: ``sim.run(workers=1)`` (in this process), 2 worker processes kept warm from one run to the
next (the scaling itself), ``sim.run(workers=2)`` as users call it (it keeps its worker
processes between runs of built-in strategies; a tiny run starts them first), and with
``--dask`` a Dask LocalCluster of 2 single-threaded worker processes. Tiny runs first (a 28-day,
100-orders-a-day copy of the scenario, every strategy) load numba's cache in every process and
start the forkserver; their costs are printed on their own lines. The runs are timed in
``--repeat`` interleaved rounds and the best round counts (every round is shown), since other
work on a shared machine only ever slows a run down. Every run's table of replications is
checked against the first one (``pandas.testing.assert_frame_equal``).

    python benchmarks/scaling.py                          # 8 replications, best of 3 rounds
    python benchmarks/scaling.py --replications 20 --repeat 1 --json
    python benchmarks/scaling.py --dask                   # also a Dask LocalCluster, 2 x 1 thread
    python benchmarks/scaling.py --scenario scenarios/repeat_customers.yaml

The machine should be otherwise idle: on 2 cores, anything else running shows up as a lower
speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pandas.testing import assert_frame_equal
from tables import aligned

import sim
from sim.experiment import DaskExecutor, LocalExecutor
from sim.experiment.executors import Executor, _context
from sim.experiment.tasks import ReplicationTask, run_replication
from sim.scenario import Scenario, load_scenario, parse_scenario

T = TypeVar("T")
R = TypeVar("R")

HEADLINE = Path(__file__).resolve().parents[1] / "scenarios" / "zappos_vs_competitor.yaml"
WORKERS = 2
TARGET = 1.8
TINY_DAYS = 28
TINY_WARMUP_DAYS = 7
TINY_ORDERS_PER_DAY = 100
#: The runs, in the order they are timed in each round.
ONE = "sim.run(workers=1)"
WARM = "2 processes, kept warm"
TWO = "sim.run(workers=2)"
DASK = "Dask LocalCluster, 2 x 1"
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def tiny_scenario(scenario: Scenario) -> Scenario:
    """``scenario`` over 28 days at 100 orders a day, every strategy kept: for warm-ups."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["horizon"]["days"] = TINY_DAYS
    data["horizon"]["warmup_days"] = min(data["horizon"].get("warmup_days", 0), TINY_WARMUP_DAYS)
    data["demand"]["orders_per_day"] = TINY_ORDERS_PER_DAY
    return parse_scenario(data, source=f"<{scenario.name}, tiny>")


def without_records(scenario: Scenario) -> Scenario:
    """``scenario`` without its order records folder, if it has one: no files are written."""
    experiment = scenario.experiment.model_copy(update={"order_records": None})
    return scenario.model_copy(update={"experiment": experiment})


def warm_up(tiny: Scenario) -> int:
    """Run one tiny replication in this process (numba's cache loaded); this process's id."""
    run_replication(ReplicationTask(tiny, 0, tiny.experiment.seed))
    time.sleep(0.2)  # let the other workers take the other warm-up tasks
    return os.getpid()


class WarmPool:
    """An executor over worker processes that stay up, and warm, from one run to the next."""

    def __init__(self, workers: int, tiny: Scenario) -> None:
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
        warmed: set[int] = set()
        for _ in range(10):
            warmed |= set(self.pool.map(warm_up, [tiny] * workers))
            if len(warmed) >= workers:
                return
        raise SystemExit(f"could not warm up {workers} worker processes")

    def map_unordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Apply ``function`` to every item over the warm workers."""
        futures = [self.pool.submit(function, item) for item in items]
        for future in as_completed(futures):
            yield future.result()

    def close(self) -> None:
        """Stop the worker processes."""
        self.pool.shutdown()


def timed(
    scenario: Scenario, replications: int, executor: Executor | None, workers: int | None = None
) -> tuple[float, sim.Results]:
    """Seconds ``sim.run`` takes on ``executor`` (None: on ``workers``, as users call it), and
    its results."""
    started = time.perf_counter()
    results = sim.run(scenario, replications=replications, executor=executor, workers=workers)
    return time.perf_counter() - started, results


def check(results: sim.Results, reference: pd.DataFrame) -> bool:
    """Whether the table of replications of ``results`` equals ``reference``."""
    try:
        assert_frame_equal(results.replications, reference)
    except AssertionError:
        return False
    return True


def pool_start_up(tiny: Scenario) -> dict[str, float]:
    """Seconds a new local pool of 2 processes adds to a run: the session's first, and each later.

    A tiny run over 2 processes not kept (as when a strategy is the user's own code) minus the
    same run in this process: the first starts the forkserver (which imports sim, numpy,
    numba...); every later one forks its workers from it, and they load numba's cache.
    """
    one, two = LocalExecutor(1), LocalExecutor(WORKERS)
    timed(tiny, 2, one)  # numba's cache, in this process
    first, _ = timed(tiny, 2, two)
    in_process, _ = timed(tiny, 2, one)
    later, _ = timed(tiny, 2, two)
    timed(tiny, 2, None, WORKERS)  # starts the pool sim.run(workers=2) keeps
    return {
        "first_pool_of_session_s": round(first - in_process, 3),
        "pool_per_run_s": round(later - in_process, 3),
    }


def dask_client(stack: ExitStack, tiny: Scenario) -> tuple[Any, float]:
    """A client of a Dask LocalCluster of 2 single-threaded, warm processes; its start-up."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    cluster = stack.enter_context(
        LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        )
    )
    client = stack.enter_context(Client(cluster))
    client.wait_for_workers(WORKERS)
    client.run(warm_up, tiny)  # on every worker
    return client, time.perf_counter() - started


def measure(
    scenario: Scenario,
    replications: int,
    executors: dict[str, tuple[int, Executor | None]],
    repeat: int,
) -> list[dict[str, Any]]:
    """Each executor's seconds over ``repeat`` rounds (interleaved), its best, and its tables.

    Every table of replications is compared with the first run's, on the first executor.
    """
    seconds: dict[str, list[float]] = {name: [] for name in executors}
    identical = dict.fromkeys(executors, True)
    reference = None
    for _ in range(repeat):
        for name, (workers, executor) in executors.items():
            took, results = timed(scenario, replications, executor, workers)
            seconds[name].append(round(took, 3))
            if reference is None:
                reference = results.replications
            identical[name] &= check(results, reference)
    return [
        {
            "run": name,
            "workers": workers,
            "replications": replications,
            "seconds": min(seconds[name]),
            "all_seconds": seconds[name],
            "replications_per_s": round(replications / min(seconds[name]), 3),
            "identical": identical[name],
        }
        for name, (workers, _) in executors.items()
    ]


def speed_ups(rows: list[dict[str, Any]]) -> None:
    """Add each run's speed-up over the first (1 worker), best time against best time."""
    base = rows[0]["seconds"]
    for r in rows:
        r["speed_up"] = round(base / r["seconds"], 2)


def table(rows: list[dict[str, Any]]) -> str:
    """The measurements as an aligned text table."""
    head = ("run", "workers", "seconds", "replications/s", "speed-up", "same table", "every round")
    body = [
        (
            r["run"],
            str(r["workers"]),
            f"{r['seconds']:.2f}",
            f"{r['replications_per_s']:.3f}",
            f"{r['speed_up']:.2f}x",
            "yes" if r["identical"] else "NO",
            " ".join(f"{x:.2f}" for x in r["all_seconds"]),
        )
        for r in rows
    ]
    return aligned(head, body)


def notes(rows: list[dict[str, Any]], startup: dict[str, float]) -> list[str]:
    """Start-up costs, the speed-ups against the target, and whether the tables agree."""
    speed = {r["run"]: r["speed_up"] for r in rows}
    lines = [
        f"start-up of the session's first local pool (forkserver and imports included): "
        f"{startup['first_pool_of_session_s']:.2f} s",
        f"start-up of each later new pool of 2 (not kept: a strategy of the user's own code): "
        f"{startup['pool_per_run_s']:.2f} s",
    ]
    if "dask_cluster_start_s" in startup:
        lines.append(
            f"start-up of the Dask LocalCluster (2 workers, warmed), once: "
            f"{startup['dask_cluster_start_s']:.2f} s"
        )
    for name in (WARM, TWO):
        verdict = "met" if speed[name] >= TARGET else "not met"
        lines.append(
            f"speed-up over 1 worker of {name}: {speed[name]:.2f}x (target {TARGET}x: {verdict})"
        )
    same = all(r["identical"] for r in rows)
    lines.append(
        "tables of replications identical across all runs: "
        + ("yes" if same else "NO: " + ", ".join(r["run"] for r in rows if not r["identical"]))
    )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=HEADLINE, help="scenario file")
    parser.add_argument("--replications", type=int, default=8, help="replications per run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is reported")
    parser.add_argument("--dask", action="store_true", help="also a Dask LocalCluster")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    if args.replications < 2:
        parser.error("--replications must be >= 2")
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    for name in ONE_THREAD:  # inherited by the forkserver and its workers
        os.environ.setdefault(name, "1")
    scenario = without_records(load_scenario(args.scenario))
    tiny = tiny_scenario(scenario)
    startup = pool_start_up(tiny)
    with ExitStack() as stack:
        warm = WarmPool(WORKERS, tiny)
        stack.callback(warm.close)
        executors: dict[str, tuple[int, Executor | None]] = {
            ONE: (1, None),
            WARM: (WORKERS, warm),
            TWO: (WORKERS, None),
        }
        if args.dask:
            client, seconds = dask_client(stack, tiny)
            startup["dask_cluster_start_s"] = round(seconds, 3)
            executors[DASK] = (WORKERS, DaskExecutor(client))
        rows = measure(scenario, args.replications, executors, args.repeat)
    speed_ups(rows)
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": scenario.name,
                    "cpus": os.cpu_count(),
                    "replications": args.replications,
                    "repeat": args.repeat,
                    "runs": rows,
                    "startup": startup,
                }
            )
        )
        return
    print(
        f"{scenario.name}: {len(scenario.strategies)} strategies, {scenario.horizon.days} days, "
        f"{args.replications} replications a run, best of {args.repeat} "
        f"round{'s' if args.repeat > 1 else ''}, "
        f"{os.cpu_count()} CPUs"
    )
    print(table(rows))
    for line in notes(rows, startup):
        print(line)


if __name__ == "__main__":
    main()
