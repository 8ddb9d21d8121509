"""One firm inside a replication: its warehouse queue, its quotes, its parcels in flight, its books.

The single-firm world and the market both move orders through a :class:`Firm`: serve them in
the firm's FIFO queue, quote them (a negotiated cut shortens the quote of a customer who has
pushed back), ship them on the next truck, and at the end of each day judge the parcels that
arrived (:mod:`sim.world.judging`), let the customers learn, and book the measured ones in the
firm's ledger.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.errors import ExperimentError
from sim.model.calendar import DRAIN_DAYS
from sim.model.customer_store import CustomerBase
from sim.model.disruptions import DisruptionSchedule
from sim.model.promise import Deliveries, PromiseStrategy, Quote, check_quote, uses_backlog
from sim.model.warehouse import PickingQueue, Roster
from sim.world.booking import booking_terms, deliver_and_book
from sim.world.build import DayDraws, World
from sim.world.judging import judge
from sim.world.ledger import Ledger, WeeklySeries
from sim.world.parcels import InFlight, Parcels
from sim.world.records import RecordSink
from sim.world.returning import Returning

__all__ = ["Firm", "arrives_too_late", "falls_behind"]

#: The beliefs of orders without a remembered customer: the promise is the expectation.
_NO_BELIEFS = (np.empty(0), np.empty(0))


def falls_behind(name: str, day: int) -> ExperimentError:
    """The error of a warehouse that cannot pick ``day``'s orders before the calendar ends."""
    return ExperimentError(
        f"the warehouse of {name!r} falls behind for good: orders of day {day} are not picked "
        "before the end of the calendar (too few pickers for the demand)"
    )


def arrives_too_late(name: str, day: int) -> ExperimentError:
    """The error of a parcel shipped on ``day`` that would arrive after the calendar's end."""
    return ExperimentError(
        f"a parcel of {name!r} shipped on day {day} would arrive after the calendar's end "
        f"({DRAIN_DAYS} days past the horizon): transit times (with disruptions and peaks) "
        "that long cannot be simulated"
    )


class Firm:
    """One firm's state in one replication, under one strategy."""

    def __init__(
        self,
        world: World,
        strategy: PromiseStrategy,
        schedule: DisruptionSchedule,
        *,
        name: str,
        index: int = 0,
        price: float,
        shifts: tuple[tuple[float, float, int], ...] | None = None,
        customers: CustomerBase | None = None,
        returning: Returning | None = None,
        records: RecordSink | None = None,
        track_backlog: bool | None = None,
        day_by_day: bool = False,
    ) -> None:
        """``returning`` files the customers who will buy again (with ``customers``);
        ``day_by_day`` judges each day's deliveries at its end even when nothing reads them.
        """
        self.world = world
        self.strategy = strategy
        self.schedule = schedule
        self.name = name
        self.index = index
        self.price = price
        self._shifts = shifts
        self.planned_roster = (world.planned_roster if shifts is None
                               else Roster.from_shifts(world.calendar, shifts))
        self.queue = PickingQueue(self._roster_under(schedule))
        self.customers = customers
        self.returning = returning
        self.records = records
        self.ledger = Ledger(weekly=WeeklySeries(world.calendar.days // 7 + 1))
        self.reputation = world.reputation()
        self.in_flight = InFlight()
        self._terms = booking_terms(world, price)
        self._pending = np.empty(0)
        self._observe = getattr(strategy, "observe", None)
        if track_backlog is None:
            track_backlog = uses_backlog(strategy) or records is not None
        self._track_backlog = track_backlog
        self._judge_at_once = customers is None and self._observe is None and not day_by_day
        #: Days may be taken several at a time: nothing reads the end of a day, and each
        #: order's quote depends on that order alone.
        self.batches_days = self._judge_at_once and bool(getattr(strategy, "elementwise", False))
        self._transit_steps = schedule.transit_steps()
        self._n_services = len(world.carrier.services)
        #: Called with the truck departure of every order shipped (a process's watch).
        self.watch_dispatch: Callable[[np.ndarray], None] | None = None

    def _roster_under(self, schedule: DisruptionSchedule) -> Roster:
        """The pickers on duty when ``schedule``'s outages strike."""
        if self._shifts is None:
            return self.world.roster_under(schedule)
        return Roster.from_shifts(self.world.calendar, self._shifts, outages=schedule.outages)

    def disrupt(self, schedule: DisruptionSchedule) -> None:
        """From now on, ``schedule`` (the old one with events added that start from now on):
        orders taken later are picked and carried under it.
        """
        self.schedule = schedule
        self.queue.roster = self._roster_under(schedule)
        self._transit_steps = schedule.transit_steps()

    def backlog_at(self, t: float) -> int:
        """Orders placed before ``t`` that have not started picking by ``t`` (0 if untracked)."""
        return int(np.count_nonzero(self._pending > t))

    def serve(
        self, arrival: np.ndarray, pick_hours: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pick orders arriving (in order) at ``arrival``: their start, finish and backlog.

        The backlog of an order is the number of orders ahead of it not yet started when it
        arrives, the firm's own view of its queue; NaN when nobody reads it (a strategy that
        says it does not, and no order records).
        """
        start, finish = self.queue.serve(arrival, pick_hours)
        latest_finish = finish.max(initial=0.0)
        limit = (self.world.calendar.days - 30) * 24.0
        if not np.isfinite(latest_finish) or latest_finish > limit:
            late = np.flatnonzero(~(finish <= limit))[0]
            raise falls_behind(self.name, int(arrival[late] // 24.0))
        if not self._track_backlog:
            return start, finish, np.full(arrival.size, np.nan)
        starts = np.concatenate([self._pending, start])
        position = self._pending.size + np.arange(arrival.size)
        started = np.minimum(position, np.searchsorted(starts, arrival, side="right"))
        backlog = (position - started).astype(float)
        self._pending = starts[np.searchsorted(starts, arrival.max(initial=0.0), side="right"):]
        return start, finish, backlog

    def quote(self, arrival: np.ndarray, backlog: np.ndarray, customer: np.ndarray) -> Quote:
        """The firm's quote for orders placed at ``arrival``, each with ``backlog`` ahead.

        A customer of this firm who has negotiated a cut gets a correspondingly shorter quote.
        """
        view = self.world.firm_view(arrival, backlog, self.schedule, roster=self.planned_roster)
        quote = check_quote(self.strategy.quote(view), view, self._n_services, self.name)
        earliest = np.asarray(quote.earliest, dtype=float)
        latest = np.asarray(quote.latest, dtype=float)
        service = np.asarray(quote.service, dtype=np.int64)
        customers = self.customers
        if customers is not None and customers.behaviour.pushback_share > 0:
            mine = np.flatnonzero(customer >= 0)
            ids = customer[mine]
            mine = mine[(customers.cut[ids] > 0) & (customers.firm[ids] == self.index)]
            if mine.size:
                calendar = self.world.calendar
                latest_day = np.floor(latest[mine] / 24.0).astype(np.int64)
                floor_day = calendar.nth_delivery_day(
                    np.floor(arrival[mine] / 24.0).astype(np.int64), 1
                )
                day = customers.tighten(customer[mine], latest_day, floor_day, calendar)
                latest = latest.copy()
                latest[mine] = np.minimum(latest[mine], calendar.end_of_delivery_day(day))
                earliest = np.minimum(earliest, latest)
        return Quote(earliest, latest, service)

    def ship(
        self,
        draws: DayDraws,
        customer: np.ndarray,
        quote: Quote,
        start: np.ndarray,
        finish: np.ndarray,
        backlog: np.ndarray,
        *,
        beliefs: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Send picked orders on the next truck (or, with a handling stage, the truck their
        handling draw holds them for) and file them under their delivery day.

        Orders nobody needs to revisit (customers without memory, a strategy that learns
        nothing) are judged and booked at once, in one compiled pass. ``beliefs`` are the
        customers' as they ordered (:meth:`CustomerBase.beliefs`; read now if omitted).
        """
        world = self.world
        if draws.handling is None:
            dispatch = world.calendar.next_truck(finish)
        else:
            dispatch = self._handed_over(
                finish, world.trucks_waited(draws.arrival, draws.handling))
        if self._judge_at_once:
            delivered = deliver_and_book(world, self.ledger, self._transit_steps,
                                         terms=self._terms, arrival=draws.arrival, quote=quote,
                                         dispatch=dispatch, luck=draws.luck)
        else:
            transit = world.carrier.undisturbed_days(quote.service, draws.luck)
            if beliefs is None:
                beliefs = (_NO_BELIEFS if self.customers is None
                           else self.customers.beliefs(customer))
            delivered = self.in_flight.ship(
                draws.arrival, quote, customer, dispatch, transit, steps=self._transit_steps,
                peak_transit=world.carrier.peaks.transit, clock=world.calendar.carrier_clock,
                reference=int(world.satisfaction.reference), beliefs=beliefs)
        if self.watch_dispatch is not None:
            self.watch_dispatch(dispatch)
        if draws.arrival.size and not np.isfinite(delivered.max()):
            late = int(dispatch[np.flatnonzero(~np.isfinite(delivered))[0]] // 24.0)
            raise arrives_too_late(self.name, late)
        if self.records is not None:
            self.records.add(arrival=draws.arrival, backlog=backlog, start=start, finish=finish,
                             dispatch=dispatch, earliest=quote.earliest, latest=quote.latest,
                             service=quote.service, delivered=delivered, customer=customer)

    def _handed_over(self, finish: np.ndarray, handling: np.ndarray) -> np.ndarray:
        """The trucks of parcels picked at ``finish`` held ``handling`` trucks after the first."""
        try:
            return self.world.calendar.truck_after(finish, handling)
        except IndexError:
            trucks = self.world.calendar.truck_times
            beyond = np.searchsorted(trucks, finish) + handling >= trucks.size
            day = int(finish[beyond][0] // 24.0)
            raise ExperimentError(
                f"a parcel of {self.name!r} picked on day {day} waits for a truck after the "
                f"calendar's end ({DRAIN_DAYS} days past the horizon): handling that long cannot "
                "be simulated"
            ) from None

    def close_day(self, day: int, luck: Callable[[int], np.ndarray]) -> Parcels | None:
        """Judge the parcels delivered on ``day``; file the customers who will buy again.

        ``luck`` is a source of three uniforms per parcel for the customers' update, called
        with the number of parcels. Returns the parcels judged (None when there were none).
        """
        parcels = self.in_flight.take(day)
        if parcels is None:
            return None
        customers = self.customers
        draws = None if customers is None else luck(parcels.arrival.size)
        referrals, warnings = judge(
            self.world, parcels, self.ledger, price=self.price, customers=customers, luck=draws,
            judged_at=(day + 1) * 24.0, returning=self.returning,
        )
        if self._observe is not None:
            clock = self.world.calendar.to_business
            self._observe(Deliveries(day, parcels.arrival, parcels.delivered,
                                     clock(parcels.delivered) - parcels.ordered_b))
        if customers is not None:
            self.reputation.update(referrals, warnings, parcels.arrival.size)
        return parcels

    def snapshot(self, day: int) -> None:
        """At the end of a week, record the customer base and the firm's reputation."""
        if (day + 1) % 7 == 0 and self.customers is not None:
            self.ledger.weekly.snapshot(day // 7, trust_mean=self.customers.mean_trust(),
                                        reputation=self.reputation.score,
                                        active_customers=float(self.customers.active_count))
