"""The fitted scenario as a commented file: each value with its uncertainty and its basis.

:func:`scenario_text` turns the parts fitted to a history (:class:`FittedParts`) into the text
of a scenario file that ``promise-sim validate`` accepts: every fitted value is followed by a
comment with its standard error or interval, the period and the number of orders it rests
on; values no history holds (price, costs) are marked as assumptions to edit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.history.business_days import DeliveryDays
from sim.history.demand import DemandFit
from sim.history.disruptions import DisruptionFit
from sim.history.estimate import LEVEL, Estimate
from sim.history.handling import HandlingFit
from sim.history.promise_rule import PromiseRuleFit
from sim.history.reading import History
from sim.history.repurchase import RepurchaseFit
from sim.history.satisfaction import SatisfactionFit
from sim.history.simulated import period_days
from sim.history.transit import TransitFit
from sim.history.yaml_lines import CommentedLines, basis_text, estimate_text, flow
from sim.scenario.base import WEEKDAYS
from sim.scenario.limits import MAX_TRANSIT_DAYS

__all__ = ["FittedParts", "scenario_text"]

#: Pick time of the fitted warehouse's queue, which never waits: the delay is in handling.
PICK_MINUTES = 1.0
#: The fitted warehouse has this many times the pickers the busiest hour needs.
PICKER_HEADROOM = 4.0


@dataclass(frozen=True, slots=True, eq=False)
class FittedParts:
    """Every part fitted to ``history`` (read from ``source``), and notes on what it could not
    identify. ``transit[0]`` is the fit on every order outside disruptions.
    """

    history: History
    source: str
    days: DeliveryDays
    demand: DemandFit
    handling: HandlingFit
    transit: tuple[TransitFit, ...]
    promise: PromiseRuleFit
    disruptions: DisruptionFit | None
    satisfaction: SatisfactionFit | None
    repurchase: RepurchaseFit | None
    notes: tuple[str, ...]


def _multipliers(shares: Iterable[Estimate], exposure: np.ndarray) -> list[float]:
    """Profile multipliers (mean 1 over the period) from shares of orders and the share of the
    period each class covers (days of each weekday or month); classes never seen get 1.
    """
    share = np.array([e.value for e in shares])
    seen = exposure > 0
    out = np.ones(share.size)
    out[seen] = share[seen] / exposure[seen] * exposure[seen].sum()
    return [round(float(x), 4) for x in out]


def _exposure(start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray]:
    dates = np.datetime64(start, "D") + np.arange(days)
    weekday = (dates.astype(np.int64) + 3) % 7
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    return np.bincount(weekday, minlength=7) / days, np.bincount(month, minlength=12) / days


def _demand(out: CommentedLines, fit: DemandFit) -> None:
    weekday_days, month_days = _exposure(fit.basis.start, fit.days)
    out.key("demand")
    out.key("orders_per_day", round(fit.per_day.value, 3),
            f"{estimate_text(fit.per_day)}; {basis_text(fit.basis)}, {fit.days} days", 1)
    weekdays = _multipliers(fit.weekday, weekday_days)
    out.key("weekday_profile", dict(zip(WEEKDAYS, weekdays)),
            f"largest se {max(e.se for e in fit.weekday) * 7:.2g}", 1)
    months = _multipliers(fit.month, month_days)
    missing = [i + 1 for i in range(12) if month_days[i] == 0]
    out.key("monthly_profile", months,
            "months " + ", ".join(map(str, missing)) + " not in the history: 1" if missing
            else f"largest se {max(e.se for e in fit.month) * 12:.2g}", 1)
    hours = [round(e.value * 24, 4) for e in fit.hour]
    out.key("hourly_profile", hours, "share of orders by hour, times 24", 1)
    out.comment(f"trend {fit.trend.value:+.3g} orders a day per day ({estimate_text(fit.trend)}): "
                "not simulated (the monthly profile holds the season)", 1)


def _peaks(fit: DemandFit) -> list[dict[str, Any]]:
    """Runs of consecutive peak days, as seasons with their demand multiplier."""
    runs: list[list] = []
    for peak in fit.peaks:
        if runs and (peak.day - runs[-1][-1].day).days == 1:
            runs[-1].append(peak)
        else:
            runs.append([peak])
    seasons = []
    for run in runs:
        ratio = sum(p.orders for p in run) / sum(p.expected for p in run)
        seasons.append({"name": f"peak_{run[0].day:%m%d}", "start": f"{run[0].day:%m-%d}",
                        "end": f"{run[-1].day:%m-%d}", "demand_multiplier": round(ratio, 3)})
    return seasons


def _warehouse(out: CommentedLines, parts: FittedParts) -> None:
    d = parts.demand
    busiest = (d.per_day.value * max(e.value for e in d.weekday) * 7
               * max(e.value for e in d.month) * 12 * max(e.value for e in d.hour))
    pickers = max(2, math.ceil(PICKER_HEADROOM * busiest * PICK_MINUTES / 60.0))
    h = parts.handling
    out.comment("The history shows when parcels left, not how they were picked: a queue that "
                "never waits,")
    out.comment("and the observed delay as whole trucks of handling (docs/model.md).")
    out.key("warehouse")
    out.key("shifts", None, "", 1)
    out.item({"start": "00:00", "end": "24:00", "pickers": pickers},
             f"{PICKER_HEADROOM:g}x the busiest hour's orders")
    out.key("pick_minutes", {"dist": "constant", "value": PICK_MINUTES}, "", 1)
    shares = ", ".join(f"{k}: {estimate_text(e)}" for k, e in zip(h.trucks, h.shares))
    overall = [e.value for e in h.shares]
    out.key("handling_trucks", _trucks(h.trucks, overall), f"{basis_text(h.basis)}; {shares}", 1)
    classes = {(c.weekday, c.before_cutoff): c for c in h.by_order_time}
    if not classes:
        return
    out.key("handling_by_order_time", None, "the orders of each weekday, before and after "
            "the cut-off", 1)
    for day in WEEKDAYS:
        sides = {side: classes.get((day, side)) for side in (True, False)}
        if not any(sides.values()):
            continue
        counts = ", ".join(f"{'before' if side else 'after'} {c.orders:,}"
                           for side, c in sides.items() if c)
        out.key(day, None, f"orders: {counts}" + ("" if all(sides.values())
                                                   else "; the other side: all orders'"), 2)
        for side, c in sides.items():
            out.key("before_cutoff" if side else "after_cutoff",
                    _trucks(h.trucks, overall if c is None else c.shares), "", 3)


def _trucks(values: tuple[int, ...], shares: Iterable[float]) -> dict[str, Any]:
    """Whole trucks waited as an empirical distribution (values without weight left out)."""
    kept = [(k, round(w, 5)) for k, w in zip(values, shares) if round(w, 5) > 0]
    return {"dist": "empirical", "values": [k for k, _ in kept],
            "weights": [w for _, w in kept]}


def _transit_distribution(fit: TransitFit, cap: float) -> tuple[dict[str, Any], str]:
    best = fit.best
    if best is not None and best.family in ("lognorm", "gamma"):
        values = {name: e for name, e in best.parameters}
        if best.family == "lognorm":
            spec = {"dist": "lognormal", "median": values["scale"].value,
                    "sigma": values["s"].value}
            why = (f"median {estimate_text(values['scale'])}, sigma {estimate_text(values['s'])}")
        else:
            a = values["a"].value
            spec = {"dist": "gamma", "mean": a * values["scale"].value, "cv": 1 / math.sqrt(a)}
            why = f"shape {estimate_text(values['a'])}, scale {estimate_text(values['scale'])}"
        tail = best.frozen().ppf(1 - 1e-6)
        if tail <= cap:
            return spec, (f"{best.family} by AIC, KS p {best.ks_pvalue:.2g}; {why}; "
                          f"{basis_text(fit.basis)}")
    quantiles = np.array([v for _, v in fit.quantiles])
    capped = int(np.sum(quantiles > cap))
    values = np.clip(quantiles, 0.0, cap).round(4)
    weights = np.full(values.size, 1.0)
    weights[[0, -1]] = 0.5
    why = ("no candidate fits (KS)" if best is None
           else f"{best.family} fits but has no scenario form or too long a tail")
    return ({"dist": "empirical", "values": values.tolist(), "weights": weights.tolist()},
            f"empirical, {values.size} quantiles ({why}"
            + (f"; {capped} quantiles capped at {cap:.3g}" if capped else "")
            + f"); {basis_text(fit.basis)}")


def _carrier(out: CommentedLines, parts: FittedParts, cap: float) -> list[str]:
    by_service = {f.service: f for f in parts.transit if f.service and f.region is None}
    if not by_service:
        by_service = {"standard": parts.transit[0]}
    out.comment("Transit: business days from hand-over to delivery on the carrier's clock, "
                "outside disruptions.")
    out.key("carrier")
    out.key("service_levels", None, "", 1)
    for name, fit in by_service.items():
        spec, why = _transit_distribution(fit, cap)
        median = dict(fit.quantiles)[0.5]
        out.lines.append(f"    - name: {flow(name)}")
        out.key("nominal_days", max(1, math.ceil(median)), "the median transit, rounded up", 3)
        out.key("transit_days", spec, why, 3)
        out.key("cost", 0.0, "assumption: shipping costs are not in the history", 3)
    return list(by_service)


def _disruptions(out: CommentedLines, parts: FittedParts) -> float:
    """The disruptions section; returns the largest transit multiplier it sets."""
    out.key("disruptions")
    fit = parts.disruptions
    if fit is None:
        out.key("events", [], "none found beyond the control limit", 1)
        multiplier = 1.0
    else:
        out.key("events", None, f"{len(fit.periods)} periods beyond {fit.control_limit:g} "
                "standard errors of the daily mean transit", 1)
        multiplier = max(fit.transit_multiplier.value, 1.0)
        out.lines.append("    - kind: fitted_slowdown")
        out.key("rate_per_year", round(fit.rate_per_year.value, 3),
                f"{estimate_text(fit.rate_per_year)}; {basis_text(fit.basis)}", 3)
        out.key("duration_days", {"dist": "exponential",
                                  "mean": max(fit.duration_days.value, 0.5)},
                f"mean {estimate_text(fit.duration_days)}" if len(fit.periods) > 1
                else "one period: its length, no interval", 3)
        out.key("transit_multiplier", round(multiplier, 3),
                estimate_text(fit.transit_multiplier), 3)
    seasons = _peaks(parts.demand)
    out.key("peaks", seasons, f"days over the demand control limit "
            f"({parts.demand.control_limit:g} residual sd)" if seasons else "none", 1)
    return multiplier


def _strategies(out: CommentedLines, parts: FittedParts, service: str) -> None:
    rule = parts.promise.chosen
    pooled = next(c for c in parts.promise.candidates
                  if not c.by and c.kind == "fixed business days")
    days = dict(pooled.days)["all"]
    out.key("strategies")
    out.item({"name": "historical", "kind": "buffer", "min_days": days, "max_days": days,
              "service": service}, "", 1)
    out.comment(f"the history's rule: {rule.kind} by {'/'.join(rule.by) or 'all orders'} "
                f"reproduces {rule.exact_share:.1%} of promises exactly (mean error "
                f"{rule.mean_abs_error:.2f} days)", 1)
    out.comment(f"this one ({days} business days for all) reproduces {pooled.exact_share:.1%}; "
                f"padding: median {estimate_text(parts.promise.padding)} business days early; "
                f"{parts.promise.late_share.value:.1%} late", 1)
    out.key("baseline", "historical")


def _satisfaction(out: CommentedLines, parts: FittedParts) -> None:
    fit = parts.satisfaction
    out.key("satisfaction")
    if fit is None:
        out.comment("no ratings in the history: the defaults (Tversky & Kahneman 1992)", 1)
        out.key("reference", "end", "", 1)
        return
    early_matters = fit.early_slope.low > 0
    loss_aversion = fit.loss_aversion.value if early_matters else 2.25
    scale = fit.early_slope.value if early_matters else fit.late_slope.value / loss_aversion
    out.comment(f"ordered logit of {fit.basis.orders:,} ratings ({fit.basis.start}.."
                f"{fit.basis.end}): early slope {estimate_text(fit.early_slope)}, late slope "
                f"{estimate_text(fit.late_slope)}", 1)
    if early_matters:
        out.key("loss_aversion", round(loss_aversion, 4), estimate_text(fit.loss_aversion), 1)
        out.key("gain_curvature", 1.0, "the ordered logit's early side is linear", 1)
        out.key("delight_cap", float(fit.plateau.value),
                f"the plateau, business days; {estimate_text(fit.plateau)}", 1)
    else:
        out.comment("days early do not raise ratings (the early slope's interval holds 0): "
                    "delight is capped at 0", 1)
        out.comment("and the loss side sets the scale, with the default loss aversion", 1)
        out.key("loss_aversion", loss_aversion, "Tversky & Kahneman 1992 (not identified)", 1)
        out.key("gain_curvature", 1.0, "", 1)
        out.key("delight_cap", 0.0, "", 1)
    curvature = fit.curvature.value
    if math.isnan(fit.curvature.low):
        why = "not identified (lateness takes fewer than 3 values): linear"
    else:
        why = estimate_text(fit.curvature) + ("; the model allows at most 1" if curvature > 1
                                          else "")
    out.key("loss_curvature", round(min(curvature, 1.0), 3), why, 1)
    out.key("reference", "end", "a history's promise is one date", 1)
    out.key("stars", {"scale": round(scale, 5),
                      "thresholds": [round(t.value, 4) for t in fit.thresholds],
                      "values": [float(s) for s in fit.stars],
                      "source": f"promise-sim fit of {parts.source}, {fit.basis.orders} "
                                "ratings"}, "satisfaction in expected stars", 1)


def _customers(out: CommentedLines, parts: FittedParts) -> None:
    fit = parts.repurchase
    if fit is None:
        return
    per_year = -math.log(max(1 - fit.rate.value, 1e-9)) * 365 / fit.window_days
    out.comment(f"Repeat customers: {fit.rate.value:.1%} come back within {fit.window_days:g} "
                f"days ({estimate_text(fit.rate)}); a late delivery's odds ratio "
                f"{estimate_text(fit.odds_ratio)} ({basis_text(fit.basis)}).")
    out.comment("A history identifies repurchase but not learning, trust or word of mouth, "
                "so customers")
    out.comment("are not simulated; to simulate them, uncomment and set the rest (docs/model.md):")
    out.comment("customers:")
    out.comment(f"  repurchase_per_year: {per_year:.3g}   # rate of a Poisson process giving "
                "that share in the window")


def scenario_text(parts: FittedParts, name: str) -> str:
    """The scenario file of ``parts`` (see the module docstring), named ``name``."""
    h = parts.history
    out = CommentedLines()
    out.comment(f"Fitted by promise-sim fit from {parts.source}: {h.orders:,} orders placed "
                f"{h.start}..{h.end} ({h.report.rows - h.report.kept:,} rows left out).")
    out.comment(f"Each fitted value's comment gives its standard error or {LEVEL:.0%} interval, "
                "the period and the orders it rests on.")
    out.comment("Values a history does not hold (price, margin, costs) are assumptions: edit "
                "them. `promise-sim backtest` checks the fit.")
    for note in parts.notes:
        out.comment(f"Note: {note}")
    out.key("name", name)
    out.key("description", f"Fitted to {parts.source} ({h.start}..{h.end}).")
    out.key("horizon")
    out.key("start", h.start, "the history's period", 1)
    out.key("days", period_days(h.start, h.end), "", 1)
    out.key("warmup_days", 0, "", 1)
    hand = parts.handling
    out.key("calendar")
    out.key("country", h.country, "holidays", 1)
    out.key("working_weekdays", list(WEEKDAYS), "the queue never waits (see warehouse)", 1)
    out.key("cutoff", hand.cutoff, f"{hand.concentration:.0%} of hand-overs within 30 min"
            + ("" if hand.concentrated else "; spread over the day: one truck stands in"), 1)
    out.key("pickup_weekdays", list(hand.pickup_weekdays), "weekdays with hand-overs", 1)
    out.key("delivery_weekdays", list(parts.days.names), "weekdays with deliveries", 1)
    if hand.delivery_opens is not None and hand.delivery_closes is not None:
        out.key("delivery_hours", {"start": hand.delivery_opens, "end": hand.delivery_closes},
                "1st to 99th percentile of delivery times", 1)
    _demand(out, parts.demand)
    _warehouse(out, parts)
    sections = CommentedLines()
    multiplier = _disruptions(sections, parts)
    services = _carrier(out, parts, cap=0.98 * MAX_TRANSIT_DAYS / multiplier)
    out.lines += sections.lines
    _strategies(out, parts, _main_service(parts, services))
    _satisfaction(out, parts)
    _customers(out, parts)
    out.key("economics", None, "assumptions: a history holds no prices or margins")
    out.key("price", 50.0, "", 1)
    out.key("gross_margin", 0.3, "", 1)
    out.key("experiment")
    out.key("replications", 20, "", 1)
    out.key("seed", 1, "", 1)
    return "\n".join(out.lines) + "\n"


def _main_service(parts: FittedParts, services: list[str]) -> str:
    if parts.history.has("service"):
        counts = parts.history.frame["service"].astype(str).value_counts()
        top = str(counts.index[0])
        if top in services:
            return top
    return services[0]
