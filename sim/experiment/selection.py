"""Ranking and selection: which of ``k`` simulated systems is best, from their outputs alone.

Pure statistics on arrays of outputs (higher is better), with no world in sight: a procedure
asks for the first ``n`` outputs of some systems through an ``observe`` function and decides
who stays in contention (:class:`KimNelsonProcedure`, Kim & Nelson's 2001 fully sequential
procedure KN, valid with common random numbers; :class:`SubsetProcedure`, the same outputs
for all); :func:`compare_with_best` then names the best and the systems that cannot be ruled
out as the best (paired one-sided bounds, Bonferroni over the comparisons with the best).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np
from scipy import stats

__all__ = [
    "Comparison",
    "KimNelsonProcedure",
    "Observe",
    "Selection",
    "SelectionProcedure",
    "SubsetProcedure",
    "compare_with_best",
    "paired_bound",
]

#: ``observe(systems, n)``: the first ``n`` outputs of each system, one row per system; higher
#: is better.
Observe = Callable[[Sequence[int], int], np.ndarray]


@dataclass(frozen=True, slots=True)
class Selection:
    """What a procedure decided: who was still in contention, and when the others were dropped."""

    survivors: tuple[int, ...]
    eliminated_after: dict[int, int]


class SelectionProcedure(Protocol):
    """A way to spend replications on systems until the best can be named."""

    # a dataclass: the manifest records its fields
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def select(self, observe: Observe, k: int, *, confidence: float) -> Selection:
        """Observe the ``k`` systems as the procedure needs; who survived and who was dropped."""
        ...


@dataclass(frozen=True, slots=True)
class SubsetProcedure:
    """The same ``replications`` for every system; none is dropped along the way."""

    replications: int

    def select(self, observe: Observe, k: int, *, confidence: float) -> Selection:
        """Observe every system ``replications`` times."""
        observe(range(k), self.replications)
        return Selection(tuple(range(k)), {})


@dataclass(frozen=True, slots=True)
class KimNelsonProcedure:
    """Kim & Nelson's (2001) fully sequential procedure KN, with common random numbers.

    After ``first`` replications of all, a system is dropped at replication ``r`` when its
    mean falls below another's by more than ``W = max(0, d/(2r) (h^2 S^2/d^2 - r))`` (``S^2``
    the variance of their paired differences over the first replications, ``d`` the
    indifference zone); the best is chosen with probability at least ``confidence`` when it
    beats all others by ``d`` or more. Replications come in rounds (each round adds ``growth``
    times the current count); dropping is checked at every replication of a round, so the
    decisions are those of the one-at-a-time procedure.
    """

    indifference: float
    first: int
    maximum: int
    growth: float = 0.5

    def select(self, observe: Observe, k: int, *, confidence: float) -> Selection:
        """Run KN on ``k`` systems; higher outputs are better."""
        first = self.first
        scores = observe(range(k), first)
        if k == 1:
            return Selection((0,), {})
        alpha = 1.0 - confidence
        eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (first - 1)) - 1.0)
        h2 = 2.0 * eta * (first - 1)
        spread = h2 * np.cov(scores, ddof=1).reshape(k, k)
        diagonal = np.diag(spread)
        spread = diagonal[:, None] + diagonal[None, :] - 2.0 * spread  # h^2 S_il^2
        delta = self.indifference
        data: dict[int | np.integer, np.ndarray] = {i: scores[i] for i in range(k)}
        alive = np.arange(k)
        eliminated: dict[int, int] = {}
        have = first
        r = first
        while True:
            means = np.array([data[i][:r].mean() for i in alive])
            pair = spread[np.ix_(alive, alive)]
            slack = np.maximum(0.0, delta / (2.0 * r) * (pair / delta**2 - r))
            np.fill_diagonal(slack, np.inf)
            keep = np.all(means[:, None] >= means[None, :] - slack, axis=1)
            for i in alive[~keep]:
                eliminated[int(i)] = r
            alive = alive[keep]
            if alive.size <= 1:
                break
            rest = spread[np.ix_(alive, alive)]
            last_needed = int(np.floor(rest.max() / delta**2))  # max N_il over the survivors
            if r > last_needed or r >= self.maximum:
                break
            r += 1
            if r > have:
                have = min(self.maximum, last_needed + 1,
                           max(r, have + math.ceil(self.growth * have)))
                more = observe(alive.tolist(), have)
                for row, i in enumerate(alive):
                    data[int(i)] = more[row]
        return Selection(tuple(int(i) for i in alive), eliminated)


def paired_bound(diff: np.ndarray, t_level: float) -> tuple[float, float, float]:
    """Mean of paired differences and its bounds at one-sided level ``t_level`` each side."""
    n = diff.size
    mean = float(diff.mean())
    if n < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(t_level, n - 1) * diff.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


@dataclass(frozen=True, slots=True)
class Comparison:
    """One system against the best: the paired difference (system - best) and its bounds.

    ``in_contention``: the system is the best, or its upper bound does not rule it out.
    """

    difference: float
    low: float
    high: float
    in_contention: bool


def compare_with_best(
    scores: Sequence[np.ndarray], survivors: Sequence[int], *, confidence: float
) -> tuple[int, list[Comparison]]:
    """The best survivor (highest mean, lowest index on ties) and every system against it.

    Differences are paired over the replications both have; the bounds are one-sided at
    ``1 - (1 - confidence) / (k - 1)`` each, so the systems in contention include the truly
    best one with probability at least ``confidence``.
    """
    k = len(scores)
    means = [float(s.mean()) for s in scores]
    best = max(survivors, key=lambda i: (means[i], -i))
    level = 1.0 - (1.0 - confidence) / max(k - 1, 1)
    comparisons = []
    for i, own in enumerate(scores):
        shared = min(own.size, scores[best].size)
        diff, low, high = paired_bound(own[:shared] - scores[best][:shared], level)
        contention = i == best or high >= 0 or not np.isfinite(high)
        comparisons.append(Comparison(diff, low, high, contention))
    return best, comparisons
