"""Distributions written as small mappings, e.g. ``{dist: lognormal, median: 1.2, sigma: 0.4}``.

Every distribution is sampled by inverse transform from uniforms (``ppf``), so that a strategy
that ships by a different service level still meets the same carrier luck (common random
numbers), and the per-order oracle can be fed exactly the draws of the batched world.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator
from scipy import special

from sim.scenario.base import NonNegative, Positive, Spec
from sim.scenario.portable import log1p, scaled_exp

__all__ = [
    "Constant",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "LogNormal",
    "Normal",
    "Triangular",
    "Uniform",
]


MIN_GAMMA_CV = 0.001


class _Dist(Spec):
    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The quantile function at probabilities ``u`` in [0, 1)."""
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - abstract
        """The distribution's mean."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws (by inverse transform unless a faster exact way exists).

        Use :meth:`ppf` of shared uniforms where the same luck must map to several
        distributions (common random numbers across service levels); use this where only the
        stream matters.
        """
        return self.ppf(rng.random(size))


class Constant(_Dist):
    """Always the same value."""

    dist: Literal["constant"] = Field(description="Which distribution: 'constant'.")
    value: NonNegative = Field(description="The value every draw takes.")

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The value, at every probability."""
        return np.full(np.shape(u), self.value, dtype=float)

    @property
    def mean(self) -> float:
        """The value itself."""
        return self.value


class Uniform(_Dist):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"] = Field(description="Which distribution: 'uniform'.")
    low: NonNegative = Field(description="Smallest value.")
    high: NonNegative = Field(description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"'high' must be >= 'low', got low={self.low}, high={self.high}")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Linear from ``low`` at 0 to ``high`` at 1."""
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    @property
    def mean(self) -> float:
        """Halfway between ``low`` and ``high``."""
        return 0.5 * (self.low + self.high)


class Exponential(_Dist):
    """Exponential with the given mean (memoryless: Poisson-process gaps, M/M/c service)."""

    dist: Literal["exponential"] = Field(description="Which distribution: 'exponential'.")
    mean_value: Positive = Field(alias="mean", description="The mean.")

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The exponential quantile, ``-mean * log(1 - u)``."""
        return -self.mean_value * log1p(-np.asarray(u, dtype=float))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` exponential draws straight from the stream."""
        return rng.exponential(self.mean_value, size)

    @property
    def mean(self) -> float:
        """The mean as given."""
        return self.mean_value


class LogNormal(_Dist):
    """Log-normal given by its median and the standard deviation of its logarithm."""

    dist: Literal["lognormal"] = Field(description="Which distribution: 'lognormal'.")
    median: Positive = Field(description="The median (half the draws are below it).")
    sigma: Positive = Field(description="Standard deviation of the logarithm (spread).")

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The median scaled by ``exp(sigma * z)``, ``z`` the standard normal quantile."""
        return scaled_exp(special.ndtri(np.asarray(u, dtype=float)), self.sigma, self.median)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws from standard normals, scaled like the quantile."""
        return scaled_exp(rng.standard_normal(size), self.sigma, self.median)

    @property
    def mean(self) -> float:
        """``median * exp(sigma^2 / 2)``."""
        return self.median * math.exp(0.5 * self.sigma**2)


class Gamma(_Dist):
    """Gamma given by its mean and coefficient of variation (cv = 1 is exponential)."""

    dist: Literal["gamma"] = Field(description="Which distribution: 'gamma'.")
    mean_value: Positive = Field(alias="mean", description="The mean.")
    cv: Positive = Field(
        le=1000,
        description=f"Coefficient of variation, standard deviation / mean, from {MIN_GAMMA_CV} "
        "(use 'constant' for less: the shape 1/cv^2 overflows) to 1000.",
    )

    @field_validator("cv")
    @classmethod
    def _not_vanishing(cls, cv: float) -> float:
        if cv < MIN_GAMMA_CV:
            raise ValueError(f"must be >= {MIN_GAMMA_CV} (use 'constant' for less spread: the "
                             f"shape 1/cv^2 overflows), got {cv}")
        return cv

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The gamma quantile of shape ``1/cv^2`` scaled to the mean."""
        shape = 1.0 / self.cv**2
        return special.gammaincinv(shape, np.asarray(u, dtype=float)) * self.mean_value / shape

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` gamma draws of shape ``1/cv^2`` straight from the stream."""
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_value / shape, size)

    @property
    def mean(self) -> float:
        """The mean as given."""
        return self.mean_value


class Normal(_Dist):
    """Normal with the given mean and standard deviation, truncated at zero."""

    dist: Literal["normal"] = Field(description="Which distribution: 'normal'.")
    mean_value: NonNegative = Field(alias="mean", description="Mean before truncation.")
    sd: Positive = Field(description="Standard deviation before truncation.")

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The normal quantile, negative values cut to zero."""
        u = np.asarray(u, dtype=float)
        return np.maximum(0.0, self.mean_value + self.sd * special.ndtri(u))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` normal draws, negative values cut to zero."""
        return np.maximum(0.0, self.mean_value + self.sd * rng.standard_normal(size))

    @property
    def mean(self) -> float:
        """The mean after truncation at zero (larger than ``mean`` when the cut is felt)."""
        a = self.mean_value / self.sd
        return self.mean_value * float(special.ndtr(a)) + self.sd * (
            math.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
        )


class Triangular(_Dist):
    """Triangular between ``low`` and ``high`` with its peak at ``mode``."""

    dist: Literal["triangular"] = Field(description="Which distribution: 'triangular'.")
    low: NonNegative = Field(description="Smallest value.")
    mode: NonNegative = Field(description="Most likely value.")
    high: NonNegative = Field(description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                "must have low <= mode <= high and low < high, "
                f"got low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The two-sided inverse of the triangular distribution function, split at the mode."""
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    @property
    def mean(self) -> float:
        """The average of the three corners."""
        return (self.low + self.mode + self.high) / 3.0


class Empirical(_Dist):
    """A discrete distribution over observed values, with optional weights."""

    dist: Literal["empirical"] = Field(description="Which distribution: 'empirical'.")
    values: list[NonNegative] = Field(min_length=1, description="The values that can occur.")
    weights: list[NonNegative] | None = Field(
        default=None, description="Relative weight of each value (equal when omitted)."
    )

    @model_validator(mode="after")
    def _weights(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"'weights' must have one entry per value ({len(self.values)}), "
                    f"got {len(self.weights)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("'weights' must not all be zero")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The smallest value whose cumulative weight reaches ``u`` (values taken in order of
        size, whatever order they are listed in).
        """
        values = np.asarray(self.values, dtype=float)
        w = np.ones(values.size) if self.weights is None else np.asarray(self.weights, float)
        order = np.argsort(values, kind="stable")
        cdf = np.cumsum(w[order]) / w.sum()
        index = np.searchsorted(cdf, np.asarray(u, dtype=float), side="left")
        return values[order][np.minimum(index, values.size - 1)]

    @property
    def mean(self) -> float:
        """The weighted average of the values."""
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return float(np.dot(w, self.values) / w.sum())


Distribution = Annotated[
    Constant | Uniform | Exponential | LogNormal | Gamma | Normal | Triangular | Empirical,
    Field(discriminator="dist"),
]
