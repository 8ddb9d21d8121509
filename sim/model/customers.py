"""Customers who remember, held as arrays: learned expectations, trust, repurchase, churn.

One slot per customer ever seen, in arrays that grow by doubling (no Python object per
customer): trust and whether they are still active each in an array of its own (read for all
customers every week), the rest in one 64-byte record (a cache line) per customer. A
customer's expectation for an order blends the promise with the lead time they have learned,
weighted by their trust in promises. After each delivery they learn, gain or lose trust (a
broken promise costs more than a kept one earns; a delivery far earlier than promised reads as
padding), remember how satisfied they were (from a neutral start, or from their first
experience alone: ``memory_start``), may leave, may talk, and if they stay their next purchase
is scheduled at a rate that rises with remembered satisfaction.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

from sim.scenario.customers import Customers as CustomersSpec

__all__ = ["AHEAD", "Behaviour", "CustomerBase", "Reputation", "cache_lines", "expectation",
           "learn", "prefetch", "prefetch_customer"]


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
    memory_start: str = "neutral"
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
            1.0 if self.memory_start == "first_experience" else 0.0,
        ])


#: Bytes of a cache line: each customer's record is one, aligned on one.
LINE = 64
#: A customer's state but for trust and activity, padded to a cache line.
RECORD = np.dtype({
    "names": ["learned", "memory", "next_purchase", "remembered", "padded", "firm", "early_run",
              "cut", "business"],
    "formats": [np.float64, np.float64, np.float64, np.int64, np.int64, np.int16, np.int16,
                np.int16, np.bool_],
    "offsets": [0, 8, 16, 24, 32, 40, 42, 44, 46],
    "itemsize": LINE,
})
#: How many customers ahead a compiled loop asks the memory for their record: records lie far
#: apart, and asking early lets many arrive at once instead of one after another.
AHEAD = 16


@intrinsic
def prefetch(typingctx, array, index):
    """Ask the memory for the line of ``array[index]`` (its first item if ``array`` has more
    dimensions) ahead of use: a hint, which never faults."""
    signature = types.void(array, index)

    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        first = [context.get_constant(types.intp, 0)] * (array_type.ndim - 1)
        pointer = cgutils.get_item_pointer(context, builder, array_type, view,
                                           [args[1], *first], wraparound=False)
        byte = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte, i32, i32, i32]),
            "llvm.prefetch.p0")
        # a read, to be kept in every cache level, of data
        builder.call(hint, [builder.bitcast(pointer, byte), ir.Constant(i32, 0),
                            ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return signature, codegen


@numba.njit(cache=True, inline="always")
def learn(trust, learned, memory, remembered, padded, next_purchase, business, early_run, cut,
          promise_lead, actual_lead, earliness, s, start, leave, gap, talk, p):
    """One customer's state after one delivery (see :meth:`CustomerBase.after_delivery`):
    ``leave``, ``gap`` and ``talk`` are its three uniforms, ``p`` :meth:`Behaviour.as_array`
    as a tuple.

    Returns the new trust, learned lead, memory, deliveries remembered, padded deliveries,
    next purchase, early run and cut, whether they stay, and whether they recommend, warn and
    had a cut refused (0 or 1 each). A function of numbers, not of the arrays: compiled inside
    a loop, it costs a fraction of an update written into the arrays.
    """
    if np.isnan(learned):
        learned = promise_lead
    learned += p[0] * (actual_lead - learned)
    if earliness >= p[3]:
        trust -= p[4] * trust
        trust -= p[0] * trust
        padded += 1
    elif earliness >= 0.0:
        trust += p[1] * (1.0 - trust)
    else:
        trust -= p[2] * trust
    refusal = 0
    if business:
        if earliness >= p[15]:
            early_run += 1
            if early_run >= p[16]:
                early_run = 0
                if cut + p[17] <= p[18]:
                    cut += int(p[17])
                else:
                    s -= p[19]
                    refusal = 1
        else:
            early_run = 0
    weight = max(p[6], 1.0 / (remembered + 1.0)) if p[20] else p[6]
    memory = (1.0 - weight) * memory + weight * s
    remembered += 1
    referral = warning = 0
    if s >= p[11]:
        referral = 1 if talk < p[13] else 0
    elif s < p[12]:
        warning = 1 if talk < p[14] else 0
    logit = p[9] - p[10] * s
    leaves = leave < 1.0 / (1.0 + math.exp(-logit)) if np.isfinite(logit) else logit > 0
    if leaves:
        next_purchase = np.inf
    else:
        rate = p[7] * math.exp(p[8] * memory - p[5] * padded)
        next_purchase = start - math.log1p(-gap) / rate if rate > 0.0 else np.inf
    return (trust, learned, memory, remembered, padded, next_purchase, early_run, cut,
            not leaves, referral, warning, refusal)


@numba.njit(cache=True, inline="always")
def prefetch_customer(c, trust, learned, active):
    """Ask the memory for what :func:`learn` reads of customer ``c``."""
    prefetch(learned, c)
    prefetch(trust, c)
    prefetch(active, c)


@numba.njit(cache=True)
def _after_delivery(ids, promise_lead, actual_lead, earliness, satisfaction, delivered, luck,
                    p, trust, learned, memory, remembered, padded, active, next_purchase,
                    business, early_run, cut):
    referrals = warnings = refusals = 0
    for i in range(ids.size):
        if i + AHEAD < ids.size:
            prefetch_customer(ids[i + AHEAD], trust, learned, active)
        c = ids[i]
        (trust[c], learned[c], memory[c], remembered[c], padded[c], next_purchase[c],
         early_run[c], cut[c], stays, referral, warning, refusal) = learn(
            trust[c], learned[c], memory[c], remembered[c], padded[c], next_purchase[c],
            business[c], early_run[c], cut[c], promise_lead[i], actual_lead[i], earliness[i],
            satisfaction[i], delivered[i], luck[i, 0], luck[i, 1], luck[i, 2], p)
        if not stays:
            active[c] = False
        referrals += referral
        warnings += warning
        refusals += refusal
    return referrals, warnings, refusals


@numba.njit(cache=True, inline="always")
def expectation(trust, learned, promise_lead):
    """Business days a customer expects: ``trust`` x ``promise_lead`` + (1 - ``trust``) x
    ``learned`` (the promise itself while nothing is learned)."""
    known = promise_lead if np.isnan(learned) else learned
    return trust * promise_lead + (1.0 - trust) * known


@numba.njit(cache=True)
def _expectations(trust, learned, promise_lead, out):
    for j in range(out.size):
        out[j] = expectation(trust[j], learned[j], promise_lead[j])


@numba.njit(cache=True)
def _beliefs(ids, trust, learned, trust_out, learned_out):
    for j in range(ids.size):
        if j + AHEAD < ids.size:
            prefetch(learned, ids[j + AHEAD])
            prefetch(trust, ids[j + AHEAD])
        trust_out[j] = trust[ids[j]]
        learned_out[j] = learned[ids[j]]


@numba.njit(cache=True)
def _join(ids, firm, initial_trust, firms, trust, learned, memory, remembered, padded,
          early_run, cut):
    for j in range(ids.size):
        if j + AHEAD < ids.size:
            prefetch(firms, ids[j + AHEAD])
        c = ids[j]
        if firms[c] != firm and firms[c] >= 0:
            trust[c] = initial_trust
            learned[c] = np.nan
            memory[c] = 0.0
            remembered[c] = 0
            padded[c] = 0
            early_run[c] = 0
            cut[c] = 0
        firms[c] = firm


@numba.njit(cache=True)
def _active_trust(trust, active, out):
    k = 0
    for c in range(active.size):
        out[k] = trust[c]  # written either way, kept if active: no branch to mispredict
        k += 1 if active[c] else 0
    return k


@functools.cache
def _fresh_record(firm: int) -> np.ndarray:
    """A new customer's record, buying from ``firm``, as the eight words of its line."""
    fresh = np.zeros((), dtype=RECORD)
    fresh["learned"] = np.nan
    fresh["next_purchase"] = np.inf
    fresh["firm"] = firm
    return fresh.reshape(1).view(np.uint64)


@numba.njit(cache=True)
def _fresh(words, record, trust, initial_trust, active):
    """Write new customers' records (``words``, eight a record), trust and activity."""
    for c in range(words.shape[0]):
        for k in range(words.shape[1]):
            words[c, k] = record[k]
        trust[c] = initial_trust
        active[c] = True


def cache_lines(capacity: int) -> np.ndarray:
    """An uninitialised block of ``capacity`` cache lines, one a row, aligned on a line."""
    raw = np.empty((capacity + 1) * LINE, dtype=np.uint8)
    skip = -raw.ctypes.data % LINE
    return raw[skip: skip + capacity * LINE].reshape(capacity, LINE)


class CustomerBase:
    """Every customer's state, one slot each; ids are positions in the arrays.

    ``trust``, ``learned``, ``memory``, ``remembered``, ``padded``, ``active``,
    ``next_purchase``, ``firm``, ``business``, ``early_run`` and ``cut`` are arrays (all but
    ``trust`` and ``active`` views of the records), replaced when they grow.
    """

    def __init__(self, behaviour: Behaviour, *, capacity: int = 1024) -> None:
        """Customers of ``behaviour``; room for ``capacity`` before the arrays grow (room not
        yet used costs address space, not memory)."""
        self.behaviour = behaviour
        self._parameters = tuple(behaviour.as_array().tolist())
        self.size = 0
        self.refusals = 0
        self.trust = np.empty(capacity)
        self.active = np.empty(capacity, dtype=bool)
        self._bind(cache_lines(capacity))
        self._buffer = np.empty(0)

    def _bind(self, lines: np.ndarray) -> None:
        self._lines = lines  # the records as bytes: copied whole, not field by field
        records = lines.view(RECORD)[:, 0]
        for name in RECORD.names:
            setattr(self, name, records[name])

    @property
    def capacity(self) -> int:
        """Customers the block holds before it grows."""
        return int(self._lines.shape[0])

    def add(self, n: int, *, business: np.ndarray | None = None, firm: int = -1) -> np.ndarray:
        """Ids of ``n`` new customers, who trust promises as new customers do.

        ``business`` marks those in the negotiating segment (none if omitted); ``firm`` is the
        firm they buy from (-1: none yet; see :meth:`join`).
        """
        needed = self.size + n
        if needed > self.capacity:
            capacity = max(needed, 2 * self.capacity)
            grown = cache_lines(capacity)
            grown[: self.size] = self._lines[: self.size]
            self._bind(grown)
            for name in ("trust", "active"):
                old = getattr(self, name)
                setattr(self, name, np.empty(capacity, dtype=old.dtype))
                getattr(self, name)[: self.size] = old[: self.size]
        _fresh(self._lines[self.size: needed].view(np.uint64), _fresh_record(firm),
               self.trust[self.size: needed], self.behaviour.initial_trust,
               self.active[self.size: needed])
        if business is not None:
            self.business[self.size: needed] = business
        ids = np.arange(self.size, needed)
        self.size = needed
        return ids

    def join(self, ids: np.ndarray, firm: int) -> None:
        """Customers ``ids`` buy from ``firm``; those coming from another firm start afresh.

        A switcher knows nothing yet of the new firm: trust as a new customer's, no learned
        lead time, no padding remembered, no negotiated cut, no satisfaction remembered.
        """
        _join(np.ascontiguousarray(ids, dtype=np.int64), firm,
              float(self.behaviour.initial_trust), self.firm, self.trust, self.learned,
              self.memory, self.remembered, self.padded, self.early_run, self.cut)

    def beliefs(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each customer's trust in promises and learned lead time (NaN: nothing learned)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        trust, learned = np.empty(ids.size), np.empty(ids.size)
        _beliefs(ids, self.trust, self.learned, trust, learned)
        return trust, learned

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
        trust, learned = self.beliefs(ids)
        promise_lead = np.broadcast_to(np.asarray(promise_lead, dtype=float), trust.shape)
        out = np.empty(trust.size)
        _expectations(trust, learned, np.ascontiguousarray(promise_lead), out)
        return out

    @property
    def learning_state(self) -> tuple:
        """The parameters (a tuple) and the arrays a compiled update reads and writes: ``p``,
        ``trust``, ``learned``, ``memory``, ``remembered``, ``padded``, ``active``,
        ``next_purchase``, ``business``, ``early_run``, ``cut``."""
        return (self._parameters, self.trust, self.learned, self.memory, self.remembered,
                self.padded, self.active, self.next_purchase, self.business, self.early_run,
                self.cut)

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
            *self.learning_state,
        )
        self.refusals += refusals
        return referrals, warnings

    @property
    def active_count(self) -> int:
        """Customers who have not left."""
        return int(np.count_nonzero(self.active[: self.size]))

    def mean_trust(self) -> float:
        """Mean trust of the customers who have not left."""
        if self._buffer.size < self.size:
            self._buffer = np.empty(self.capacity)
        k = _active_trust(self.trust[: self.size], self.active[: self.size], self._buffer)
        return float(self._buffer[:k].mean()) if k else float("nan")


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
