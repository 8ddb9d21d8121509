"""How customers behave: they learn lead times, trust or distrust promises, buy again, leave
and talk. The rules researchers edit; the customers' state lives in
:mod:`sim.model.customer_store`.

A customer's expectation for an order blends the promise with the lead time they have learned,
weighted by their trust in promises. After each delivery they learn, gain or lose trust (a
broken promise costs more than a kept one earns; a delivery far earlier than promised reads as
padding), remember how satisfied they were (from a neutral start, or from their first
experience alone: ``memory_start``), may push back on their quotes, may leave, may talk, and if
they stay their next purchase is scheduled at a rate that rises with remembered satisfaction.
Word of mouth adds up to the firm's :class:`Reputation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from sim.scenario.customers import Customers as CustomersSpec
from sim.scenario.customers import Pushback as PushbackSpec
from sim.scenario.customers import WordOfMouth as WordOfMouthSpec

__all__ = ["Behaviour", "LearningParameters", "Reputation", "expectation", "learn"]

#: The defaults of a scenario's sections, the model's defaults too: they are written once.
_CUSTOMERS = CustomersSpec()
_WORD_OF_MOUTH = WordOfMouthSpec()
_PUSHBACK = PushbackSpec()


class LearningParameters(NamedTuple):
    """A :class:`Behaviour` as :func:`learn` reads it, in the units it reads it in."""

    learning_rate: float
    trust_gain: float
    trust_loss: float
    padding_days: float
    padding_suspicion: float
    fairness_penalty: float
    memory: float
    repurchase_per_hour: float
    repurchase_sensitivity: float
    churn_log_odds: float
    churn_sensitivity: float
    delighted_threshold: float
    disappointed_threshold: float
    referral_probability: float
    warning_probability: float
    early_days: float
    patience: int
    step_days: int
    max_cut_days: int
    refusal_cost: float
    first_experience: bool


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How customers learn, trust, buy again, leave and talk (see the scenario schema).

    The defaults are those of an empty ``customers:`` section (no negotiating segment: a
    ``pushback:`` section is what brings one).
    """

    learning_rate: float = _CUSTOMERS.learning_rate
    initial_trust: float = _CUSTOMERS.initial_trust
    trust_gain: float = _CUSTOMERS.trust_gain
    trust_loss: float = _CUSTOMERS.trust_loss
    padding_days: float = _CUSTOMERS.padding_days
    padding_suspicion: float = _CUSTOMERS.padding_suspicion
    fairness_penalty: float = _CUSTOMERS.fairness_penalty
    memory: float = _CUSTOMERS.memory
    memory_start: str = _CUSTOMERS.memory_start
    repurchase_per_year: float = _CUSTOMERS.repurchase_per_year
    repurchase_sensitivity: float = _CUSTOMERS.repurchase_sensitivity
    churn_base: float = _CUSTOMERS.churn_base
    churn_sensitivity: float = _CUSTOMERS.churn_sensitivity
    delighted_threshold: float = _WORD_OF_MOUTH.delighted_threshold
    disappointed_threshold: float = _WORD_OF_MOUTH.disappointed_threshold
    referral_probability: float = _WORD_OF_MOUTH.referral_probability
    warning_probability: float = _WORD_OF_MOUTH.warning_probability
    pushback_share: float = 0.0
    pushback_early_days: float = _PUSHBACK.early_days
    pushback_patience: int = _PUSHBACK.patience
    pushback_step_days: int = _PUSHBACK.step_days
    pushback_max_cut_days: int = _PUSHBACK.max_cut_days
    pushback_refusal_cost: float = _PUSHBACK.refusal_cost

    @classmethod
    def from_spec(cls, spec: CustomersSpec) -> Behaviour:
        """The behaviour a scenario's ``customers`` section describes."""
        wom = spec.word_of_mouth
        values = spec.model_dump(exclude={"word_of_mouth", "pushback"})
        if spec.pushback is not None:
            values.update(
                {f"pushback_{k}": v for k, v in spec.pushback.model_dump().items()}
            )
        return cls(
            **values,
            delighted_threshold=wom.delighted_threshold,
            disappointed_threshold=wom.disappointed_threshold,
            referral_probability=wom.referral_probability,
            warning_probability=wom.warning_probability,
        )

    @property
    def parameters(self) -> LearningParameters:
        """The parameters as the compiled update reads them."""
        base = min(max(self.churn_base, 1e-12), 1 - 1e-12)
        return LearningParameters(
            learning_rate=float(self.learning_rate),
            trust_gain=float(self.trust_gain),
            trust_loss=float(self.trust_loss),
            padding_days=float(self.padding_days),
            padding_suspicion=float(self.padding_suspicion),
            fairness_penalty=float(self.fairness_penalty),
            memory=float(self.memory),
            repurchase_per_hour=self.repurchase_per_year / (365.25 * 24.0),
            repurchase_sensitivity=float(self.repurchase_sensitivity),
            churn_log_odds=math.log(base / (1 - base)) if 0 < self.churn_base < 1 else (
                -math.inf if self.churn_base == 0 else math.inf),
            churn_sensitivity=float(self.churn_sensitivity),
            delighted_threshold=float(self.delighted_threshold),
            disappointed_threshold=float(self.disappointed_threshold),
            referral_probability=float(self.referral_probability),
            warning_probability=float(self.warning_probability),
            early_days=float(self.pushback_early_days),
            patience=int(self.pushback_patience),
            step_days=int(self.pushback_step_days),
            max_cut_days=int(self.pushback_max_cut_days),
            refusal_cost=float(self.pushback_refusal_cost),
            first_experience=self.memory_start == "first_experience",
        )


@numba.njit(cache=True, inline="always")
def learn(trust, learned, memory, remembered, padded, next_purchase, business, early_run, cut,
          promise_lead, actual_lead, earliness, s, start, leave, gap, talk, p):
    """One customer's state after one delivery (see :meth:`CustomerBase.after_delivery`):
    ``leave``, ``gap`` and ``talk`` are its three uniforms, ``p`` the
    :class:`LearningParameters`.

    Returns the new trust, learned lead, memory, deliveries remembered, padded deliveries,
    next purchase, early run and cut, whether they stay, and whether they recommend, warn and
    had a cut refused (0 or 1 each). A function of numbers, not of the arrays: compiled inside
    a loop, it costs a fraction of an update written into the arrays.
    """
    if np.isnan(learned):
        learned = promise_lead
    learned += p.learning_rate * (actual_lead - learned)
    if earliness >= p.padding_days:
        trust -= p.padding_suspicion * trust
        trust -= p.learning_rate * trust
        padded += 1
    elif earliness >= 0.0:
        trust += p.trust_gain * (1.0 - trust)
    else:
        trust -= p.trust_loss * trust
    refusal = 0
    if business:
        if earliness >= p.early_days:
            early_run += 1
            if early_run >= p.patience:
                early_run = 0
                if cut + p.step_days <= p.max_cut_days:
                    cut += p.step_days
                else:
                    s -= p.refusal_cost
                    refusal = 1
        else:
            early_run = 0
    weight = max(p.memory, 1.0 / (remembered + 1.0)) if p.first_experience else p.memory
    memory = (1.0 - weight) * memory + weight * s
    remembered += 1
    referral = warning = 0
    if s >= p.delighted_threshold:
        referral = 1 if talk < p.referral_probability else 0
    elif s < p.disappointed_threshold:
        warning = 1 if talk < p.warning_probability else 0
    logit = p.churn_log_odds - p.churn_sensitivity * s
    leaves = leave < 1.0 / (1.0 + math.exp(-logit)) if np.isfinite(logit) else logit > 0
    if leaves:
        next_purchase = np.inf
    else:
        rate = p.repurchase_per_hour * math.exp(p.repurchase_sensitivity * memory
                                                - p.fairness_penalty * padded)
        next_purchase = start - math.log1p(-gap) / rate if rate > 0.0 else np.inf
    return (trust, learned, memory, remembered, padded, next_purchase, early_run, cut,
            not leaves, referral, warning, refusal)


@numba.njit(cache=True, inline="always")
def expectation(trust, learned, promise_lead):
    """Business days a customer expects: ``trust`` x ``promise_lead`` + (1 - ``trust``) x
    ``learned`` (the promise itself while nothing is learned).
    """
    known = promise_lead if np.isnan(learned) else learned
    return trust * promise_lead + (1.0 - trust) * known


@dataclass
class Reputation:
    """Net word of mouth per delivered order, exponentially forgotten; it scales new arrivals.

    The defaults are those of an empty ``customers.word_of_mouth:`` section.
    """

    half_life_days: float = _WORD_OF_MOUTH.reputation_half_life_days
    effect: float = _WORD_OF_MOUTH.reputation_effect
    positive_reach: float = _WORD_OF_MOUTH.positive_reach
    negative_reach: float = _WORD_OF_MOUTH.negative_reach
    score: float = 0.0

    @classmethod
    def from_spec(cls, spec: WordOfMouthSpec) -> Reputation:
        """A fresh reputation under a scenario's ``customers.word_of_mouth`` section."""
        return cls(
            half_life_days=spec.reputation_half_life_days,
            effect=spec.reputation_effect,
            positive_reach=spec.positive_reach,
            negative_reach=spec.negative_reach,
        )

    def update(self, referrals: int, warnings: int, deliveries: int) -> None:
        """Fold one day's recommendations and warnings into the score."""
        if deliveries == 0:
            return
        keep = 0.5 ** (1.0 / self.half_life_days)
        said = self.positive_reach * referrals - self.negative_reach * warnings
        self.score = keep * self.score + (1.0 - keep) * said / deliveries

    @property
    def arrival_multiplier(self) -> float:
        """Factor on the arrival rate of new customers."""
        return math.exp(self.effect * self.score)
