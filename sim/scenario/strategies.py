"""The promise strategies a scenario compares, each a rule named by its ``kind``.

The built-in rules are specs here and models in :mod:`sim.model.promise`; a ``custom`` one is
a class or factory of the user's, imported by :func:`import_strategy` from its
'package.module:Name'.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.errors import StrategyError
from sim.scenario.base import Spec

__all__ = [
    "AdaptiveStrategy",
    "BufferStrategy",
    "ControlledStrategy",
    "CustomStrategy",
    "QuantileStrategy",
    "StrategySpec",
    "TightStrategy",
    "import_strategy",
]


class _Strategy(Spec):
    name: str = Field(min_length=1, description="Label of this strategy in results.")


class BufferStrategy(_Strategy):
    """Quote a window of N..M business days, ship by a chosen service (Zappos: 4-5, overnight)."""

    kind: Literal["buffer"] = Field(description="Which rule: 'buffer'.")
    min_days: int = Field(ge=0, le=365, description="Window opens this many business days out.")
    max_days: int = Field(ge=0, le=365, description="Window closes this many business days out.")
    service: str = Field(description="Service level every order ships by.")

    @model_validator(mode="after")
    def _ordered(self) -> BufferStrategy:
        if self.max_days < self.min_days:
            raise ValueError(
                f"'max_days' must be >= 'min_days', got {self.min_days}..{self.max_days}"
            )
        return self


class TightStrategy(_Strategy):
    """Quote the carrier's nominal time of the service used (the competitor: overnight)."""

    kind: Literal["tight"] = Field(description="Which rule: 'tight'.")
    service: str = Field(description="Service level every order ships by.")


class QuantileStrategy(_Strategy):
    """Quote the p-quantile of the lead time predicted from backlog, calendar and known events."""

    kind: Literal["quantile"] = Field(description="Which rule: 'quantile'.")
    p: float = Field(gt=0, lt=1, description="Probability the quote is meant to be met.")
    service: str = Field(description="Service level every order ships by.")


class ControlledStrategy(_Strategy):
    """Promise firmly what you control, an honest window for what you only influence.

    The second seed's rule: commit to dispatch within ``dispatch_days`` business days (the
    warehouse is the firm's own), then add the carrier's transit between two quantiles as the
    window. The firm over-delivers only on the part it controls, by dispatching sooner.
    """

    kind: Literal["controlled"] = Field(description="Which rule: 'controlled'.")
    dispatch_days: int = Field(
        default=1, ge=0, le=30,
        description="Trucks after the first one the firm commits to ship by (0: the next truck).",
    )
    transit_low: float = Field(
        default=0.5, gt=0, lt=1, description="Quantile of transit at which the window opens."
    )
    transit_high: float = Field(
        default=0.95, gt=0, lt=1, description="Quantile of transit at which the window closes."
    )
    service: str = Field(description="Service level every order ships by.")

    @model_validator(mode="after")
    def _ordered(self) -> ControlledStrategy:
        if self.transit_high < self.transit_low:
            raise ValueError(
                "'transit_high' must be >= 'transit_low', "
                f"got {self.transit_low}..{self.transit_high}"
            )
        return self


class AdaptiveStrategy(_Strategy):
    """Quote a quantile of the lead times the firm has recently delivered (learns its quote)."""

    kind: Literal["adaptive"] = Field(description="Which rule: 'adaptive'.")
    p: float = Field(gt=0, lt=1, description="Quantile of recent lead times quoted.")
    memory_days: int = Field(
        default=28, ge=1, le=3650, description="Deliveries of the last this many days count."
    )
    initial_days: float = Field(
        default=3.0, ge=0, le=365, description="Business days quoted before any delivery is seen."
    )
    service: str = Field(description="Service level every order ships by.")


class CustomStrategy(_Strategy):
    """A strategy written in Python, named as 'package.module:Name'."""

    kind: Literal["custom"] = Field(description="Which rule: 'custom'.")
    path: str = Field(
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
        description="Import path 'package.module:Name' of a class or factory.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments passed to it."
    )


StrategySpec = Annotated[
    BufferStrategy
    | TightStrategy
    | QuantileStrategy
    | ControlledStrategy
    | AdaptiveStrategy
    | CustomStrategy,
    Field(discriminator="kind"),
]


def import_strategy(path: str) -> Any:
    """The class or factory a custom strategy's 'package.module:Name' names, imported.

    Raises :class:`StrategyError` saying why it cannot be imported: any failure of the
    module's own code (even ``SystemExit``) is the user's to fix, not a crash.
    """
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except (Exception, SystemExit) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StrategyError(f"cannot import strategy {path!r}: {reason}") from None
    if not hasattr(module, attribute):
        raise StrategyError(f"cannot import strategy {path!r}: module {module_name!r} has no "
                            f"{attribute!r}")
    return getattr(module, attribute)
