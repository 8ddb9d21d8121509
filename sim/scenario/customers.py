"""Customers' side: how a delivery is judged, and customers who remember, talk and push back."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from sim.scenario.base import Fraction, NonNegative, Positive, Spec, without_absent
from sim.scenario.stars import Stars

__all__ = ["Customers", "Pushback", "Satisfaction", "WordOfMouth"]


class Satisfaction(Spec):
    """Expectation-disconfirmation: the outcome judged against the expectation that was set."""

    loss_aversion: Positive = Field(
        default=2.25,
        le=100,
        description="How much more a late business day hurts than an early one pleases "
        "(Tversky & Kahneman 1992: 2.25).",
    )
    gain_curvature: float = Field(
        default=0.88,
        gt=0,
        le=1,
        description="Curvature of delight in days early (Tversky & Kahneman 1992: 0.88).",
    )
    loss_curvature: float = Field(
        default=0.88,
        gt=0,
        le=1,
        description="Curvature of disappointment in days late (Tversky & Kahneman 1992: 0.88).",
    )
    delight_cap: NonNegative | None = Field(
        default=None,
        description="Most delight an early delivery can give; 0 means keeping a promise is as "
        "good as beating it (Gneezy & Epley 2014); null for no cap.",
    )
    late_tolerance_days: NonNegative = Field(
        default=0.0,
        le=10,
        description="Lateness up to this many business days goes unnoticed, and beyond it "
        "counts from there (the zone of tolerance, Zeithaml, Berry & Parasuraman 1993; Xie et "
        "al. 2024: the cut in repurchase is small under 10 minutes late). 0: every late hour "
        "counts.",
    )
    reference: Literal["start", "mid", "end"] = Field(
        default="end", description="Which point of a promised window sets the expectation."
    )
    delight_days: Positive = Field(
        default=1.0,
        description="An order counts as 'delighted' when it arrives at least this many "
        "business days before the expectation.",
    )
    stars: Stars | None = Field(
        default=None,
        description="The reading of satisfaction in stars (fitted from a history's ratings by "
        "'promise-sim fit'), for the metric expected_stars; absent: not measured.",
    )

    @model_serializer(mode="wrap")
    def _without_absent_stars(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The section as written, leaving out ``stars`` when absent: a scenario without it
        dumps (and hashes) as before the key existed.
        """
        return without_absent(handler(self), self, ("stars",))


class WordOfMouth(Spec):
    """What customers tell others, and how it moves the arrival of new customers."""

    delighted_threshold: float = Field(
        default=1.0, description="Satisfaction at or above which a customer may recommend."
    )
    disappointed_threshold: float = Field(
        default=0.0, description="Satisfaction below which a customer may warn others."
    )
    referral_probability: Fraction = Field(
        default=0.10,
        description="Chance a delighted customer recommends (an assumption; positive word of "
        "mouth is about 3x as frequent as negative overall, East, Hammond & Wright 2007).",
    )
    warning_probability: Fraction = Field(
        default=0.15,
        description="Chance a disappointed customer warns others (an assumption: the "
        "dissatisfied talk more, but less than folklore claims, Anderson 1998).",
    )
    positive_reach: NonNegative = Field(
        default=1.0, le=1000, description="People one recommendation reaches (an assumption)."
    )
    negative_reach: NonNegative = Field(
        default=2.0,
        le=1000,
        description="People one warning reaches; further than praise by default (an "
        "assumption, Anderson 1998; not the folklore's 10).",
    )
    reputation_half_life_days: Positive = Field(
        default=30.0, le=3650, description="Days for the weight of old word of mouth to halve."
    )
    reputation_effect: NonNegative = Field(
        default=1.0,
        le=100,
        description="New-customer arrivals scale by exp(effect x reputation), reputation being "
        "net people reached per delivered order (an assumption).",
    )


class Pushback(Spec):
    """A negotiated (business) segment that asks for shorter quotes after early deliveries.

    The second seed's client: delivered early again and again, he asks you to "try a bit
    harder". Each request takes ``step_days`` off every later quote to that customer (a quote
    never lengthens); the firm grants requests until the customer's cut reaches
    ``max_cut_days`` and refuses beyond, at a cost to the relationship.
    """

    share: Fraction = Field(
        default=1.0, description="Share of new customers in the negotiating segment."
    )
    early_days: Positive = Field(
        default=1.0,
        description="A delivery at least this many business days before the promise counts "
        "as early.",
    )
    patience: int = Field(
        default=2, ge=1, le=1000,
        description="Early deliveries in a row after which the customer asks for a shorter quote.",
    )
    step_days: int = Field(
        default=1, ge=1, le=30, description="Business days asked off the quote per request."
    )
    max_cut_days: int = Field(
        default=3, ge=0, le=365,
        description="Most business days the firm will take off a customer's quotes; requests "
        "beyond are refused (0: refuse every request).",
    )
    refusal_cost: NonNegative = Field(
        default=1.0, le=100,
        description="A refusal weighs like this much dissatisfaction on the delivery that "
        "prompted it (remembered, and raising the chance of leaving; an assumption).",
    )


class Customers(Spec):
    """Customers who remember: learned expectations, trust, repurchase, churn, word of mouth.

    With this section absent every order is a first order judged against its promise. With it,
    ``demand.orders_per_day`` are first orders of new customers, and returning customers add
    their own.
    """

    learning_rate: Fraction = Field(
        default=0.3,
        description="How far each delivery teaches a customer: their learned lead time moves "
        "this share of the way to the latest delivery, and a padded-looking delivery costs "
        "this share of their trust in the promise, so the promise stops setting the "
        "expectation (an assumption; customers whose last experience was the same react far "
        "less, Xie et al. 2024). 1: the last experience is the learned lead time, and one "
        "padded-looking delivery ends trust in the promise.",
    )
    initial_trust: Fraction = Field(
        default=0.9,
        description="Weight a new customer gives the promise against their own experience; "
        "1: the expectation is the promise.",
    )
    trust_gain: Fraction = Field(
        default=0.05,
        description="Share of the distance to full trust a kept promise restores (one that "
        "looks padded restores none).",
    )
    trust_loss: Fraction = Field(
        default=0.25,
        description="Share of trust a broken promise destroys; more than a kept one earns "
        "(Gneezy & Epley 2014; loss aversion, Tversky & Kahneman 1992).",
    )
    padding_days: Positive = Field(
        default=2.0,
        description="A delivery this many business days before the promise reads as padding.",
    )
    padding_suspicion: Fraction = Field(
        default=0.10,
        description="Share of trust a padded-looking delivery costs on top of what learning "
        "takes (the second seed's suspicion of padding; an assumption, 0 switches it off).",
    )
    fairness_penalty: NonNegative = Field(
        default=0.0,
        le=10,
        description="Cut in the log repurchase rate per padded-looking delivery remembered "
        "(suspected overcharging; an assumption, 0 switches it off).",
    )
    memory: Fraction = Field(
        default=0.5,
        description="Weight of the latest satisfaction in the one a customer remembers.",
    )
    memory_start: Literal["neutral", "first_experience"] = Field(
        default="neutral",
        description="What a new customer remembers before their first delivery. neutral: "
        "satisfaction 0, which the first experience joins with weight `memory`; "
        "first_experience: nothing, so the first experience is all they remember (the plain "
        "mean of the first 1/memory experiences, then smoothing as usual), and new customers "
        "react more than regulars to the same delivery (Xie et al. 2024).",
    )
    repurchase_per_year: NonNegative = Field(
        default=4.0,
        le=365,
        description="Purchases per year of a returning customer who remembers neutral "
        "satisfaction (an assumption).",
    )
    repurchase_sensitivity: NonNegative = Field(
        default=0.3,
        le=10,
        description="Change in the log repurchase rate per unit of remembered satisfaction "
        "(an assumption; direction from Xie et al. 2024: late deliveries cut repurchase).",
    )
    churn_base: Fraction = Field(
        default=0.05, description="Chance a customer leaves after a delivery exactly as expected."
    )
    churn_sensitivity: NonNegative = Field(
        default=0.5,
        le=10,
        description="Rise in the log-odds of leaving per unit of dissatisfaction (an assumption).",
    )
    word_of_mouth: WordOfMouth = Field(
        default_factory=WordOfMouth, description="Recommendations, warnings and reputation."
    )
    pushback: Pushback | None = Field(
        default=None,
        description="A negotiating segment that pushes for shorter quotes; absent: none.",
    )
