"""Customers who remember, held as arrays: learned expectations, trust, repurchase, churn.

One slot per customer ever seen, in arrays that grow by doubling (no Python object per
customer). A customer's expectation for an order blends the promise with the lead time they
have learned, weighted by their trust in promises. After each delivery they learn, gain or
lose trust (a broken promise costs more than a kept one earns; a delivery far earlier than
promised reads as padding), remember how satisfied they were, may leave, may talk, and if they
stay their next purchase is scheduled at a rate that rises with remembered satisfaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from sim.scenario.spec import Customers as CustomersSpec

__all__ = ["Behaviour", "CustomerBase", "Reputation"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How customers learn, trust, buy again, leave and talk (see the scenario schema)."""

    learning_rate: float = 0.3
    initial_trust: float = 0.9
    trust_gain: float = 0.05
    trust_loss: float = 0.25
    padding_days: float = 2.0
    padding_suspicion: float = 0.10
    fairness_penalty: float = 0.0
    memory: float = 0.5
    repurchase_per_year: float = 4.0
    repurchase_sensitivity: float = 0.3
    churn_base: float = 0.05
    churn_sensitivity: float = 0.5
    delighted_threshold: float = 1.0
    disappointed_threshold: float = 0.0
    referral_probability: float = 0.10
    warning_probability: float = 0.15
    pushback_share: float = 0.0
    pushback_early_days: float = 1.0
    pushback_patience: int = 2
    pushback_step_days: int = 1
    pushback_max_cut_days: int = 3
    pushback_refusal_cost: float = 1.0

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

    def as_array(self) -> np.ndarray:
        """The parameters in the order the compiled update reads them."""
        base = min(max(self.churn_base, 1e-12), 1 - 1e-12)
        return np.array([
            self.learning_rate, self.trust_gain, self.trust_loss, self.padding_days,
            self.padding_suspicion, self.fairness_penalty, self.memory,
            self.repurchase_per_year / (365.25 * 24.0), self.repurchase_sensitivity,
            math.log(base / (1 - base)) if 0 < self.churn_base < 1 else (
                -np.inf if self.churn_base == 0 else np.inf),
            self.churn_sensitivity, self.delighted_threshold, self.disappointed_threshold,
            self.referral_probability, self.warning_probability,
            self.pushback_early_days, self.pushback_patience, self.pushback_step_days,
            self.pushback_max_cut_days, self.pushback_refusal_cost,
        ])


@numba.njit(cache=True)
def _after_delivery(ids, promise_lead, actual_lead, earliness, satisfaction, delivered, luck,
                    p, trust, learned, memory, padded, active, next_purchase,
                    business, early_run, cut):
    referrals = 0
    warnings = 0
    refusals = 0
    for j in range(ids.size):
        c = ids[j]
        if np.isnan(learned[c]):
            learned[c] = promise_lead[j]
        learned[c] += p[0] * (actual_lead[j] - learned[c])
        if earliness[j] >= p[3]:
            trust[c] -= p[4] * trust[c]
            padded[c] += 1
        elif earliness[j] >= 0.0:
            trust[c] += p[1] * (1.0 - trust[c])
        else:
            trust[c] -= p[2] * trust[c]
        s = satisfaction[j]
        if business[c]:
            if earliness[j] >= p[15]:
                early_run[c] += 1
                if early_run[c] >= p[16]:
                    early_run[c] = 0
                    if cut[c] + p[17] <= p[18]:
                        cut[c] += int(p[17])
                    else:
                        s -= p[19]
                        refusals += 1
            else:
                early_run[c] = 0
        memory[c] = (1.0 - p[6]) * memory[c] + p[6] * s
        talks = luck[j, 2]
        if s >= p[11]:
            referrals += 1 if talks < p[13] else 0
        elif s < p[12]:
            warnings += 1 if talks < p[14] else 0
        logit = p[9] - p[10] * s
        leaves = luck[j, 0] < 1.0 / (1.0 + math.exp(-logit)) if np.isfinite(logit) else logit > 0
        if leaves:
            active[c] = False
            next_purchase[c] = np.inf
            continue
        rate = p[7] * math.exp(p[8] * memory[c] - p[5] * padded[c])
        if rate > 0.0:
            next_purchase[c] = delivered[j] - math.log1p(-luck[j, 1]) / rate
        else:
            next_purchase[c] = np.inf
    return referrals, warnings, refusals


class CustomerBase:
    """Every customer's state, one slot each; ids are positions in the arrays."""

    def __init__(self, behaviour: Behaviour, *, capacity: int = 1024) -> None:
        self.behaviour = behaviour
        self._parameters = behaviour.as_array()
        self.size = 0
        self.trust = np.empty(capacity)
        self.learned = np.empty(capacity)
        self.memory = np.empty(capacity)
        self.padded = np.empty(capacity, dtype=np.int64)
        self.active = np.empty(capacity, dtype=bool)
        self.next_purchase = np.empty(capacity)
        self.firm = np.empty(capacity, dtype=np.int16)
        self.business = np.empty(capacity, dtype=bool)
        self.early_run = np.empty(capacity, dtype=np.int16)
        self.cut = np.empty(capacity, dtype=np.int16)
        self.refusals = 0

    _ARRAYS = ("trust", "learned", "memory", "padded", "active", "next_purchase", "firm",
               "business", "early_run", "cut")

    def add(self, n: int, *, business: np.ndarray | None = None) -> np.ndarray:
        """Ids of ``n`` new customers, who trust promises as new customers do.

        ``business`` marks those in the negotiating segment (none if omitted).
        """
        needed = self.size + n
        if needed > self.trust.size:
            capacity = max(needed, 2 * self.trust.size)
            for name in self._ARRAYS:
                old = getattr(self, name)
                grown = np.empty(capacity, dtype=old.dtype)
                grown[: self.size] = old[: self.size]
                setattr(self, name, grown)
        ids = np.arange(self.size, needed)
        self.trust[ids] = self.behaviour.initial_trust
        self.learned[ids] = np.nan
        self.memory[ids] = 0.0
        self.padded[ids] = 0
        self.active[ids] = True
        self.next_purchase[ids] = np.inf
        self.firm[ids] = -1
        self.business[ids] = False if business is None else business
        self.early_run[ids] = 0
        self.cut[ids] = 0
        self.size = needed
        return ids

    def join(self, ids: np.ndarray, firm: int) -> None:
        """Customers ``ids`` buy from ``firm``; those coming from another firm start afresh.

        A switcher knows nothing yet of the new firm: trust as a new customer's, no learned
        lead time, no padding remembered, no negotiated cut, neutral remembered satisfaction.
        """
        ids = np.asarray(ids, dtype=np.int64)
        moved = ids[(self.firm[ids] != firm) & (self.firm[ids] >= 0)]
        self.trust[moved] = self.behaviour.initial_trust
        self.learned[moved] = np.nan
        self.memory[moved] = 0.0
        self.padded[moved] = 0
        self.early_run[moved] = 0
        self.cut[moved] = 0
        self.firm[ids] = firm

    def tighten(
        self, ids: np.ndarray, latest_day: np.ndarray, floor_day: np.ndarray, calendar
    ) -> np.ndarray:
        """Delivery days of quotes ending on ``latest_day`` after each customer's negotiated cut.

        The cut moves the day back by whole delivery days, never before ``floor_day`` and
        never later than the quote itself: pushback only ever shortens a quote.
        """
        cut = self.cut[ids].astype(np.int64)
        shortened = calendar.shift_delivery_day(latest_day, -cut)
        return np.minimum(latest_day, np.maximum(shortened, floor_day))

    def expected_lead(self, ids: np.ndarray, promise_lead: np.ndarray) -> np.ndarray:
        """Business days each customer expects: trust x promise + (1 - trust) x learned."""
        learned = self.learned[ids]
        learned = np.where(np.isnan(learned), promise_lead, learned)
        trust = self.trust[ids]
        return trust * promise_lead + (1.0 - trust) * learned

    def after_delivery(
        self,
        ids: np.ndarray,
        *,
        promise_lead: np.ndarray,
        actual_lead: np.ndarray,
        earliness: np.ndarray,
        satisfaction: np.ndarray,
        delivered: np.ndarray,
        luck: np.ndarray,
    ) -> tuple[int, int]:
        """Update the customers of deliveries (in time order); returns referrals and warnings.

        ``earliness`` is business days before the end of the promise (negative: broken);
        ``delivered`` is when each customer's repurchase clock starts (no earlier than the
        delivery);
        ``luck`` holds three uniforms per delivery: leaving, the gap to the next purchase,
        talking.
        """
        referrals, warnings, refusals = _after_delivery(
            np.ascontiguousarray(ids, dtype=np.int64),
            np.ascontiguousarray(promise_lead, dtype=float),
            np.ascontiguousarray(actual_lead, dtype=float),
            np.ascontiguousarray(earliness, dtype=float),
            np.ascontiguousarray(satisfaction, dtype=float),
            np.ascontiguousarray(delivered, dtype=float),
            np.ascontiguousarray(luck, dtype=float),
            self._parameters,
            self.trust,
            self.learned,
            self.memory,
            self.padded,
            self.active,
            self.next_purchase,
            self.business,
            self.early_run,
            self.cut,
        )
        self.refusals += refusals
        return referrals, warnings

    @property
    def active_count(self) -> int:
        """Customers who have not left."""
        return int(np.count_nonzero(self.active[: self.size]))

    def mean_trust(self) -> float:
        """Mean trust of the customers who have not left."""
        active = self.active[: self.size]
        return float(self.trust[: self.size][active].mean()) if active.any() else float("nan")


@dataclass
class Reputation:
    """Net word of mouth per delivered order, exponentially forgotten; it scales new arrivals."""

    half_life_days: float = 30.0
    effect: float = 1.0
    positive_reach: float = 1.0
    negative_reach: float = 2.0
    score: float = 0.0

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
