"""Time ``promise-sim fit`` on a 10^6-order history: reading it, each estimator, the whole fit.

Generates a synthetic shop's history (about 10^6 orders, with a truck, ratings and returning
customers), writes it as Parquet, reads it back, times each estimator of ``sim.history`` on
its own, then the whole fit (every estimator and the scenario file, checked as ``validate``
checks it), and prints the seconds of each step and the peak memory.

    .venv/bin/python benchmarks/fit.py [--orders 1000000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.history import (
    ReturnTruth,
    SyntheticShop,
    TruckTruth,
    fit_demand,
    fit_disruptions,
    fit_handling,
    fit_history,
    fit_promise_rule,
    fit_repurchase,
    fit_satisfaction,
    fit_transit,
    read_history,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    days = 365
    shop = SyntheticShop(orders_per_day=args.orders / days / 1.25, returns=ReturnTruth(),
                         truck=TruckTruth())
    frame = shop.generate(np.random.default_rng(2024), days=days)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.parquet"
        frame.to_parquet(path)
        del frame
        steps = {}
        total = time.perf_counter()
        start = time.perf_counter()
        history = read_history(path)
        steps["read"] = time.perf_counter() - start
        for name, fit in (("demand", fit_demand), ("handling", fit_handling),
                          ("disruptions", fit_disruptions), ("transit", fit_transit),
                          ("promise rule", fit_promise_rule), ("satisfaction", fit_satisfaction),
                          ("repurchase", fit_repurchase)):
            start = time.perf_counter()
            fit(history)
            steps[name] = time.perf_counter() - start
        start = time.perf_counter()
        fit_history(read_history(path), name="benchmark", source=str(path))
        whole = time.perf_counter() - start
        steps["whole fit"] = whole + steps["read"]
        elapsed = time.perf_counter() - total
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    print(f"{history.orders} orders")
    for name, seconds in steps.items():
        print(f"  {name:<13} {seconds:6.2f} s")
    print(f"promise-sim fit (read + every estimator + the scenario file): "
          f"{steps['whole fit']:.1f} s; this script: {elapsed:.1f} s; peak memory "
          f"{peak:.2f} GiB (whole process, generation included)")


if __name__ == "__main__":
    main()
