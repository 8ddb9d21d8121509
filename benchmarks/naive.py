"""The naive SimPy model: the speed reference the batched engine's targets are measured against.

A scenario's world written the obvious way a competent SimPy user would write it: one process
per order (per customer with customer memory, per prospect in a market), pure Python in the
per-order path (``random``, lists and ``bisect``, ``math``; no numpy arrays, no compiled
code). It reads the scenario's built :class:`World`: calendar, the day's demand rate and hourly
profile, shifts, pick-time and transit distributions, peaks and disruptions, satisfaction and
economics. Per order it does the batched engine's modelled work: the arrival (the day's
Poisson count, then each order's hour from the hourly profile), the promise of a ``tight`` or
``buffer`` rule on the calendar, a picker (a token from a ``simpy.Store``), the pick, the wait
for the next truck, the carrier's transit in business days (slowed by peaks and disruptions),
the hand-over within delivery hours, the judgement (disconfirmation with loss aversion) and
running totals (orders, late, lateness, satisfaction, profit).

With customer memory (``customers:``), each new customer is a process that buys, is judged,
learns (learned lead time, trust, remembered satisfaction), may leave or talk, and if it stays
sleeps an exponential gap (its repurchase rate) before buying again; word of mouth scales the
next day's rate of new customers. With a market (``market:``), each prospect is a process that
compares every firm's quote by a logit (``math.exp``) and buys from one firm or none; each
firm has its own pickers and totals (a market without customer memory).

What it simplifies, knowingly (it is a speed reference, not an oracle: the per-order oracle
that agrees with the batched engine order by order is ``sim/world/per_order.py``):

- its draws are Python's ``random`` (and one numpy Poisson count a day), not the engine's
  streams; only the disruptions are drawn from the engine's stream, so both see the same ones;
- the roster: pickers are tokens in a ``simpy.Store`` taken first come, first served (the
  batched engine gives an order the lowest-numbered idle picker; the same capacity);
- customers: no negotiating segment (pushback), no loyalty bonus in a market; a customer's
  next purchase is timed from the end of its delivery day, as the engine does;
- only the ``tight`` and ``buffer`` promise rules (the headline's ``competitor_overnight``
  and seed 08's rules); no user processes, no handling stage, no histograms or weekly series.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.experiment.streams import replication_streams
from sim.model.promise import Buffer, Tight, strategy_from_spec
from sim.model.satisfaction import Reference
from sim.model.warehouse import Roster
from sim.scenario import Distribution, Scenario
from sim.scenario.distributions import LogNormal
from sim.scenario.strategies import StrategySpec
from sim.world import World, build_world

__all__ = ["NaiveTotals", "simulate_naive"]

Process = Generator[simpy.Event, Any, Any]


@dataclass
class NaiveTotals:
    """Running totals of one firm in one naive replication: the orders it quoted (in a market,
    every prospect), then those of the measured orders and prospects (placed after warm-up)."""

    orders: int = 0
    measured: int = 0
    late: int = 0
    lateness_sum: float = 0.0
    satisfaction_sum: float = 0.0
    profit_sum: float = 0.0
    new_customers: int = 0
    prospects: int = 0
    won: int = 0
    bought: int = 0
    @property
    def late_share(self) -> float:
        """Share of measured orders delivered after the end of their promise."""
        return self.late / self.measured if self.measured else math.nan

    @property
    def conversion(self) -> float:
        """Share of the measured prospects who bought from the firm."""
        return self.won / self.prospects if self.prospects else math.nan

    @property
    def satisfaction_mean(self) -> float:
        """Mean satisfaction of the measured orders."""
        return self.satisfaction_sum / self.measured if self.measured else math.nan


class Clock:
    """The world's calendar as Python lists: trucks, the carrier's business clock, promise days."""

    def __init__(self, world: World) -> None:
        clock = world.calendar.carrier_clock
        self.trucks = world.calendar.truck_times.tolist()
        self.before = clock.delivered_before.tolist()
        self.delivery = clock.delivery.tolist()
        self.delivery_days = clock.delivery_days.tolist()
        self.opens, self.closes = clock.opens, clock.closes

    def next_truck(self, t: float) -> float:
        """The first truck at or after ``t``."""
        return self.trucks[bisect_left(self.trucks, t)]

    def business(self, t: float) -> float:
        """Business days elapsed on the carrier's clock at ``t`` (inf off the calendar)."""
        day = int(t // 24.0)
        if not 0 <= day < len(self.delivery):
            return math.inf
        return self.before[day] + (t / 24.0 - day if self.delivery[day] else 0.0)

    def handover(self, b: float) -> float:
        """When a parcel reaching the door as the clock reads ``b`` is handed over."""
        if not 0.0 <= b < len(self.delivery_days):
            return math.inf
        whole = int(b)
        day = self.delivery_days[whole]
        hour = (b - whole) * 24.0
        if hour > self.closes and hour >= self.opens:
            following = self.before[day + 1]
            if following >= len(self.delivery_days):
                return math.inf
            return self.delivery_days[following] * 24.0 + self.opens
        return day * 24.0 + max(hour, self.opens)

    def day_end(self, t: float, n: int) -> float:
        """Close of delivery hours on the ``n``-th delivery day after ``t``'s day."""
        day = int(t // 24.0)
        index = self.before[day + 1] + n - 1 if n > 0 else self.before[day]
        return self.delivery_days[index] * 24.0 + self.closes


def sampler(dist: Distribution, rng: random.Random) -> Callable[[], float]:
    """One draw of ``dist`` a call: ``random.lognormvariate`` for a log-normal, else its
    quantile at a uniform (a numpy scalar call)."""
    if isinstance(dist, LogNormal):
        mu, sigma = math.log(dist.median), dist.sigma
        return lambda: rng.lognormvariate(mu, sigma)
    return lambda: float(dist.ppf(np.array([rng.random()]))[0])


class Firm:
    """One firm: its promise rule, its pickers (tokens in a store, a roster keeper), totals."""

    def __init__(self, env: simpy.Environment, world: World, clock: Clock, spec: StrategySpec,
                 shifts: tuple[tuple[float, float, int], ...], price: float, outages) -> None:
        rule = strategy_from_spec(spec, world.carrier)
        if not isinstance(rule, Tight | Buffer):
            raise ValueError(f"the naive model quotes tight and buffer rules, not {spec.name!r}")
        self.rule, self.clock, self.price, self.env = rule, clock, price, env
        self.service = rule.service
        self.totals, self.score = NaiveTotals(), 0.0
        roster = Roster.from_shifts(world.calendar, shifts).under(outages)
        self.pickers, self.level = simpy.Store(env), 0
        self.off_duty = set(range(max(roster.max_pickers, 1)))
        env.process(self.keeper(roster.starts.tolist(), roster.pickers.tolist()))

    def keeper(self, starts: list[float], levels: list[int]) -> Process:
        """At each roster step, send idle pickers beyond the level off duty and call the
        off-duty ones below it on (picker ``k`` works while more than ``k`` are rostered)."""
        idle = self.pickers.items
        for t, level in zip(starts, levels):
            yield self.env.timeout(t - self.env.now)
            self.level = level
            self.off_duty.update(k for k in idle if k >= level)
            idle[:] = [k for k in idle if k < level]
            for k in sorted(k for k in self.off_duty if k < level):
                self.off_duty.remove(k)
                self.pickers.put(k)

    def release(self, k: int) -> None:
        """Picker ``k`` has finished an order: back to the floor, or off duty after its shift."""
        if k < self.level:
            self.pickers.put(k)
        else:
            self.off_duty.add(k)

    def quote(self, t: float) -> tuple[float, float]:
        """The promised window (earliest, latest) of an order placed at ``t``."""
        self.totals.orders += 1
        if isinstance(self.rule, Tight):
            due = self.clock.day_end(self.clock.next_truck(t), self.rule.nominal_days)
            return due, due
        return (self.clock.day_end(t, self.rule.min_days),
                self.clock.day_end(t, self.rule.max_days))


class Customer:
    """A remembered customer: trust, learned lead time, remembered satisfaction."""

    __slots__ = ("learned", "memory", "padded", "remembered", "trust")

    def __init__(self, trust: float) -> None:
        self.trust, self.learned, self.memory = trust, math.nan, 0.0
        self.remembered = self.padded = 0


class NaiveWorld:
    """One replication of a world, one SimPy process per order (or customer, or prospect)."""

    def __init__(self, scenario: Scenario, world: World, strategy: str, replication: int) -> None:
        seed = scenario.experiment.seed
        self.env = env = simpy.Environment()
        self.world, self.clock = world, Clock(world)
        self.rng = random.Random(seed * 1_000_003 + replication)
        self.counts = np.random.default_rng([seed, replication])
        schedule = world.draw_disruptions(replication_streams(seed, replication)("disruptions"))
        steps = schedule.transit_steps()
        self.edges, self.factors, self.delays = (a.tolist() for a in steps)
        self.peak = world.carrier.peaks.transit.tolist()
        self.pick = sampler(world.pick_minutes, self.rng)
        self.transit = [sampler(s.transit_days, self.rng) for s in world.carrier.services]
        self.costs = world.carrier.costs.tolist()
        self.rule, self.money = world.satisfaction.rule, world.economics
        self.measured_from = world.warmup_days * 24.0
        self.horizon = world.days * 24.0
        self.hourly = world.demand.hourly_cdf.tolist()
        specs = {s.name: s for s in scenario.strategies}
        outages = schedule.outages
        self.firms = [Firm(env, world, self.clock, specs[strategy], world.shifts,
                           self.money.price, outages)]
        if world.market is not None:
            self.firms += [Firm(env, world, self.clock, r.strategy, r.shifts, r.price, outages)
                           for r in world.market.rivals]
        self.behaviour = None if world.behaviour is None else world.behaviour.parameters
        self.initial_trust = 0.0 if world.behaviour is None else world.behaviour.initial_trust
        self.reputation = world.reputation()
        self.talk = [0, 0, 0]  # the day's referrals, warnings, judged deliveries

    def run(self) -> NaiveTotals:
        """Run the replication; the firm's totals."""
        self.env.process(self.days())
        self.env.run()
        return self.firms[0].totals

    def days(self) -> Process:
        """Each day: word of mouth of the day before, the day's count, the arrivals in order."""
        env, rates = self.env, self.world.demand.daily_rate.tolist()
        for day in range(self.world.days):
            yield env.timeout(day * 24.0 - env.now)
            referrals, warnings, judged = self.talk
            self.reputation.update(referrals, warnings, judged)
            self.talk = [0, 0, 0]
            n = int(self.counts.poisson(rates[day] * self.reputation.arrival_multiplier))
            for t in sorted(day * 24.0 + self.hour() for _ in range(n)):
                yield env.timeout(t - env.now)
                if self.world.market is not None:
                    env.process(self.prospect())
                elif self.behaviour is not None:
                    self.firms[0].totals.new_customers += t >= self.measured_from
                    env.process(self.customer())
                else:
                    env.process(self.order(self.firms[0], None))

    def hour(self) -> float:
        """An hour of the day from the hourly profile."""
        u = self.rng.random()
        h = bisect_right(self.hourly, u) - 1
        return h + (u - self.hourly[h]) / (self.hourly[h + 1] - self.hourly[h])

    def customer(self) -> Process:
        """A customer's life: buy, be judged, and buy again after a gap unless they leave."""
        who = Customer(self.initial_trust)
        while True:
            next_purchase = yield from self.order(self.firms[0], who)
            if next_purchase is None or next_purchase >= self.horizon:
                return
            yield self.env.timeout(next_purchase - self.env.now)

    def prospect(self) -> Process:
        """A prospect compares the firms' quotes by a logit and buys from one or none."""
        choice, now, clock = self.world.market.choice, self.env.now, self.clock
        ordered = clock.business(now)
        weights = [math.exp(choice.outside)]
        windows = [firm.quote(now) for firm in self.firms]
        for firm, (earliest, latest) in zip(self.firms, windows):
            days = clock.business(self.point(earliest, latest)) - ordered
            weights.append(math.exp(choice.promise * max(days - choice.free_days, 0.0)
                                    + choice.price * firm.price + choice.reputation * firm.score))
        u, total, pick = self.rng.random() * sum(weights), 0.0, len(weights) - 1
        for k, w in enumerate(weights):
            total += w
            if u < total:
                pick = k
                break
        if now >= self.measured_from:
            me = self.firms[0].totals
            me.prospects += 1
            me.won += pick == 1
            me.bought += pick > 0
        if pick:
            yield from self.order(self.firms[pick - 1], None, windows[pick - 1])

    def point(self, earliest: float, latest: float) -> float:
        """The point of a promised window that sets the expectation."""
        if self.rule.reference == Reference.START:
            return earliest
        return 0.5 * (earliest + latest) if self.rule.reference == Reference.MID else latest

    def order(self, firm: Firm, who: Customer | None,
              window: tuple[float, float] | None = None) -> Process:
        """One order from now to its judgement (its promised ``window`` if already quoted);
        the customer's next purchase (None: none)."""
        env, clock = self.env, self.clock
        arrival = env.now
        earliest, latest = firm.quote(arrival) if window is None else window
        picker = yield firm.pickers.get()
        yield env.timeout(self.pick() / 60.0)
        firm.release(picker)
        dispatch = clock.next_truck(env.now)
        yield env.timeout(dispatch - env.now)
        step = bisect_right(self.edges, dispatch) - 1
        factor, added = (self.factors[step], self.delays[step]) if step >= 0 else (1.0, 0.0)
        days = self.transit[firm.service]() * factor * self.peak[
            min(int(dispatch // 24.0), len(self.peak) - 1)] + added
        delivered = clock.handover(clock.business(dispatch) + days)
        if delivered == math.inf:
            return None
        yield env.timeout(max(delivered - env.now, 0.0))
        return self.judge(firm, who, arrival, latest, self.point(earliest, latest), delivered)

    def judge(self, firm: Firm, who: Customer | None, arrival: float, latest: float,
              point: float, delivered: float) -> float | None:
        """Value a delivery, book it, let its customer learn; their next purchase time."""
        clock = self.clock
        ordered_b, delivered_b = clock.business(arrival), clock.business(delivered)
        reference_b, promised_b = clock.business(point), clock.business(latest)
        expected_b = reference_b
        if who is not None:
            learned = reference_b - ordered_b if who.learned != who.learned else who.learned
            expected_b = ordered_b + who.trust * (reference_b - ordered_b) + (
                1.0 - who.trust) * learned
        d, rule, money = expected_b - delivered_b, self.rule, self.money
        if d >= 0.0:
            s = min(d**rule.gain_curvature, rule.delight_cap)
        else:
            late = -d - rule.late_tolerance_days
            s = -rule.loss_aversion * late**rule.loss_curvature if late > 0.0 else 0.0
        lateness = delivered_b - promised_b
        if arrival >= self.measured_from:
            totals = firm.totals
            totals.measured += 1
            totals.late += lateness > 0.0
            totals.lateness_sum += max(lateness, 0.0)
            totals.satisfaction_sum += s
            totals.profit_sum += (
                firm.price * money.gross_margin - self.costs[firm.service]
                - (money.late_credit + money.late_cost_per_day * lateness) * (lateness > 0.0)
                - money.promise_cost_per_day * (promised_b - ordered_b))
        if who is None:
            return None
        self.talk[2] += 1
        return self.learn(who, reference_b - ordered_b, delivered_b - ordered_b, -lateness, s,
                          (delivered // 24.0 + 1.0) * 24.0)

    def learn(self, who: Customer, promise_lead: float, actual_lead: float, earliness: float,
              s: float, judged_at: float) -> float | None:
        """The customer's update after a delivery (``sim.model.customers.learn`` without the
        pushback segment); their next purchase, None if they leave."""
        p, rng = self.behaviour, self.rng
        if who.learned != who.learned:
            who.learned = promise_lead
        who.learned += p.learning_rate * (actual_lead - who.learned)
        if earliness >= p.padding_days:
            who.trust -= p.padding_suspicion * who.trust
            who.trust -= p.learning_rate * who.trust
            who.padded += 1
        elif earliness >= 0.0:
            who.trust += p.trust_gain * (1.0 - who.trust)
        else:
            who.trust -= p.trust_loss * who.trust
        weight = (max(p.memory, 1.0 / (who.remembered + 1.0)) if p.first_experience
                  else p.memory)
        who.memory = (1.0 - weight) * who.memory + weight * s
        who.remembered += 1
        talk = rng.random()
        if s >= p.delighted_threshold:
            self.talk[0] += talk < p.referral_probability
        elif s < p.disappointed_threshold:
            self.talk[1] += talk < p.warning_probability
        logit = p.churn_log_odds - p.churn_sensitivity * s
        leaves = (rng.random() < 1.0 / (1.0 + math.exp(-logit)) if math.isfinite(logit)
                  else logit > 0)
        rate = p.repurchase_per_hour * math.exp(p.repurchase_sensitivity * who.memory
                                                - p.fairness_penalty * who.padded)
        if leaves or rate <= 0.0:
            return None
        return judged_at + rng.expovariate(rate)


def simulate_naive(
    scenario: Scenario, strategy: str, *, replication: int = 0, world: World | None = None
) -> NaiveTotals:
    """One replication of ``scenario`` under its strategy ``strategy``, the naive way: the
    firm's totals."""
    world = build_world(scenario) if world is None else world
    return NaiveWorld(scenario, world, strategy, replication).run()
