"""The back-test: does a scenario reproduce the history it claims to describe?

:func:`backtest` simulates the history's own period under one of the scenario's strategies
(the fitted historical rule) and sets each figure of the history beside the same figure of
every replication: the distribution of delivered minus promised, the shares late and early,
lead times, orders a day, the weekly late share and, when the history has ratings and the
scenario a ``satisfaction.stars`` mapping, the mean rating by lateness. Both sides go
through the same code (:func:`history_figures`), the simulated orders read as a history.

The question is whether the history looks like one more replication of the model, so each
row's interval is a prediction interval for a new replication (``mean +- t sd sqrt(1 + 1/n)``
over the replications), not the confidence interval of the model's mean. With many rows
some would miss by chance alone; the level of each row is raised (Bonferroni) so that a
correct model matches every row with probability ``LEVEL``. Figures that take whole days
have their interval rounded outward to whole days.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment.runner import run
from sim.history.business_days import DeliveryDays
from sim.history.columns import ColumnMap
from sim.history.estimate import LEVEL, HistoryError
from sim.history.fitting import open_history
from sim.history.reading import History
from sim.history.simulated import (
    history_from_records,
    period_days,
    read_replication,
    scenario_delivery_days,
)
from sim.model.satisfaction import Disconfirmation
from sim.model.stars import StarScale
from sim.scenario.loading import load_scenario
from sim.scenario.overrides import with_values
from sim.scenario.spec import Scenario

__all__ = ["Backtest", "Outcomes", "backtest", "gap_shares", "history_figures", "outcomes",
           "weekly_late"]

#: Quantiles of delivered minus promised, and of the lead time, that rows report.
GAP_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
LEAD_QUANTILES = (0.5, 0.9, 0.95)
#: Lateness classes of the ratings rows: business days late, from and to (inclusive).
LATENESS = (("on time or early", -10_000, 0), ("1-2 days late", 1, 2), ("3+ days late", 3, 10_000))
_WHOLE_DAYS = "business days"
#: Delivered minus promised shown day by day in ``gaps``: from, to (business days).
GAP_RANGE = (-20, 10)


@dataclass(frozen=True, slots=True, eq=False)
class Backtest:
    """History beside model: ``rows`` (one figure each: history, model mean, interval, verdict),
    ``weekly`` (the late share of each week) and ``gaps`` (the share of orders at each
    business day of delivered minus promised), for ``strategy`` over ``replications``.
    """

    rows: pd.DataFrame
    weekly: pd.DataFrame
    gaps: pd.DataFrame
    scenario: str
    strategy: str
    replications: int
    level: float
    history_orders: int

    @property
    def matches(self) -> bool:
        """Whether every row matches."""
        return bool(self.rows["matches"].all())

    def lines(self) -> list[str]:
        """The back-test in plain lines: a header and a row per figure."""
        misses = int((~self.rows["matches"]).sum())
        head = (f"back-test of {self.scenario} ({self.strategy}, {self.replications} "
                f"replications) against {self.history_orders:,} orders: "
                f"{len(self.rows) - misses} of {len(self.rows)} figures match "
                f"(intervals {self.level:.1%}, so that a right model matches all with "
                f"{LEVEL:.0%})")
        width = max(len(f) for f in self.rows["figure"])
        return [head] + [f"  {r.figure:<{width}}  {r.verdict}" for r in self.rows.itertuples()]


class Outcomes(NamedTuple):
    """What every figure is computed from, once per history: each order's delivered minus
    promised (business days), lead time (calendar days) and week of order (0 from the start).
    """

    gap: np.ndarray
    lead: np.ndarray
    week: np.ndarray


def outcomes(frame: pd.DataFrame, days: DeliveryDays, start: np.datetime64) -> Outcomes:
    """The :class:`Outcomes` of a history (real or simulated) counted on ``days``."""
    delivered = frame["delivered"].to_numpy().astype("datetime64[D]")
    promised = frame["promised"].to_numpy().astype("datetime64[D]")
    ordered = frame["order_time"].to_numpy()
    return Outcomes(
        gap=-days.between(delivered, promised),
        lead=(frame["delivered"].to_numpy() - ordered).astype(np.int64) / 86.4e12,
        week=(ordered - start).astype("timedelta64[D]").astype(np.int64) // 7,
    )


#: A figure of a history: its value, its unit, and the standard error of the history's value
#: that the model's replications do not hold (the ratings' own noise; 0 for the others).
Figure = tuple[float, str, float]
#: Lateness classes with fewer ratings than this are shown but not tested.
MIN_RATINGS = 10


def history_figures(seen: Outcomes, period: int,
                    stars: np.ndarray | None = None) -> dict[str, Figure]:
    """Every figure of a history (real or simulated): delivered minus promised in business days
    (negative: early), lead time in calendar days, orders a day, and the mean of ``stars``
    (the ratings, or the model's expected stars) by lateness.
    """
    gap, lead = seen.gap, seen.lead
    out: dict[str, Figure] = {"orders a day": (gap.size / period, "orders", 0.0)}
    for q in GAP_QUANTILES:
        out[f"delivered - promised, {q:.0%} quantile"] = (
            float(np.quantile(gap, q, method="inverted_cdf")), _WHOLE_DAYS, 0.0)
    out["share late"] = (float(np.mean(gap > 0)), "share", 0.0)
    for d in (1, 3, 7):
        out[f"share {d}+ days early"] = (float(np.mean(gap <= -d)), "share", 0.0)
    for q in LEAD_QUANTILES:
        out[f"lead time, {q:.0%} quantile"] = (float(np.quantile(lead, q)), "days", 0.0)
    if stars is not None:
        for label, low, high in LATENESS:
            chosen = stars[(gap >= low) & (gap <= high)]
            chosen = chosen[~np.isnan(chosen)]
            n = chosen.size
            mean = float(chosen.mean()) if n else np.nan
            se = float(chosen.std(ddof=1) / np.sqrt(n)) if n >= MIN_RATINGS else np.nan
            out[f"mean stars, {label}"] = (mean, "stars", se)
    return out


def gap_shares(gap: np.ndarray) -> pd.Series:
    """The share of orders at each business day of delivered minus promised, the tails
    gathered at ``GAP_RANGE``'s ends.
    """
    low, high = GAP_RANGE
    counts = np.bincount(np.clip(gap, low, high) - low, minlength=high - low + 1)
    return pd.Series(counts / max(gap.size, 1), index=np.arange(low, high + 1))


def weekly_late(seen: Outcomes) -> pd.Series:
    """The late share of the orders placed in each week of the period."""
    return pd.Series(seen.gap > 0).groupby(seen.week).mean()


def _model_stars(gap: np.ndarray, rule: Disconfirmation, stars: StarScale) -> np.ndarray:
    """Expected stars of each simulated order: the scenario's satisfaction of its whole business
    days early or late, read through its stars mapping. Whole days, as ratings are fitted on
    (the simulator's own judgement runs on the clock: see docs/model.md).
    """
    return stars.expected(rule.value(-gap.astype(float)))


def _prediction_half(variance, n, level: float, noise: float = 0.0):
    """Half the ``level`` interval one more replication falls in (Student's t with ``n``
    replications of variance ``variance``), widened by ``noise``, a standard error the
    replications do not hold; elementwise over arrays.
    """
    t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
    return t * np.sqrt(variance * (1 + 1 / np.maximum(n, 1)) + noise ** 2)


def _interval(values: np.ndarray, level: float, unit: str,
              noise: float = 0.0) -> tuple[float, float, float]:
    """The model's mean and the ``level`` interval one more replication would fall in, widened
    by ``noise``, the standard error of the history's figure beyond the model's.
    """
    n = values.size
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan
    half = float(_prediction_half(values.var(ddof=1), n, level, noise))
    low, high = mean - half, mean + half
    if unit == _WHOLE_DAYS:
        low, high = np.floor(low), np.ceil(high)
    return mean, low, high


def _verdict(history: float, mean: float, low: float, high: float, unit: str) -> tuple[bool, str]:
    fmt: Callable[[float], str] = ((lambda x: f"{x + 0.0:.1%}") if unit == "share"
                                   else (lambda x: f"{x + 0.0:.3g}"))
    if np.isnan(history):
        return True, "no history figure"
    if np.isnan(low) and unit == "stars":
        return True, f"not tested (fewer than {MIN_RATINGS} ratings): history {fmt(history)}"
    if np.isnan(mean):
        return False, f"misses: history {fmt(history)}, model has none"
    ok = bool(low <= history <= high)
    text = f"history {fmt(history)}, model {fmt(mean)} [{fmt(low)}, {fmt(high)}]"
    return ok, ("matches: " if ok else "misses: ") + text


def _period_scenario(history: History, scenario: Scenario, strategy: str) -> Scenario:
    """``scenario`` over ``history``'s period, without warm-up, with ``strategy`` alone."""
    names = [s.name for s in scenario.strategies]
    if strategy not in names:
        raise HistoryError(f"backtest: strategy {strategy!r} is not in scenario "
                           f"{scenario.name!r} (it has {', '.join(names)})")
    return with_values(scenario, {
        "horizon.start": history.start,
        "horizon.days": period_days(history.start, history.end),
        "horizon.warmup_days": 0,
        "strategies": [s.model_dump(by_alias=True) for s in scenario.strategies
                       if s.name == strategy],
        "baseline": strategy,
    }, source=f"backtest of {scenario.name}")


def backtest(
    history: History | str | Path | pd.DataFrame,
    scenario: Scenario | str | Path,
    *,
    columns: ColumnMap | dict | str | Path | None = None,
    strategy: str | None = None,
    replications: int = 20,
    seed: int | None = None,
    workers: int | None = None,
) -> Backtest:
    """Simulate ``history``'s period under ``strategy`` (default: the scenario's baseline, or
    its first strategy) and compare (see the module docstring).

    ``history`` is a :class:`History` or anything :func:`~sim.history.fitting.open_history`
    reads with ``columns``; ``scenario`` a scenario or its file.
    """
    history = open_history(history, columns=columns)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if replications < 2:
        raise HistoryError(f"backtest: needs at least 2 replications, got {replications}")
    strategy = strategy or scenario.baseline or scenario.strategies[0].name
    period = period_days(history.start, history.end)
    simulated = _period_scenario(history, scenario, strategy)
    days = scenario_delivery_days(simulated)
    rated = history.has("rating") and simulated.satisfaction.stars is not None
    start = np.datetime64(history.start, "ns")
    seen = outcomes(history.frame, days, start)
    real = history_figures(seen, period,
                           history.frame["rating"].to_numpy(float) if rated else None)
    weeks_real = weekly_late(seen)
    rule = Disconfirmation.from_spec(simulated.satisfaction)
    scale = (StarScale.from_spec(simulated.satisfaction.stars)
             if rated and simulated.satisfaction.stars is not None else None)
    model: dict[str, list[float]] = {k: [] for k in real}
    weeks_model, gaps_model = [], []
    with tempfile.TemporaryDirectory(prefix="promise-sim-backtest-") as folder:
        run(simulated, replications=replications, seed=seed, workers=workers,
            order_records=folder)
        for r in range(replications):
            frame = history_from_records(read_replication(folder, strategy, r), simulated)
            simulated_seen = outcomes(frame, days, start)
            stars = None if scale is None else _model_stars(simulated_seen.gap, rule, scale)
            for key, (value, _, _) in history_figures(simulated_seen, period, stars).items():
                model[key].append(value)
            weeks_model.append(weekly_late(simulated_seen))
            gaps_model.append(gap_shares(simulated_seen.gap))
    level = 1 - (1 - LEVEL) / (len(real) + 1)
    rows = []
    for key, (value, unit, noise) in real.items():
        mean, low, high = _interval(np.asarray(model[key]), level, unit, noise)
        ok, verdict = _verdict(value, mean, low, high, unit)
        rows.append({"figure": key, "unit": unit, "history": value, "model": mean,
                     "low": low, "high": high, "matches": ok, "verdict": verdict})
    weekly = _weekly_rows(weeks_real, pd.concat(weeks_model, axis=1), history)
    rows.append(_weekly_summary(weekly))
    return Backtest(pd.DataFrame(rows), weekly,
                    _band(gap_shares(seen.gap), pd.concat(gaps_model, axis=1)),
                    scenario.name, strategy, replications, level, history.orders)


def _band(real: pd.Series, model: pd.DataFrame) -> pd.DataFrame:
    """``real`` beside the model's mean and 95% prediction interval, row by row (a model
    column per replication; a row a replication lacks is left out of its mean).
    """
    values = model.reindex(real.index).to_numpy(float)
    n = np.sum(~np.isnan(values), axis=1)
    mean = np.nanmean(values, axis=1)
    half = _prediction_half(np.nanvar(values, axis=1, ddof=1), n, LEVEL)
    return pd.DataFrame({"history": real.to_numpy(), "model": mean, "low": mean - half,
                         "high": mean + half}, index=real.index).assign(
        matches=lambda w: (w["history"] >= w["low"]) & (w["history"] <= w["high"]))


def _weekly_rows(real: pd.Series, model: pd.DataFrame, history: History) -> pd.DataFrame:
    """The late share of each week, history beside the model's mean and 95% interval."""
    band = _band(real, model)
    week_start = pd.Timestamp(history.start) + pd.to_timedelta(real.index * 7, unit="D")
    return band.reset_index(drop=True).assign(week=week_start.date)[
        ["week", "history", "model", "low", "high", "matches"]]


def _weekly_summary(weekly: pd.DataFrame) -> dict:
    """One row for the weekly late share: the weeks outside their 95% interval, against the
    number a right model leaves outside by chance (a binomial test at ``1 - LEVEL``).
    """
    weeks = len(weekly)
    outside = int((~weekly["matches"]).sum())
    allowed = int(stats.binom.ppf(LEVEL, weeks, 1 - LEVEL))
    ok = outside <= allowed
    text = (f"{outside} of {weeks} weeks outside their {LEVEL:.0%} interval "
            f"(a right model leaves at most {allowed} out, {LEVEL:.0%} of the time)")
    return {"figure": "weekly late share", "unit": "weeks", "history": float(outside),
            "model": (1 - LEVEL) * weeks, "low": 0.0, "high": float(allowed), "matches": ok,
            "verdict": ("matches: " if ok else "misses: ") + text}
