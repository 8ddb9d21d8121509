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
    python benchmarks/throughput.py --market             # seed 08's market, scaled
    python benchmarks/throughput.py --engine naive --orders 20000 --json

Every run of the batched or per-order engine also measures the naive SimPy model
(``naive.py``, one process per order, pure Python) on the same scaled scenario, in its own
pinned subprocess, at ``--naive-orders`` orders (default 2*10^4, one replication: its rate is
flat in size), and reports each size's speed over it (``x_naive``; ``--no-naive``: not).

With ``--customers`` the scenario gains a ``customers`` section (returning customers, trust,
learning, churn, word of mouth) and no warm-up; the demand rate is then the rate of new
customers, lowered so that new and returning orders together come near the target. The
default mix, ``repeat``, is issue 6's: 10^7 orders from about 2 million customers.

With ``--market`` the world is seed 08's (``scenarios/seeds/08_*.yaml``: the firm promising
overnight, strategy ``promise_overnight``, against an overnight rival, prospects choosing by a
logit), scaled the same way; its orders are the prospects the firm quoted.
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
from naive import simulate_naive
from tables import aligned

from sim.experiment.streams import replication_streams
from sim.model.promise import FirmView, PromiseStrategy, Quote, uses_backlog
from sim.scenario import Scenario, clock_hours, load_scenario, parse_scenario
from sim.world import World, build_strategies, build_world, simulate
from sim.world.per_order import simulate_per_order

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
HEADLINE = SCENARIOS / "zappos_vs_competitor.yaml"
MARKET = next((SCENARIOS / "seeds").glob("08_*.yaml"))
STRATEGY = "competitor_overnight"
MARKET_STRATEGY = "promise_overnight"
ENGINES = ("batched", "per-order", "naive")
SIZES = {"batched": (10**5, 10**6, 10**7), "per-order": (10**4, 10**5), "naive": (2 * 10**4,)}
#: Orders of the naive reference measured beside the other engines (its rate is flat in size).
NAIVE_ORDERS = 2 * 10**4
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


def scaled_scenario(
    orders: int, *, customers: str | None = None, market: bool = False
) -> Scenario:
    """The headline scenario (seed 08's market if ``market``) at about ``orders`` orders, at
    its utilisation, with the customer mix ``customers`` (a key of :data:`CUSTOMER_MIXES`;
    None: no customers)."""
    source = MARKET if market else HEADLINE
    data = load_scenario(source).model_dump(mode="json", by_alias=True, exclude_none=True)
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
    if market:
        data["horizon"]["warmup_days"] = 0
    if customers is not None:
        behaviour, orders_per_customer = CUSTOMER_MIXES[customers]
        data["customers"] = behaviour
        data["horizon"]["warmup_days"] = 0
        data["demand"]["orders_per_day"] /= orders_per_customer
    name = "seed 08's market" if market else "headline"
    return parse_scenario(data, source=f"<{name} at {orders} orders>")


def strategy_of(scenario: Scenario) -> str:
    """The strategy timed: the headline's overnight promise, or seed 08's in a market."""
    return MARKET_STRATEGY if scenario.market is not None else STRATEGY


def run_once(
    engine: str, scenario: Scenario, *, replication: int = 0, world: World | None = None
) -> tuple[int, float, int]:
    """Orders simulated (in a market, prospects quoted), seconds taken and customers seen in
    replication ``replication`` of ``scenario`` (building the world and the strategy excluded)."""
    world = build_world(scenario) if world is None else world
    name = strategy_of(scenario)
    if engine == "naive":
        started = time.perf_counter()
        totals = simulate_naive(scenario, name, replication=replication, world=world)
        seconds = time.perf_counter() - started
        return totals.orders, seconds, totals.new_customers
    strategy = build_strategies(scenario, world)[name]
    # Worlds with customers or a market count from the ledger (no warm-up: every order is
    # booked), so that their built-in strategy runs the compiled day loop; a wrapped one
    # would run the scheduled days.
    from_ledger = engine == "batched" and (scenario.customers is not None
                                           or scenario.market is not None)
    counted = Counted(strategy)
    streams = replication_streams(scenario.experiment.seed, replication)
    started = time.perf_counter()
    if engine != "batched":
        simulate_per_order(world, counted, streams, name=name)
        return counted.orders, time.perf_counter() - started, 0
    ledger = simulate(world, strategy if from_ledger else counted, streams, name=name)
    seconds = time.perf_counter() - started
    if not from_ledger:
        return counted.orders, seconds, ledger.new_customers
    return (ledger.prospects if scenario.market is not None else ledger.orders), seconds, \
        ledger.new_customers


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def measure(
    engine: str, orders: int, *, customers: str | None = None, repeat: int = 1,
    market: bool = False
) -> dict[str, Any]:
    """Throughput and peak memory of ``engine`` at about ``orders`` orders, in this process:
    the median of replications 0 to ``repeat - 1``, timed one after another."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    scenario = scaled_scenario(orders, customers=customers, market=market)
    run_once(engine, scaled_scenario(WARMUP_ORDERS, customers=customers, market=market))
    before = peak_rss_mib()
    world = build_world(scenario)
    runs = [run_once(engine, scenario, replication=r, world=world) for r in range(repeat)]
    simulated, seconds, seen = (list(column) for column in zip(*runs))
    return {
        "engine": engine,
        "customers": customers is not None,
        "customer_mix": customers,
        "customer_count": seen[0],
        "market": market,
        "strategy": strategy_of(scenario),
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
        "naive_orders_per_s": None,
        "x_naive": None,
    }


def measure_in_subprocess(
    engine: str, orders: int, *, customers: str | None, repeat: int, market: bool = False
) -> dict[str, Any]:
    """:func:`measure` in a fresh interpreter, so that its peak memory is its own."""
    env = {**os.environ, **dict.fromkeys(ONE_THREAD, "1")}
    command = [sys.executable, __file__, "--engine", engine, "--orders", str(orders), "--json",
               "--repeat", str(repeat), "--no-naive"]
    command += [] if customers is None else ["--customers", customers]
    command += ["--market"] if market else []
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
        "x naive",
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
            "" if r.get("x_naive") is None else f"{r['x_naive']:,.1f}",
        )
        for r in rows
    ]
    return aligned(head, body)


def speed_ratios(rows: list[dict[str, Any]]) -> list[str]:
    """Batched over per-order throughput at each size both engines ran, and each engine's
    over the naive model's (measured once, at its own size) at each of its sizes."""
    speed = {(r["engine"], r["target_orders"]): r["orders_per_s"] for r in rows}
    both = sorted(n for e, n in speed if e == "batched" and ("per-order", n) in speed)
    lines = [
        f"batched / per-order at {n:,} orders: {speed['batched', n] / speed['per-order', n]:,.0f}x"
        for n in both
    ]
    return lines + [
        f"{r['engine']} / naive at {r['target_orders']:,} orders: {r['x_naive']:,.1f}x"
        for r in rows if r.get("x_naive") is not None
    ]


def against_naive(row: dict[str, Any], naive: dict[str, Any] | None) -> dict[str, Any]:
    """``row`` with the naive model's rate and its speed over it (None without one)."""
    if naive is None or row["engine"] == "naive":
        return row
    rate = naive["orders_per_s"]
    return {**row, "naive_orders_per_s": rate, "x_naive": round(row["orders_per_s"] / rate, 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES,
                        help="one engine (default: batched and per-order, beside the naive)")
    parser.add_argument("--orders", type=int, help="one size (default: each engine's sizes)")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    parser.add_argument(
        "--customers", nargs="?", const="repeat", choices=sorted(CUSTOMER_MIXES),
        help="customer dynamics on, with a mix of new and returning customers (default "
             "repeat: 10^7 orders from about 2 million customers; new: 3.7 million)",
    )
    parser.add_argument("--market", action="store_true",
                        help="seed 08's market (two firms, a logit choice), scaled")
    parser.add_argument(
        "--repeat", type=int,
        help=f"replications timed per size in one process, the median reported (default "
             f"{REPEAT}; 1 for the per-order and naive engines, which are slow)",
    )
    parser.add_argument("--no-naive", action="store_true",
                        help="do not measure the naive SimPy model beside the engine")
    parser.add_argument("--naive-orders", type=int, default=NAIVE_ORDERS,
                        help=f"orders of the naive model's run (default {NAIVE_ORDERS:,})")
    args = parser.parse_args(argv)
    if args.orders is not None and args.orders < 1:
        parser.error("--orders must be >= 1")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.naive_orders < 1:
        parser.error("--naive-orders must be >= 1")
    if args.customers is not None and args.engine == "per-order":
        parser.error("--customers runs the batched engine only")
    if args.market and args.engine == "per-order":
        parser.error("--market runs the batched engine only")
    if args.market and args.customers is not None:
        parser.error("--market has no customer memory: --customers and --market exclude "
                     "each other")
    engines = ([args.engine] if args.engine
               else ["batched"] if args.customers is not None or args.market
               else ["batched", "per-order"])

    def repeat(engine: str) -> int:
        return args.repeat or (REPEAT if engine == "batched" else 1)

    options = {"customers": args.customers, "market": args.market}
    if args.engine and args.orders:
        runs = [lambda: measure(args.engine, args.orders, repeat=repeat(args.engine),
                                **options)]
    else:
        runs = [
            lambda engine=engine, size=size: measure_in_subprocess(
                engine, size, repeat=repeat(engine), **options
            )
            for engine in engines
            for size in ([args.orders] if args.orders else SIZES[engine])
        ]
    naive = None
    if not args.no_naive and "naive" not in engines:
        naive = measure_in_subprocess("naive", args.naive_orders, repeat=1, **options)
        if args.json:
            print(json.dumps(naive), flush=True)
    results = []
    for run in runs:
        results.append(against_naive(run(), naive))
        if args.json:
            print(json.dumps(results[-1]), flush=True)
    if not args.json:
        mode = ("no customer memory" if args.customers is None
                else f"customer dynamics on ({args.customers} mix)")
        world = MARKET.name if args.market else HEADLINE.name
        strategy = MARKET_STRATEGY if args.market else STRATEGY
        print(f"{world} scaled, strategy {strategy}, {mode}, one core, median of "
              "the runs (replications 0, 1, ...)")
        print(table(([] if naive is None else [naive]) + results))
        for line in speed_ratios(results):
            print(line)


if __name__ == "__main__":
    main()
