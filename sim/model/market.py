"""Choice at the point of sale: a multinomial logit over the firms' offers and not buying.

A prospective customer sees each firm's promised business days, price and reputation and
picks firm ``j`` with probability ``exp(U_j) / (exp(U_0) + sum_k exp(U_k))``, where
``U_j = promise x days_j + price x price_j + reputation x reputation_j`` and ``U_0`` is the
utility of buying nowhere. In a logit the relative change of a firm's demand per business day
of promise is ``promise x (1 - share)``; :func:`promise_coefficient` turns a measured response
(Cui et al. 2024: one day faster, +0.73% sales) into the coefficient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.scenario.market import Choice as ChoiceSpec
from sim.scenario.portable import exp

#: The defaults of an empty ``market.choice:`` section, the model's defaults too.
_SPEC = ChoiceSpec()

__all__ = ["LogitChoice", "promise_coefficient"]

#: Cui, Lu, Sun & Golden (2024), field experiment: promising one day faster raised sales 0.73%.
CUI_2024_SALES_PER_DAY_FASTER = 0.0073


def promise_coefficient(response_per_day: float, share: float) -> float:
    """Logit coefficient on promised days giving ``response_per_day`` relative demand change.

    ``response_per_day`` is the relative rise in a firm's demand when it promises one day
    faster (0.0073 in Cui et al. 2024), at market share ``share``; the result is negative.
    """
    if not 0 <= share < 1:
        raise ValueError(f"'share' must be in [0, 1), got {share}")
    return -math.log1p(response_per_day) / (1.0 - share)


@dataclass(frozen=True, slots=True)
class LogitChoice:
    """Coefficients of the choice between firms; the outside option has utility ``outside``.

    The defaults are those of an empty ``market.choice:`` section (``promise``: Cui et al.
    2024's response, one day faster +0.73% sales, at a small share).
    """

    promise: float = _SPEC.promise_per_day
    price: float = _SPEC.price_per_unit
    reputation: float = _SPEC.reputation
    outside: float = _SPEC.outside
    free_days: float = _SPEC.promise_free_days
    loyalty: float = _SPEC.loyalty
    loyalty_per_satisfaction: float = _SPEC.loyalty_per_satisfaction

    @classmethod
    def from_spec(cls, spec: ChoiceSpec) -> LogitChoice:
        """The choice a scenario's ``market.choice`` describes."""
        return cls(
            promise=spec.promise_per_day,
            price=spec.price_per_unit,
            reputation=spec.reputation,
            outside=spec.outside,
            free_days=spec.promise_free_days,
            loyalty=spec.loyalty,
            loyalty_per_satisfaction=spec.loyalty_per_satisfaction,
        )

    def loyalty_bonus(self, current: np.ndarray, remembered: np.ndarray, firms: int) -> np.ndarray:
        """Utility, shape ``(orders, firms)``, each customer adds to the firm they buy from now.

        ``current`` is that firm's index (-1: none yet), ``remembered`` their remembered
        satisfaction: the delighted stay, the let-down switch.
        """
        bonus = np.zeros((current.size, firms))
        has = current >= 0
        rows = np.flatnonzero(has)
        bonus[rows, current[has]] = self.loyalty + self.loyalty_per_satisfaction * remembered[has]
        return bonus

    def probabilities(
        self,
        promised_days: np.ndarray,
        *,
        price: np.ndarray | None = None,
        reputation: np.ndarray | None = None,
        bonus: np.ndarray | None = None,
    ) -> np.ndarray:
        """Choice probabilities, shape ``(orders, firms + 1)``; column 0 is buying nowhere.

        ``promised_days`` has shape ``(orders, firms)`` (or ``(firms,)`` for one customer);
        ``price``, ``reputation`` and ``bonus`` (extra utility) broadcast against it. Days up
        to ``free_days`` cost nothing.
        """
        days = np.atleast_2d(np.asarray(promised_days, dtype=float))
        utility = self.promise * np.maximum(days - self.free_days, 0.0)
        if price is not None:
            utility = utility + self.price * np.asarray(price, dtype=float)
        if reputation is not None:
            utility = utility + self.reputation * np.asarray(reputation, dtype=float)
        if bonus is not None:
            utility = utility + bonus
        outside = np.full((utility.shape[0], 1), self.outside)
        utility = np.concatenate([outside, utility], axis=1)
        utility -= utility.max(axis=1, keepdims=True)
        weight = exp(utility)
        return weight / weight.sum(axis=1, keepdims=True)

    def choose(self, probabilities: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The option each customer takes at uniform draw ``u`` (0: none, j: firm j)."""
        cumulative = np.cumsum(probabilities, axis=1)
        choice = (np.asarray(u)[:, None] >= cumulative).sum(axis=1)
        return np.minimum(choice, probabilities.shape[1] - 1)
