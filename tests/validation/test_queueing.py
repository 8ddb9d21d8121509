"""Validation against queueing theory: Erlang C, Little's law, the M/M/1 and quantile quotes.

The warehouse is run as an M/M/c queue through the whole world (scenario, demand, roster,
FIFO recursion, truck, carrier, order records): Poisson arrivals at a constant rate, c pickers
round the clock, exponential picks. Each row's interval is over independent replications,
each measured after a warm-up of many relaxation times.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from validation.rows import Covers, Estimate, Row
from validation.worlds import Replication, replicate, world_scenario

import sim

PICKERS = 2
PICK_MINUTES = 1.0
#: Per load: simulated days and replications, longer near saturation where waits vary more
#: (about 15 million orders at 95%).
LOADS = {0.5: (30, 20), 0.8: (60, 20), 0.9: (150, 20), 0.95: (240, 20)}
WARMUP_DAYS = 5  # the slowest relaxation here (M/M/2 at 95%) takes about 13 hours
#: Stages of an order, each a queue in Little's sense: from one record field to the next.
STAGES = {
    "picking queue": ("arrival", "start"),
    "pickers": ("start", "finish"),
    "dock (picked, awaiting the truck)": ("finish", "dispatch"),
    "carrier (in transit)": ("dispatch", "delivered"),
}


def erlang_c(c: int, a: float) -> float:
    """Probability an arrival waits in M/M/c with offered load ``a = lambda / mu`` (< c)."""
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (head + tail)


def mmc_world(c: int, rho: float, days: int, *, pick_minutes: float = PICK_MINUTES):
    """The M/M/c world at utilisation ``rho``: its scenario, lambda and mu per hour."""
    mu = 60.0 / pick_minutes
    lam = rho * c * mu
    scenario = world_scenario(
        name=f"mmc_{c}_{rho}",
        horizon={"start": "2025-01-06", "days": days, "warmup_days": WARMUP_DAYS},
        demand={"orders_per_day": lam * 24.0},
        warehouse={"shifts": [{"start": "00:00", "end": "24:00", "pickers": c}],
                   "pick_minutes": {"dist": "exponential", "mean": pick_minutes}},
    )
    return scenario, lam, mu


def time_average(enter: np.ndarray, leave: np.ndarray, start: float, end: float) -> float:
    """Mean number of orders between ``enter`` and ``leave`` over the window [start, end)."""
    inside = np.clip(leave, start, end) - np.clip(enter, start, end)
    return float(inside.sum() / (end - start))


def little_gap(run: Replication, enter: str, leave: str) -> tuple[float, float]:
    """``L - lambda W`` for the stage from ``enter`` to ``leave``, and ``lambda W`` itself.

    L is the time-average number in the stage over the measured window; lambda the rate of
    orders entering it in the window, W their mean time in it. Their difference is an edge
    effect whose mean is zero in a stationary world.
    """
    a, b = run.records[enter], run.records[leave]
    start, end = run.warmup_hours, run.horizon_hours
    entering = (a >= start) & (a < end)
    rate = entering.sum() / (end - start)
    lam_w = float(rate * np.mean(b[entering] - a[entering]))
    return time_average(a, b, start, end) - lam_w, lam_w


def queue_summary(run: Replication) -> dict[str, float]:
    """What the rows need of one replication (its records are let go after)."""
    summary = {"wait_minutes": 60.0 * float(np.mean(
        (run.records["start"] - run.records["arrival"])[run.measured]))}
    for stage, (enter, leave) in STAGES.items():
        summary[f"gap:{stage}"], summary[f"lambda_w:{stage}"] = little_gap(run, enter, leave)
    return summary


@functools.cache
def mmc_summaries(rho: float) -> tuple[float, float, pd.DataFrame]:
    """Lambda, mu and one summary row per replication of the M/M/2 world at ``rho``."""
    days, replications = LOADS[rho]
    scenario, lam, mu = mmc_world(PICKERS, rho, days)
    runs = replicate(scenario, "ground", replications, seed=20250106)
    return lam, mu, pd.DataFrame([queue_summary(run) for run in runs])


def rho_id(rho: float) -> str:
    return f"rho={rho:.2f}"


@pytest.mark.parametrize("rho", list(LOADS), ids=rho_id)
def test_mean_wait_in_queue_matches_erlang_c(rho, validation_row):
    lam, mu, runs = mmc_summaries(rho)
    theory = erlang_c(PICKERS, lam / mu) / (PICKERS * mu - lam) * 60.0

    row = validation_row(Row.check(
        f"Erlang C mean wait in queue, M/M/{PICKERS} at {rho:.0%} utilisation (minutes)",
        "Erlang C: C(c, a) / (c mu - lambda)",
        Covers(theory, max_half_width=0.06 * theory),
        Estimate.of(runs["wait_minutes"]),
        origin="sampling error only; half-width at most 6% of the theory, so the check bites",
    ))
    assert row.passed, row


@pytest.mark.parametrize("rho", list(LOADS), ids=rho_id)
@pytest.mark.parametrize("stage", ["picking queue", "pickers"])
def test_littles_law_holds_in_the_warehouse(stage, rho, validation_row):
    row = validation_row(little_row(stage, rho))
    assert row.passed, row


@pytest.mark.parametrize("stage", ["dock (picked, awaiting the truck)", "carrier (in transit)"])
def test_littles_law_holds_after_picking(stage, validation_row):
    row = validation_row(little_row(stage, 0.9))
    assert row.passed, row


def little_row(stage: str, rho: float) -> Row:
    _, _, runs = mmc_summaries(rho)
    scale = float(runs[f"lambda_w:{stage}"].mean())
    return Row.check(
        f"Little's law L = lambda W, {stage}, M/M/{PICKERS} at {rho:.0%}: L - lambda W (orders)",
        "Little (1961)",
        Covers(0.0, max_half_width=0.02 * scale),
        Estimate.of(runs[f"gap:{stage}"]),
        origin=f"edge effects of the window only; half-width at most 2% of lambda W = "
               f"{scale:.4g}",
    )


# --- Quoting --------------------------------------------------------------------------------

MM1_NOTE = (
    "The M/M/1 rows are measured on the warehouse's sojourn, order to picked, from the order "
    "records: the promise a customer sees also covers the daily truck and the carrier, which "
    "the M/M/1 result leaves out.")
QUANTILE_NOTE = (
    "The quantile strategy quotes the delivery day of its predicted dispatch plus the "
    "p-quantile of transit. It predicts dispatch from the backlog's mean work at rostered "
    "capacity (FirmView.predicted_dispatch; the pick under way is not counted), not from the "
    "distribution of the sojourn, so in an M/M/1 warehouse its on-time share is not p. These "
    "rows check its quote where dispatch is known exactly (every order ships on the first "
    "truck after it is placed, checked by a test); the M/M/1 rows check the queue itself.")
MM1_LOAD = 0.9
MM1_DAYS, MM1_REPLICATIONS = 240, 20
MM1_PS = (0.5, 0.9, 0.95)


@functools.cache
def mm1_met() -> pd.DataFrame:
    """Per replication of one picker round the clock at 90% utilisation: for each p, the share
    of orders picked within the M/M/1 quote -ln(1 - p) / (mu - lambda) of being placed."""
    scenario, lam, mu = mmc_world(1, MM1_LOAD, MM1_DAYS)
    quotes = {p: -math.log(1.0 - p) / (mu - lam) for p in MM1_PS}
    rows = []
    for run in replicate(scenario, "ground", MM1_REPLICATIONS, seed=20250107):
        sojourn = (run.records["finish"] - run.records["arrival"])[run.measured]
        rows.append({p: float(np.mean(sojourn <= quote)) for p, quote in quotes.items()})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("p", MM1_PS, ids=lambda p: f"p={p:.2f}")
def test_mm1_quote_is_met_with_probability_p(p, validation_row):
    """The warehouse's sojourn (arrival to picked) is exponential with rate mu - lambda, so
    the constant quote -ln(1 - p) / (mu - lambda) is met by the share p of orders."""
    met = mm1_met()[p]

    row = validation_row(Row.check(
        f"M/M/1 quote -ln(1-p)/(mu-lambda) met with probability p = {p} (90% utilisation; "
        "picking sojourn from order records)",
        "LITERATURE.md, lead-time quoting in M/M/1",
        Covers(p, max_half_width=0.015),
        Estimate.of(met),
        origin="sampling error only",
        note=MM1_NOTE,
    ))
    assert row.passed, row


#: Transit of the quantile-strategy world: log-normal business days.
TRANSIT_MEDIAN, TRANSIT_SIGMA = 2.0, 0.5


def quantile_world():
    """A world where the quantile strategy's dispatch prediction is exact.

    Four pickers with one-minute picks and no orders in the hour before the 17:00 cut-off:
    every order is picked long before the truck it was predicted for, so the only
    uncertainty left is the carrier's, whose p-quantile the strategy quotes.
    """
    hourly = [1.0] * 24
    hourly[16] = 0.0
    return world_scenario(
        name="quantile_exact",
        horizon={"start": "2025-01-06", "days": 120, "warmup_days": 5},
        demand={"orders_per_day": 400, "hourly_profile": hourly},
        warehouse={"shifts": [{"start": "00:00", "end": "24:00", "pickers": 4}],
                   "pick_minutes": {"dist": "exponential", "mean": 1.0}},
        carrier={"service_levels": [
            {"name": "ground", "nominal_days": 2, "cost": 5.0,
             "transit_days": {"dist": "lognormal", "median": TRANSIT_MEDIAN,
                              "sigma": TRANSIT_SIGMA}}]},
        strategies=[{"name": f"quantile_{p}", "kind": "quantile", "p": p, "service": "ground"}
                    for p in (0.5, 0.9, 0.95)],
        experiment={"replications": 10, "seed": 11},
    )


def kept_share_theory(p: float) -> float:
    """On-time share of the p-quantile quote when dispatch is known, derived by hand.

    The truck leaves at 17:00 of a delivery day; a parcel whose transit T ends after the
    20:00 close is delivered at the next opening, so it lands on the day ``floor(T + 7/8)``
    after the truck's. The quote is the day the p-quantile q lands on, ``k = floor(q + 7/8)``,
    and is kept when T < k + 1/8: a whole-day quote, rounded up, so the share is at least p.
    """
    dist = stats.lognorm(s=TRANSIT_SIGMA, scale=TRANSIT_MEDIAN)
    k = math.floor(dist.ppf(p) + 7.0 / 8.0)
    return float(dist.cdf(k + 1.0 / 8.0))


@functools.cache
def quantile_results() -> sim.Results:
    return sim.run(quantile_world(), workers=1)


def test_quantile_world_ships_every_order_on_the_first_truck_after_it_is_placed():
    scenario = quantile_world()
    run = next(replicate(scenario, "quantile_0.9", 2, seed=11))
    calendar_truck = np.floor((run.records["arrival"] - 17.0) / 24.0 + 1.0) * 24.0 + 17.0

    np.testing.assert_array_equal(run.records["dispatch"], calendar_truck)


@pytest.mark.parametrize("p", [0.5, 0.9, 0.95], ids=lambda p: f"p={p:.2f}")
def test_quantile_strategy_meets_its_rounded_up_quantile(p, validation_row):
    table = quantile_results().replications
    kept = table.loc[table["strategy"] == f"quantile_{p}", "promise_kept"].to_numpy()
    theory = kept_share_theory(p)

    row = validation_row(Row.check(
        f"quantile strategy p = {p}, dispatch known: on-time share P(T < k + 1/8), "
        "k = floor(q_p + 7/8), the quote rounded up to a whole delivery day (>= p)",
        "derived from the quantile quote (sim/model/promise.py) and a log-normal transit",
        Covers(theory, max_half_width=0.01),
        Estimate.of(kept),
        origin="sampling error only",
        note=QUANTILE_NOTE,
    ))
    assert row.passed, row
    assert theory >= p

