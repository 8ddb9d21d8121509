"""Competition at the point of sale: the rival firms and how a prospect chooses between them."""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.scenario.base import NonNegative, Spec, check_unique
from sim.scenario.operations import Shift
from sim.scenario.strategies import StrategySpec

__all__ = ["Choice", "Competitor", "Market"]

#: Cui, Lu, Sun & Golden (2024): promising one day faster raised sales by 0.73%.
_CUI_PER_DAY = -0.00727


class Choice(Spec):
    """The multinomial logit by which a prospect picks a firm, or none.

    ``U_firm = promise_per_day x max(days - promise_free_days, 0) + price_per_unit x price
    + reputation x score + loyalty terms``; buying nowhere has utility ``outside``.
    """

    promise_per_day: float = Field(
        default=_CUI_PER_DAY,
        le=0,
        ge=-10,
        description="Utility per promised business day. Default: one day faster raises a "
        "firm's sales 0.73% (Cui et al. 2024, field experiment); B2B buyers respond "
        "1.8-2.0% per day, about -0.019 (Oblander & Jerath 2024).",
    )
    promise_free_days: NonNegative = Field(
        default=0.0,
        le=365,
        description="Promised business days that cost nothing (B2B demand is flat under about "
        "a week, Oblander & Jerath 2024; 0: every day counts).",
    )
    price_per_unit: float = Field(
        default=0.0, le=0, ge=-100, description="Utility per unit of price (an assumption)."
    )
    reputation: NonNegative = Field(
        default=1.0,
        le=100,
        description="Utility per unit of a firm's reputation score (net people reached by "
        "word of mouth per delivered order); the market's version of "
        "'customers.word_of_mouth.reputation_effect' (an assumption).",
    )
    outside: float = Field(
        default=0.0, ge=-100, le=100, description="Utility of buying from no firm."
    )
    loyalty: float = Field(
        default=1.0,
        ge=-100,
        le=100,
        description="Utility a returning customer adds to the firm they last bought from "
        "(inertia; an assumption).",
    )
    loyalty_per_satisfaction: NonNegative = Field(
        default=1.0,
        le=100,
        description="Utility per unit of remembered satisfaction added to that firm: the "
        "delighted stay, the let-down switch (an assumption).",
    )


class Competitor(Spec):
    """Another firm in the same world, under its own strategy, with its own warehouse."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Short name of the firm.")
    strategy: StrategySpec = Field(description="How this firm promises (any strategy kind).")
    price: NonNegative | None = Field(
        default=None, le=1e7, description="Its price; the scenario's 'economics.price' if omitted."
    )
    shifts: list[Shift] | None = Field(
        default=None,
        min_length=1,
        description="Its warehouse shifts (same pick times); the scenario's if omitted.",
    )


class Market(Spec):
    """Competition at the point of sale: prospects choose between the firm and competitors.

    With this section, ``demand.orders_per_day`` are prospects in the market (new customers
    when ``customers`` is present); each strategy of the scenario is the firm's, run against
    the same competitors in the same world, so market share emerges. A prospect (or a
    returning customer) who buys from no firm is lost to the market.
    """

    competitors: list[Competitor] = Field(
        min_length=1, max_length=20, description="The other firms."
    )
    choice: Choice = Field(default_factory=Choice, description="How prospects choose.")
    quote_refresh_hours: float = Field(
        default=1.0,
        gt=0,
        le=24,
        description="Each firm's quote is posted from its backlog and refreshed this often; "
        "prospects compare posted quotes.",
    )

    @model_validator(mode="after")
    def _namescheck_unique(self) -> Market:
        check_unique([c.name for c in self.competitors], "competitor names")
        return self
