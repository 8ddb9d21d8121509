"""Fitting a whole world to a history: every estimator run once, and the scenario they make.

:func:`fit_history` reads the history's calendar, demand, handling, transit, promise rule,
disruptions and, when the columns exist, satisfaction and repeat customers, and turns them
into a :class:`~sim.scenario.Scenario` (:mod:`sim.history.scenario_text` writes it as a
commented file). Parts a history cannot identify are said so in :attr:`HistoryFit.notes`
instead of being guessed silently; the choices and their reasons are in ``docs/model.md``
("Fitting a history").
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from sim.history.business_days import delivery_days
from sim.history.columns import ColumnMap
from sim.history.demand import fit_demand
from sim.history.disruptions import fit_disruptions
from sim.history.estimate import HistoryError
from sim.history.handling import fit_handling
from sim.history.olist import read_olist
from sim.history.promise_rule import fit_promise_rule
from sim.history.reading import History, read_history
from sim.history.repurchase import fit_repurchase
from sim.history.satisfaction import fit_satisfaction
from sim.history.scenario_text import FittedParts, scenario_text
from sim.history.transit import fit_transit
from sim.scenario.loading import load_scenario
from sim.scenario.spec import Scenario

__all__ = ["HistoryFit", "fit", "fit_history", "open_history"]


@dataclass(frozen=True, slots=True, eq=False)
class HistoryFit(FittedParts):
    """Every part fitted to a history (:class:`FittedParts`), the text of its scenario file
    and the scenario read back from that text, as ``promise-sim validate`` reads it.
    """

    text: str
    scenario: Scenario

    def lines(self) -> list[str]:
        """The fit in plain lines: what was read, each part's headline, and the notes."""
        h = self.history
        out = list(h.report.lines())
        out.append(f"period {h.start} to {h.end}; delivery days "
                   f"{', '.join(self.days.names)}")
        out.append(f"demand: {self.demand.per_day:.4g} orders a day")
        hand = self.handling
        out.append(f"handling: truck at {hand.cutoff} on {', '.join(hand.pickup_weekdays)}; "
                   f"{hand.shares[0].value:.1%} take the first truck")
        pooled = self.transit[0]
        median = dict(pooled.quantiles)[0.5]
        out.append(f"transit: {pooled.chosen} (median {median:.3g} business days)")
        for group in self.transit[1:]:
            label = "/".join(x for x in (group.service, group.region) if x)
            out.append(f"  transit of {label}: {group.chosen} (median "
                       f"{dict(group.quantiles)[0.5]:.3g} business days, "
                       f"{group.basis.orders:,} orders)")
        rule = self.promise.chosen
        out.append(f"promise rule: {rule.kind} by {'/'.join(rule.by) or 'all'} reproduces "
                   f"{rule.exact_share:.1%} of promises; padding {self.promise.padding:.3g} "
                   f"business days; {self.promise.late_share.value:.1%} late")
        if rule.by:
            out.append("  promised business days: " + ", ".join(f"{g} {d}" for g, d in rule.days))
        if self.disruptions is not None:
            out.append(f"disruptions: {len(self.disruptions.periods)} periods, "
                       f"{self.disruptions.rate_per_year:.3g} a year")
        if self.satisfaction is not None:
            s = self.satisfaction
            out.append(f"satisfaction: loss aversion {s.loss_aversion:.3g}, plateau "
                       f"{s.plateau:.3g} days, curvature {s.curvature:.3g}")
        if self.repurchase is not None:
            out.append(f"repeat customers: {self.repurchase.rate.value:.1%} come back within "
                       f"{self.repurchase.window_days:g} days; a late delivery's odds ratio "
                       f"{self.repurchase.odds_ratio:.3g}")
        out += [f"note: {n}" for n in self.notes]
        return out

    def write(self, path: str | Path) -> Path:
        """Write the scenario file to ``path`` whole (via a temporary file beside it)."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp", delete=False) as tmp:
                tmp.write(self.text)
            Path(tmp.name).replace(path)
        except OSError as exc:
            raise HistoryError(f"{path}: cannot write the scenario: "
                               f"{exc.strerror or exc}") from None
        return path


def fit_history(
    history: History,
    *,
    name: str = "my_shop",
    source: str = "history",
    weekdays: tuple[str, ...] | None = None,
    repurchase_window_days: float = 60.0,
) -> HistoryFit:
    """Fit every part of a world to ``history`` and build its scenario (see the module
    docstring). ``weekdays`` are the carrier's delivery weekdays when known (default: read
    from the deliveries); ``source`` names the history in the file's comments.
    """
    if history.orders < 100:
        raise HistoryError(f"{source}: {history.orders} usable orders; fitting a world needs "
                           "at least 100")
    days = delivery_days(history, weekdays=weekdays)
    weekdays = days.names
    notes: list[str] = []
    disruptions = fit_disruptions(history, weekdays=weekdays)
    if not disruptions.periods:
        notes.append("no period's transit departs from the rest beyond the control limit: "
                     "the scenario has no disruptions")
        normal = history
    else:
        normal = history.subset(disruptions.normal_mask(history))
    transit = fit_transit(normal, weekdays=weekdays)
    satisfaction = _optional(fit_satisfaction, history, notes, weekdays=weekdays)
    repurchase = _optional(fit_repurchase, history, notes, window_days=repurchase_window_days)
    if history.has("region"):
        notes.append("the model has no regions: the scenario pools them (one transit "
                     "distribution, one promise); per-region fits are in this report")
    parts = FittedParts(history, source, days, fit_demand(history),
                        fit_handling(history), transit,
                        fit_promise_rule(history, weekdays=weekdays),
                        disruptions if disruptions.periods else None, satisfaction,
                        repurchase, tuple(notes))
    text = scenario_text(parts, name)
    with tempfile.TemporaryDirectory(prefix="promise-sim-fit-") as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text)
        scenario = load_scenario(path)
    return HistoryFit(**{f.name: getattr(parts, f.name) for f in fields(FittedParts)}, text=text,
                      scenario=scenario)


def _optional(estimator, history: History, notes: list[str], **options):
    """The estimator's fit, or None with the reason in ``notes`` when the history lacks it."""
    try:
        return estimator(history, **options)
    except HistoryError as exc:
        notes.append(str(exc).removeprefix("history: "))
        return None


def open_history(
    source: str | Path | pd.DataFrame | History,
    *,
    columns: ColumnMap | dict | str | Path | None = None,
    timezone: str | None = None,
    country: str | None = None,
    allow_bad: bool = False,
) -> History:
    """A history from a file, a folder of the Olist dataset (``columns="olist"``), a frame in
    any columns with their map, or a :class:`History` already read (returned as it is).
    """
    if isinstance(source, History):
        return source
    if isinstance(columns, str) and columns == "olist":
        if isinstance(source, pd.DataFrame):
            raise HistoryError("the Olist map reads the dataset's files, not a frame")
        return read_olist(source, timezone=timezone, country=country or "BR",
                          allow_bad=allow_bad)
    return read_history(source, columns=columns, timezone=timezone, country=country,
                        allow_bad=allow_bad)


def fit(
    source: str | Path | pd.DataFrame | History,
    *,
    columns: ColumnMap | dict | str | Path | None = None,
    name: str = "my_shop",
    timezone: str | None = None,
    country: str | None = None,
    allow_bad: bool = False,
) -> HistoryFit:
    """Read an order history (:func:`open_history`) and fit a world to it (:func:`fit_history`):
    ``fit.scenario`` runs like any scenario, ``fit.write(path)`` writes its commented file and
    ``fit.lines()`` says what was fitted, how well and on what.
    """
    history = open_history(source, columns=columns, timezone=timezone, country=country,
                           allow_bad=allow_bad)
    return fit_history(history, name=name, source=history.report.source)
