"""Satisfaction read in stars: the expected rating of an ordered logit on the model's satisfaction.

An order of satisfaction ``s`` has the latent rating ``eta = scale * s`` plus a logistic
error; the rating is category k when that falls between thresholds[k-1] and thresholds[k], so
``P(category <= k) = expit(thresholds[k] - eta)`` and the expected rating is
``sum_k values[k] * P(category k)`` (the mapping ``promise-sim fit`` estimates from a history's
ratings). A run's mean is read off its satisfaction histogram (:meth:`StarScale.histogram_mean`),
within a bound the histogram itself gives (:meth:`StarScale.histogram_error_bound`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from sim.scenario.stars import Stars

__all__ = ["StarScale", "expected_stars"]


@dataclass(frozen=True, slots=True)
class StarScale:
    """An ordered logit of star ratings on satisfaction: ``scale`` logit units per unit of
    satisfaction, cut at ``thresholds`` into categories worth ``values`` stars (1, 2, ... when
    omitted).
    """

    scale: float
    thresholds: tuple[float, ...]
    values: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        thresholds = tuple(float(t) for t in self.thresholds)
        values = (tuple(float(k) for k in range(1, len(thresholds) + 2)) if self.values is None
                  else tuple(float(v) for v in self.values))
        if not (self.scale > 0 and thresholds and len(values) == len(thresholds) + 1
                and np.all(np.diff(thresholds) > 0) and np.all(np.diff(values) > 0)):
            raise ValueError("a star scale needs scale > 0, at least one threshold, thresholds "
                             "and values strictly increasing, one value more than thresholds")
        object.__setattr__(self, "thresholds", thresholds)
        object.__setattr__(self, "values", values)

    @classmethod
    def from_spec(cls, spec: Stars) -> StarScale:
        """The star scale a scenario's ``satisfaction.stars`` describes."""
        return cls(spec.scale, tuple(spec.thresholds), spec.star_values)

    @property
    def star_values(self) -> tuple[float, ...]:
        """The star value of each category."""
        assert self.values is not None  # filled in by __post_init__
        return self.values

    def expected(self, satisfaction: np.ndarray) -> np.ndarray:
        """The expected rating of orders of satisfaction ``satisfaction``, increasing in it,
        from ``values[0]`` (very dissatisfied) to ``values[-1]`` (delighted).

        Written as ``values[-1] - sum_k (values[k+1] - values[k]) * P(category <= k)``, the
        sum of the categories' values weighed by their probabilities.
        """
        s = np.asarray(satisfaction, dtype=float)
        eta = self.scale * s[..., None]
        steps = np.diff(self.star_values)
        return self.star_values[-1] - expit(np.asarray(self.thresholds) - eta) @ steps

    @property
    def max_slope(self) -> float:
        """A bound on the expected rating's rise per unit of satisfaction:
        ``scale * (values[-1] - values[0]) / 4`` (the logistic density is at most 1/4).
        """
        values = self.star_values
        return self.scale * (values[-1] - values[0]) / 4.0

    def histogram_mean(self, counts: np.ndarray, edges: np.ndarray) -> float:
        """The mean expected rating of orders counted in a satisfaction histogram: each bin's
        orders rated at the bin's centre (nan when it counts none).

        Within the histogram's range the error is at most :attr:`max_slope` times half a bin
        width; orders beyond it are counted in its first or last bin, where the error can reach
        the gap between that bin's rating and ``values[0]`` or ``values[-1]``:
        :meth:`histogram_error_bound` gives the bound of a given histogram.
        """
        counts = np.asarray(counts, dtype=float)
        total = counts.sum()
        if total == 0:
            return float("nan")
        return float(counts @ self.expected(_centres(edges)) / total)

    def histogram_error_bound(self, counts: np.ndarray, edges: np.ndarray) -> float:
        """The most :meth:`histogram_mean` can differ from the exact mean of the orders it
        counts, their satisfaction within a bin being unknown (nan when it counts none).
        """
        counts = np.asarray(counts, dtype=float)
        total = counts.sum()
        if total == 0:
            return float("nan")
        edges = np.asarray(edges, dtype=float)
        inside = self.max_slope * float(np.max(np.diff(edges))) / 2.0
        per_bin = np.full(counts.size, inside)
        lowest, highest = self.expected(_centres(edges)[[0, -1]])
        values = self.star_values
        per_bin[0] = max(inside, lowest - values[0])
        per_bin[-1] = max(inside, values[-1] - highest)
        return float(counts @ per_bin / total)


def expected_stars(satisfaction: np.ndarray, stars: Stars | StarScale) -> np.ndarray:
    """The expected star rating of orders of satisfaction ``satisfaction`` under ``stars``
    (a scenario's ``satisfaction.stars`` or a :class:`StarScale`).
    """
    scale = stars if isinstance(stars, StarScale) else StarScale.from_spec(stars)
    return scale.expected(satisfaction)


def _centres(edges: np.ndarray) -> np.ndarray:
    edges = np.asarray(edges, dtype=float)
    return 0.5 * (edges[:-1] + edges[1:])
