"""Satisfaction read in stars: the ordered logit that maps the model's satisfaction to ratings.

``satisfaction.stars`` is optional: with it, a run also reports ``expected_stars``, the mean
expected rating of its orders; without it nothing changes. ``promise-sim fit`` writes it from a
history's ratings (an ordered logit of the stars on days early and late).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import Positive, Spec

__all__ = ["Stars"]

_Finite = Annotated[float, Field(allow_inf_nan=False)]


def _increasing(values: list[float]) -> list[float]:
    """``values`` unchanged, or ``ValueError`` naming the first that does not rise."""
    for i in range(1, len(values)):
        if not values[i] > values[i - 1]:
            raise ValueError(f"must be strictly increasing, got {values[i]!r} after "
                             f"{values[i - 1]!r} at [{i}]")
    return values


class Stars(Spec):
    """Satisfaction read as a star rating: an ordered logit with latent ``scale`` x satisfaction.

    A rating is category k (values[k] stars) when the latent plus a logistic error falls
    between thresholds[k-1] and thresholds[k]; the expected rating of an order weighs each
    category's value by its probability.
    """

    scale: Positive = Field(
        description="Logit units of the rating's latent per unit of satisfaction (the fitted "
        "slope of the rating on business days early)."
    )
    thresholds: list[_Finite] = Field(
        min_length=1,
        description="The ordered logit's cutpoints, strictly increasing: a rating is at most "
        "category k when the latent plus a logistic error is below thresholds[k].",
    )
    values: list[_Finite] | None = Field(
        default=None,
        description="The star value of each category, strictly increasing, one more than the "
        "thresholds; null: 1, 2, ..., one more than the thresholds.",
    )
    source: str = Field(
        min_length=1,
        description="Where the mapping comes from, e.g. 'fitted by promise-sim fit from "
        "history.csv, 2017-01-02..2017-12-31, 96,000 ratings'.",
    )

    @field_validator("thresholds", "values")
    @classmethod
    def _strictly_increasing(cls, values: list[float] | None) -> list[float] | None:
        return None if values is None else _increasing(values)

    @model_validator(mode="after")
    def _one_value_per_category(self) -> Stars:
        if self.values is not None and len(self.values) != len(self.thresholds) + 1:
            raise ValueError(
                f"'values' must have one more item than 'thresholds' "
                f"({len(self.thresholds) + 1}), got {len(self.values)}"
            )
        return self

    @property
    def star_values(self) -> tuple[float, ...]:
        """The star value of each category: ``values``, or 1, 2, ... when not given."""
        if self.values is not None:
            return tuple(self.values)
        return tuple(float(k) for k in range(1, len(self.thresholds) + 2))
