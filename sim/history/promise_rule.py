"""The promise rule a history used, found by which candidate reproduces its promises best.

Promises are counted as the simulator counts them: ``n`` business days after the order day is
the ``n``-th delivery day after it (delivery weekdays read from the deliveries, holidays from
the country). Candidates: a fixed number of business days for all orders, or per region,
service level or both (each group's most frequent count: the one that reproduces most
promises); or a quantile of the lead time (each group promises the business days within which
a share ``q`` of its orders were delivered, for ``q`` on a grid). The chosen rule reproduces the
most promises exactly (ties: the smaller mean absolute error in business days, then the fewer
groups). The padding is the median of business days early, with a distribution-free interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.history.business_days import delivery_days
from sim.history.estimate import LEVEL, Basis, Estimate
from sim.history.reading import History

__all__ = ["QUANTILES", "PromiseRuleFit", "RuleCandidate", "fit_promise_rule"]

QUANTILES = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)


@dataclass(frozen=True, slots=True)
class RuleCandidate:
    """A candidate rule: the business days each group promises, and how well it reproduces
    the history (share of promises exactly right, mean absolute error in business days).
    """

    kind: str
    by: tuple[str, ...]
    days: tuple[tuple[str, int], ...]
    quantile: float | None
    exact_share: float
    mean_abs_error: float

    def days_for(self, label: str = "all") -> int:
        """The business days promised to group ``label`` (``"all"`` without groups)."""
        return dict(self.days)[label]


@dataclass(frozen=True, slots=True)
class PromiseRuleFit:
    """The historical promise rule, its rivals, and how late and how padded promises were."""

    basis: Basis
    chosen: RuleCandidate
    candidates: tuple[RuleCandidate, ...]
    delivery_weekdays: tuple[str, ...]
    late_share: Estimate
    padding: Estimate


def _groups(frame: pd.DataFrame, by: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Each order's group number and the groups' labels (``"all"``, ``"north"``,
    ``"express/north"``).
    """
    if not by:
        return np.zeros(len(frame), dtype=np.int64), ["all"]
    codes, uniques = pd.MultiIndex.from_frame(frame[list(by)].astype(str)).factorize()
    return codes.astype(np.int64), ["/".join(u) for u in uniques]


def _score(kind: str, by: tuple[str, ...], codes: np.ndarray, labels: list[str],
           per_group: np.ndarray, quantile: float | None,
           promised_days: np.ndarray) -> RuleCandidate:
    error = np.abs(per_group[codes] - promised_days)
    days = tuple(sorted(zip(labels, (int(d) for d in per_group))))
    return RuleCandidate(kind, by, days, quantile, float(np.mean(error == 0)),
                         float(error.mean()))


def fit_promise_rule(history: History, *, weekdays: tuple[str, ...] | None = None,
                     quantiles: tuple[float, ...] = QUANTILES) -> PromiseRuleFit:
    """The rule behind the history's promises (see the module docstring)."""
    frame = history.frame
    days = delivery_days(history, weekdays=weekdays)
    ordered = frame["order_time"].to_numpy().astype("datetime64[D]")
    promised = frame["promised"].to_numpy().astype("datetime64[D]")
    delivered = frame["delivered"].to_numpy().astype("datetime64[D]")
    promised_days = days.promise_days(ordered, promised)
    lead_days = days.promise_days(ordered, delivered)
    keys = [k for k in ("region", "service") if history.has(k)]
    groupings = [()] + [(k,) for k in keys] + ([tuple(keys)] if len(keys) == 2 else [])
    candidates = []
    for by in groupings:
        codes, labels = _groups(frame, by)
        low = min(promised_days.min(), 0)
        tally = np.zeros((len(labels), promised_days.max() - low + 1), dtype=np.int64)
        np.add.at(tally, (codes, promised_days - low), 1)
        modes = tally.argmax(axis=1) + low
        candidates.append(_score("fixed business days", by, codes, labels, modes, None,
                                 promised_days))
        leads = [np.sort(lead_days[codes == g]) for g in range(len(labels))]
        for q in quantiles:
            lead = np.array([np.quantile(s, q, method="higher") for s in leads], dtype=np.int64)
            candidates.append(_score("quantile of lead time", by, codes, labels, lead, q,
                                     promised_days))
    chosen = min(candidates, key=lambda c: (-c.exact_share, c.mean_abs_error, len(c.days)))
    early = days.between(delivered, promised)
    n = early.size
    late = float(np.mean(early < 0))
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    ranks = np.clip(np.round(n / 2 + np.array([-z, z]) * np.sqrt(n) / 2).astype(int), 0, n - 1)
    ordered_early = np.sort(early)
    padding = Estimate.interval(float(np.median(early)), ordered_early[ranks[0]],
                                ordered_early[ranks[1]])
    return PromiseRuleFit(history.basis, chosen, tuple(candidates), days.names,
                          Estimate.wald(late, np.sqrt(late * (1 - late) / n)), padding)
