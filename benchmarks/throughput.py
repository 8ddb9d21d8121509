"""Orders per second on one core, and peak memory, of replications of the headline world.

The headline scenario is scaled to a number of orders: a 364-day horizon, and the orders a day
and each shift's pickers multiplied by one factor. Pickers are whole people, so they are
rounded (at least one a shift) and the orders a day are then matched to the rostered
picker-hours: utilisation stays the headline's. A size too small to staff that way keeps the
smallest staff and gets a shorter horizon instead. One strategy (``competitor_overnight``).

Each size runs in a fresh subprocess pinned to one core, so that peak RSS does not carry over
from a bigger run; a tiny warm-up run first keeps numba compilation (or loading its cache) out
of the timing. There, ``--repeat`` replications (0, 1, ... of the scenario's seed, as a Monte
Carlo run takes them one after another in one process) are timed one by one; the median time
and the median rate are reported, every run's time is kept. Peak RSS is the process's over all
of them and includes the imports (numpy, scipy, pandas, numba).

    python benchmarks/throughput.py                       # both engines, default sizes, a table
    python benchmarks/throughput.py --engine batched --orders 1000000 --repeat 5
    python benchmarks/throughput.py --engine per-order --orders 20000 --json
    python benchmarks/throughput.py --customers          # customer dynamics on (batched only)
    python benchmarks/throughput.py --customers new      # more new customers, fewer repeats

With ``--customers`` the scenario gains a ``customers`` section (returning customers, trust,
learning, churn, word of mouth) and no warm-up; the demand rate is then the rate of new
customers, lowered so that new and returning orders together come near the target. The
default mix, ``repeat``, is issue 6's: 10^7 orders from about 2 million customers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from tables import aligned

from sim.experiment.streams import replication_streams
from sim.model.promise import FirmView, PromiseStrategy, Quote, uses_backlog
from sim.scenario import Scenario, clock_hours, load_scenario, parse_scenario
from sim.world import World, build_strategies, build_world, simulate
from sim.world.per_order import simulate_per_order

HEADLINE = Path(__file__).resolve().parents[1] / "scenarios" / "zappos_vs_competitor.yaml"
STRATEGY = "competitor_overnight"
ENGINES = ("batched", "per-order")
SIZES = {"batched": (10**5, 10**6, 10**7), "per-order": (10**4, 10**5)}
DAYS = 364
MIN_DAYS = 28
WARMUP_ORDERS = 2_000
#: Replications timed per size: the batched engine's default (the per-order one times one).
REPEAT = 3
#: Customer mixes of ``--customers``: each customer behaviour, and the orders a new customer
#: places over the year under it (measured), which sets the rate of new customers so that
#: new and returning orders come near the target. ``repeat`` is issue 6's mix (10^7 orders
#: from about 2 million customers, 5 orders each); ``new``, more new customers (3.7 million
#: at that size, 2.6 orders each), was the benchmark's only mix until the fourth session of
#: 2026-11-23: each new customer costs a record written to fresh memory.
CUSTOMER_MIXES = {
    "repeat": ({"repurchase_per_year": 15.0, "churn_base": 0.1, "churn_sensitivity": 0.3}, 5.0),
    "new": ({"repurchase_per_year": 6.0, "churn_base": 0.25, "churn_sensitivity": 0.3}, 2.6),
}
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


class Counted:
    """A strategy that counts the orders it quotes (the ledger counts only measured ones)."""

    def __init__(self, strategy: PromiseStrategy) -> None:
        self.strategy = strategy
        self.uses_backlog = uses_backlog(strategy)
        self.elementwise = getattr(strategy, "elementwise", False)
        self.orders = 0

    def quote(self, view: FirmView) -> Quote:
        self.orders += view.arrival.size
        return self.strategy.quote(view)


def scaled_scenario(orders: int, *, customers: str | None = None) -> Scenario:
    """The headline scenario at about ``orders`` orders, at the headline's utilisation, with
    the customer mix ``customers`` (a key of :data:`CUSTOMER_MIXES`; None: no customers)."""
    data = load_scenario(HEADLINE).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["horizon"]["days"] = DAYS
    factor = orders / build_world(parse_scenario(data)).demand.expected_orders
    shifts = data["warehouse"]["shifts"]
    hours = [clock_hours(s["end"]) - clock_hours(s["start"]) for s in shifts]
    before = sum(s["pickers"] * h for s, h in zip(shifts, hours))
    understaffed = any(0 < s["pickers"] * factor < 0.5 for s in shifts)
    for shift in shifts:
        if shift["pickers"] > 0:
            shift["pickers"] = max(1, round(shift["pickers"] * factor))
    data["demand"]["orders_per_day"] *= (
        sum(s["pickers"] * h for s, h in zip(shifts, hours)) / before
    )
    if understaffed:
        expected = np.cumsum(build_world(parse_scenario(data)).demand.daily_rate)
        data["horizon"]["days"] = max(MIN_DAYS, int(np.searchsorted(expected, orders)) + 1)
    if customers is not None:
        behaviour, orders_per_customer = CUSTOMER_MIXES[customers]
        data["customers"] = behaviour
        data["horizon"]["warmup_days"] = 0
        data["demand"]["orders_per_day"] /= orders_per_customer
    return parse_scenario(data, source=f"<headline at {orders} orders>")


def run_once(
    engine: str, scenario: Scenario, *, replication: int = 0, world: World | None = None
) -> tuple[int, float, int]:
    """Orders simulated, seconds taken and customers seen in replication ``replication`` of
    ``scenario`` (building the world and the strategy excluded)."""
    world = build_world(scenario) if world is None else world
    strategy = Counted(build_strategies(scenario, world)[STRATEGY])
    streams = replication_streams(scenario.experiment.seed, replication)
    started = time.perf_counter()
    customers = 0
    if engine == "batched":
        customers = simulate(world, strategy, streams, name=STRATEGY).new_customers
    else:
        simulate_per_order(world, strategy, streams, name=STRATEGY)
    return strategy.orders, time.perf_counter() - started, customers


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def measure(
    engine: str, orders: int, *, customers: str | None = None, repeat: int = 1
) -> dict[str, Any]:
    """Throughput and peak memory of ``engine`` at about ``orders`` orders, in this process:
    the median of replications 0 to ``repeat - 1``, timed one after another."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    scenario = scaled_scenario(orders, customers=customers)
    run_once(engine, scaled_scenario(WARMUP_ORDERS, customers=customers))
    before = peak_rss_mib()
    world = build_world(scenario)
    runs = [run_once(engine, scenario, replication=r, world=world) for r in range(repeat)]
    simulated, seconds, seen = (list(column) for column in zip(*runs))
    return {
        "engine": engine,
        "customers": customers is not None,
        "customer_mix": customers,
        "customer_count": seen[0],
        "target_orders": orders,
        "orders": simulated[0],
        "days": scenario.horizon.days,
        "pickers": [s.pickers for s in scenario.warehouse.shifts],
        "repeat": repeat,
        "seconds": round(float(np.median(seconds)), 6),
        "orders_per_s": round(float(np.median(np.divide(simulated, seconds)))),
        "all_seconds": [round(t, 6) for t in seconds],
        "all_orders": simulated,
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "rss_before_run_mib": round(before, 1),
    }


def measure_in_subprocess(
    engine: str, orders: int, *, customers: str | None, repeat: int
) -> dict[str, Any]:
    """:func:`measure` in a fresh interpreter, so that its peak memory is its own."""
    env = {**os.environ, **dict.fromkeys(ONE_THREAD, "1")}
    command = [sys.executable, __file__, "--engine", engine, "--orders", str(orders), "--json",
               "--repeat", str(repeat)]
    command += [] if customers is None else ["--customers", customers]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{engine} at {orders} orders failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict[str, Any]]) -> str:
    """The measurements as an aligned text table."""
    head = (
        "engine",
        "customers",
        "orders",
        "days",
        "pickers",
        "runs",
        "seconds",
        "orders/s",
        "µs/order",
        "peak RSS MiB",
        "before run",
    )
    body = [
        (
            r["engine"],
            f"{r['customer_count']:,}",
            f"{r['orders']:,}",
            str(r["days"]),
            "+".join(map(str, r["pickers"])),
            str(r["repeat"]),
            f"{r['seconds']:.3f}",
            f"{r['orders_per_s']:,}",
            f"{1e6 / r['orders_per_s']:.3f}",
            f"{r['peak_rss_mib']:,.0f}",
            f"{r['rss_before_run_mib']:,.0f}",
        )
        for r in rows
    ]
    return aligned(head, body)


def speed_ratios(rows: list[dict[str, Any]]) -> list[str]:
    """Batched over per-order throughput at each size both engines ran."""
    speed = {(r["engine"], r["target_orders"]): r["orders_per_s"] for r in rows}
    both = sorted(n for e, n in speed if e == "batched" and ("per-order", n) in speed)
    return [
        f"batched / per-order at {n:,} orders: {speed['batched', n] / speed['per-order', n]:,.0f}x"
        for n in both
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, help="one engine (default: both)")
    parser.add_argument("--orders", type=int, help="one size (default: each engine's sizes)")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    parser.add_argument(
        "--customers", nargs="?", const="repeat", choices=sorted(CUSTOMER_MIXES),
        help="customer dynamics on, with a mix of new and returning customers (default "
             "repeat: 10^7 orders from about 2 million customers; new: 3.7 million)",
    )
    parser.add_argument(
        "--repeat", type=int,
        help=f"replications timed per size in one process, the median reported (default "
             f"{REPEAT}; 1 for the per-order engine, which is slow)",
    )
    args = parser.parse_args(argv)
    if args.orders is not None and args.orders < 1:
        parser.error("--orders must be >= 1")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.customers is not None and args.engine == "per-order":
        parser.error("--customers runs the batched engine only")
    engines = ([args.engine] if args.engine
               else ["batched"] if args.customers is not None else list(ENGINES))

    def repeat(engine: str) -> int:
        return args.repeat or (REPEAT if engine == "batched" else 1)

    if args.engine and args.orders:
        runs = [lambda: measure(args.engine, args.orders, customers=args.customers,
                                repeat=repeat(args.engine))]
    else:
        runs = [
            lambda engine=engine, size=size: measure_in_subprocess(
                engine, size, customers=args.customers, repeat=repeat(engine)
            )
            for engine in engines
            for size in ([args.orders] if args.orders else SIZES[engine])
        ]
    results = []
    for run in runs:
        results.append(run())
        if args.json:
            print(json.dumps(results[-1]), flush=True)
    if not args.json:
        mode = ("no customer memory" if args.customers is None
                else f"customer dynamics on ({args.customers} mix)")
        print(f"{HEADLINE.name} scaled, strategy {STRATEGY}, {mode}, one core, median of "
              "the runs (replications 0, 1, ...)")
        print(table(results))
        for line in speed_ratios(results):
            print(line)


if __name__ == "__main__":
    main()
