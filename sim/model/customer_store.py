"""Every customer's state, held as arrays: one slot per customer ever seen, no Python object each.

Trust and whether a customer is still active each have an array of their own (read for all
customers every week); the rest of a customer's state is one 64-byte record, a cache line
(:mod:`sim.model._memory`), so that the compiled passes that visit customers in random order
read one line each. The arrays grow by doubling. What the state means and how it changes is
:mod:`sim.model.customers`.
"""

from __future__ import annotations

import functools
from typing import NamedTuple, cast

import numba
import numpy as np

from sim.model._memory import AHEAD, LINE, cache_lines, prefetch
from sim.model.calendar import BusinessCalendar
from sim.model.customers import Behaviour, LearningParameters, expectation, learn

__all__ = ["RECORD", "CustomerArrays", "CustomerBase", "prefetch_customer"]

#: A customer's state but for trust and activity, padded to a cache line.
RECORD = np.dtype({
    "names": ["learned", "memory", "next_purchase", "remembered", "padded", "firm", "early_run",
              "cut", "business"],
    "formats": [np.float64, np.float64, np.float64, np.int64, np.int64, np.int16, np.int16,
                np.int16, np.bool_],
    "offsets": [0, 8, 16, 24, 32, 40, 42, 44, 46],
    "itemsize": LINE,
})


class CustomerArrays(NamedTuple):
    """The customer base's arrays, as the compiled passes read and write them (one slot a
    customer; all but ``trust`` and ``active`` views of the records).
    """

    trust: np.ndarray
    learned: np.ndarray
    memory: np.ndarray
    remembered: np.ndarray
    padded: np.ndarray
    active: np.ndarray
    next_purchase: np.ndarray
    business: np.ndarray
    early_run: np.ndarray
    cut: np.ndarray
    firm: np.ndarray


@numba.njit(cache=True, inline="always")
def prefetch_customer(c, trust, learned, active):
    """Ask the memory for what :func:`~sim.model.customers.learn` reads of customer ``c``."""
    prefetch(learned, c)
    prefetch(trust, c)
    prefetch(active, c)


@numba.njit(cache=True)
def _after_delivery(ids, promise_lead, actual_lead, earliness, satisfaction, delivered, luck,
                    p, customers):
    trust, learned, active = customers.trust, customers.learned, customers.active
    memory, remembered, padded = customers.memory, customers.remembered, customers.padded
    next_purchase, business = customers.next_purchase, customers.business
    early_run, cut = customers.early_run, customers.cut
    referrals = warnings = refusals = 0
    for i in range(ids.size):
        if i + AHEAD < ids.size:
            prefetch_customer(ids[i + AHEAD], trust, learned, active)
        c = ids[i]
        # as in sim.world.judging._judge: written out, not folded into an inlined function,
        # which would cost each array a reference count a delivery (the loop runs 1.8x slower)
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
def _join(ids, firm, initial_trust, customers):
    firms, trust, learned = customers.firm, customers.trust, customers.learned
    memory, remembered, padded = customers.memory, customers.remembered, customers.padded
    early_run, cut = customers.early_run, customers.cut
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


class CustomerBase:
    """Every customer's state, one slot each; ids are positions in the arrays.

    ``trust``, ``learned``, ``memory``, ``remembered``, ``padded``, ``active``,
    ``next_purchase``, ``firm``, ``business``, ``early_run`` and ``cut`` are arrays (all but
    ``trust`` and ``active`` views of the records), replaced when they grow.
    """

    # The record views, bound by name from ``RECORD`` in ``_bind``.
    learned: np.ndarray
    memory: np.ndarray
    next_purchase: np.ndarray
    remembered: np.ndarray
    padded: np.ndarray
    firm: np.ndarray
    early_run: np.ndarray
    cut: np.ndarray
    business: np.ndarray

    def __init__(self, behaviour: Behaviour, *, capacity: int = 1024) -> None:
        """Customers of ``behaviour``; room for ``capacity`` before the arrays grow (room not
        yet used costs address space, not memory).
        """
        self.behaviour = behaviour
        self.parameters: LearningParameters = behaviour.parameters
        self.size = 0
        self.refusals = 0
        self.trust = np.empty(capacity)
        self.active = np.empty(capacity, dtype=bool)
        self._bind(cache_lines(capacity))
        self._buffer = np.empty(0)

    def _bind(self, lines: np.ndarray) -> None:
        self._lines = lines  # the records as bytes: copied whole, not field by field
        records = lines.view(RECORD)[:, 0]
        for name in cast("tuple[str, ...]", RECORD.names):  # a record dtype has names
            setattr(self, name, records[name])

    @property
    def capacity(self) -> int:
        """Customers the block holds before it grows."""
        return int(self._lines.shape[0])

    @property
    def arrays(self) -> CustomerArrays:
        """The arrays a compiled pass reads and writes (valid until the base grows)."""
        return CustomerArrays(self.trust, self.learned, self.memory, self.remembered,
                              self.padded, self.active, self.next_purchase, self.business,
                              self.early_run, self.cut, self.firm)

    @property
    def words(self) -> np.ndarray:
        """The records as eight 64-bit words each, for passes that write whole records."""
        return self._lines.view(np.uint64)

    def reserve(self, needed: int) -> None:
        """Room for ``needed`` customers in all (the arrays grow, at least doubling)."""
        if needed > self.capacity:
            capacity = max(needed, 2 * self.capacity)
            grown = cache_lines(capacity)
            grown[: self.size] = self._lines[: self.size]
            self._bind(grown)
            for name in ("trust", "active"):
                old = getattr(self, name)
                setattr(self, name, np.empty(capacity, dtype=old.dtype))
                getattr(self, name)[: self.size] = old[: self.size]

    def add(self, n: int, *, business: np.ndarray | None = None, firm: int = -1) -> np.ndarray:
        """Ids of ``n`` new customers, who trust promises as new customers do.

        ``business`` marks those in the negotiating segment (none if omitted); ``firm`` is the
        firm they buy from (-1: none yet; see :meth:`join`).
        """
        needed = self.size + n
        self.reserve(needed)
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
              float(self.behaviour.initial_trust), self.arrays)

    def beliefs(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each customer's trust in promises and learned lead time (NaN: nothing learned)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        trust, learned = np.empty(ids.size), np.empty(ids.size)
        _beliefs(ids, self.trust, self.learned, trust, learned)
        return trust, learned

    def tighten(
        self,
        ids: np.ndarray,
        latest_day: np.ndarray,
        floor_day: np.ndarray,
        calendar: BusinessCalendar,
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
            self.parameters,
            self.arrays,
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
