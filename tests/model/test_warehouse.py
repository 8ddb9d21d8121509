"""Roster and PickingQueue: shifts, outages, FIFO service, and M/M/c theory (Erlang C, Little)."""

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from sim.model.calendar import BusinessCalendar
from sim.model.warehouse import PickingQueue, Roster
from sim.scenario.base import WEEKDAYS

MONDAY = dt.date(2025, 1, 6)
WEEKDAY_CALENDAR = BusinessCalendar.build(MONDAY, 28)
TWO_SHIFTS = [(6.0, 14.0, 16), (14.0, 22.0, 12)]


def in_service_at(times: np.ndarray, start: np.ndarray, finish: np.ndarray) -> np.ndarray:
    """Orders being picked at each of ``times`` (start <= t < finish)."""
    started = np.searchsorted(np.sort(start), times, side="right")
    finished = np.searchsorted(np.sort(finish), times, side="right")
    return started - finished


def random_orders(rng: np.random.Generator, n: int, horizon: float, mean_pick: float):
    arrivals = np.sort(rng.uniform(0.0, horizon, n))
    return arrivals, rng.exponential(mean_pick, n)


# --- Roster -----------------------------------------------------------------------------------


def test_roster_adjacent_shifts_hand_over_without_a_gap():
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS)

    t = np.array([5.99, 6.0, 13.99, 14.0, 21.99, 22.0, 24 + 6.0])
    assert list(roster.on_duty(t)) == [0, 16, 16, 12, 12, 0, 16]
    # the hand-over at 14:00 is one step from 16 to 12, never a moment at 0
    monday = (roster.starts >= 0) & (roster.starts < 24)
    assert list(roster.starts[monday]) == [0.0, 6.0, 14.0, 22.0]
    assert list(roster.pickers[monday]) == [0, 16, 12, 0]


def test_roster_has_nobody_on_non_working_days():
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS)

    weekend = np.arange(5 * 24, 7 * 24, 0.25)  # Saturday and Sunday
    assert np.all(roster.on_duty(weekend) == 0)
    assert roster.max_pickers == 16


def test_roster_outage_at_half_capacity_rounds_pickers_down():
    roster = Roster.from_shifts(
        WEEKDAY_CALENDAR, [(6.0, 14.0, 7), (14.0, 22.0, 5)], outages=[(10.0, 18.0, 0.5)]
    )

    t = np.array([9.99, 10.0, 13.99, 14.0, 17.99, 18.0, 24 + 10.0])
    # 7 -> floor(3.5) = 3; 5 -> floor(2.5) = 2; back to 5 at 18:00; Tuesday untouched
    assert list(roster.on_duty(t)) == [7, 3, 3, 2, 2, 5, 7]


def test_roster_outage_at_zero_capacity_stops_all_picking():
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS, outages=[(24 + 8.0, 24 + 20.0, 0.0)])

    assert list(roster.on_duty(np.array([24 + 7.9, 24 + 8.0, 24 + 19.9, 24 + 20.0]))) == [
        16,
        0,
        0,
        12,
    ]


def test_roster_under_outages_is_the_roster_built_with_them():
    outages = [(30.0, 80.5, 0.5), (70.0, 100.0, 0.25), (200.0, 212.0, 0.0)]
    planned = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS)
    built = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS, outages=outages)
    under = planned.under(outages)
    np.testing.assert_array_equal(under.starts, built.starts)
    np.testing.assert_array_equal(under.pickers, built.pickers)
    assert planned.under([]) is planned


def test_roster_picker_hours_counts_rostered_hours():
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS)

    one_day = 8 * 16 + 8 * 12
    assert roster.picker_hours(np.array([24.0]))[0] == pytest.approx(one_day)
    assert roster.picker_hours(np.array([7 * 24.0]))[0] == pytest.approx(5 * one_day)


def test_roster_time_of_picker_hours_inverts_picker_hours():
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS, outages=[(30.0, 40.0, 0.5)])
    rng = np.random.default_rng(11)
    t = rng.uniform(0.0, 21 * 24.0, 5000)

    back = roster.time_of_picker_hours(roster.picker_hours(t))

    on = roster.on_duty(t) > 0
    assert on.sum() > 1000
    np.testing.assert_allclose(back[on], t[on], rtol=0, atol=1e-8)
    # off duty no hours accrue, so the inverse is only defined up to the idle span
    np.testing.assert_allclose(roster.picker_hours(back), roster.picker_hours(t), atol=1e-8)


def test_roster_picker_hours_inverts_time_of_picker_hours():
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS)
    total = roster.picker_hours(np.array([20 * 24.0]))[0]
    h = np.linspace(0.0, total, 3001)

    t = roster.time_of_picker_hours(h)

    np.testing.assert_allclose(roster.picker_hours(t), h, rtol=0, atol=1e-8)
    assert np.all(np.diff(t) >= 0)


# --- PickingQueue: sample-path properties -----------------------------------------------------


def served_two_shift_week(seed: int = 3):
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS, outages=[(30.0, 36.0, 0.25)])
    rng = np.random.default_rng(seed)
    arrivals, picks = random_orders(rng, 20_000, 14 * 24.0, mean_pick=5.0 / 60.0)
    start, finish = PickingQueue(roster).serve(arrivals, picks)
    return roster, arrivals, picks, start, finish


def test_pickingqueue_fifo_starts_are_non_decreasing():
    _, _, _, start, _ = served_two_shift_week()

    assert np.all(np.diff(start) >= 0)


def test_pickingqueue_finish_is_start_plus_pick_time():
    _, _, picks, start, finish = served_two_shift_week()

    np.testing.assert_allclose(finish - start, picks, rtol=1e-12, atol=1e-12)


def test_pickingqueue_never_starts_before_arrival_or_off_duty():
    roster, arrivals, _, start, _ = served_two_shift_week()

    assert np.all(start >= arrivals)
    assert np.all(roster.on_duty(start) > 0)
    weekend = (start >= 4 * 24.0 + 22.0) & (start < 7 * 24.0 + 6.0)  # Fri 22:00 to Mon 06:00
    assert not np.any(weekend)


def test_pickingqueue_no_picker_serves_two_orders_at_once():
    roster, _, _, start, finish = served_two_shift_week()
    events = np.concatenate([start, finish])

    busy = in_service_at(events, start, finish)

    assert busy.max() <= roster.max_pickers
    assert busy.max() == roster.max_pickers  # loaded enough that every picker was used


def test_pickingqueue_starts_at_once_when_a_picker_is_free():
    c = 3
    calendar = BusinessCalendar.build(MONDAY, 30, working_weekdays=WEEKDAYS)
    roster = Roster.from_shifts(calendar, [(0.0, 24.0, c)])
    rng = np.random.default_rng(5)
    arrivals, picks = random_orders(rng, 5000, 25 * 24.0, mean_pick=0.35)

    start, finish = PickingQueue(roster).serve(arrivals, picks)

    # busy just before each arrival (orders ahead of it only: FIFO, sorted arrivals)
    busy = np.array([np.sum((start[:i] <= a) & (finish[:i] > a)) for i, a in enumerate(arrivals)])
    assert in_service_at(np.concatenate([start, finish]), start, finish).max() == c
    free = busy < c
    assert free.sum() > 100 and (~free).sum() > 100
    np.testing.assert_array_equal(start[free], arrivals[free])
    assert np.all(start[~free] >= arrivals[~free])


def test_pickingqueue_batches_give_the_same_result_as_one_pass():
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, TWO_SHIFTS)
    rng = np.random.default_rng(8)
    arrivals, picks = random_orders(rng, 12_000, 10 * 24.0, mean_pick=5.0 / 60.0)

    whole = PickingQueue(roster).serve(arrivals, picks)
    queue = PickingQueue(roster)
    cuts = np.searchsorted(arrivals, np.arange(24.0, 10 * 24.0, 24.0))
    parts = [queue.serve(a, p) for a, p in zip(np.split(arrivals, cuts), np.split(picks, cuts))]

    np.testing.assert_array_equal(np.concatenate([s for s, _ in parts]), whole[0])
    np.testing.assert_array_equal(np.concatenate([f for _, f in parts]), whole[1])


def first_free_picker(arrivals, picks, roster):
    """A plain reference: each order in turn takes the picker who can start it first (the
    lower-numbered on a tie), a picker being free once done and on duty."""
    from sim.model.warehouse import next_on_duty

    free = np.zeros(roster.max_pickers)
    start, finish = np.empty_like(arrivals), np.empty_like(arrivals)
    for i, (a, p) in enumerate(zip(arrivals, picks)):
        ready = [next_on_duty(k, max(a, free[k]), roster.starts, roster.pickers)
                 for k in range(free.size)]
        k = int(np.argmin(ready))
        start[i], finish[i] = ready[k], ready[k] + p
        free[k] = finish[i]
    return start, finish


@pytest.mark.parametrize(
    "shifts", [TWO_SHIFTS, [(6.0, 14.0, 130), (14.0, 22.0, 64)], [(8.0, 17.0, 1)]]
)
def test_pickingqueue_equals_a_plain_first_free_picker_rule(shifts):
    """The compiled recursion (idle pickers as bits over several words) against brute force."""
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, shifts, outages=[(30.0, 40.0, 0.5),
                                                                   (100.0, 103.0, 0.0)])
    rng = np.random.default_rng(11)
    load = sum(p for _, _, p in shifts)
    arrivals, picks = random_orders(rng, 150 * load, 6 * 24.0, mean_pick=20.0 / 60.0)
    queue = PickingQueue(roster)
    cuts = np.searchsorted(arrivals, np.arange(24.0, 6 * 24.0, 24.0))
    served = [queue.serve(a, p) for a, p in zip(np.split(arrivals, cuts), np.split(picks, cuts))]
    expected = first_free_picker(arrivals, picks, roster)
    np.testing.assert_array_equal(np.concatenate([s for s, _ in served]), expected[0])
    np.testing.assert_array_equal(np.concatenate([f for _, f in served]), expected[1])


def test_pickingqueue_ties_go_to_the_lower_numbered_picker():
    """Orders on a coarse grid with equal pick times: pickers free at the same moment, and
    idle pickers against busy ones free at the start of a shift, all tie."""
    roster = Roster.from_shifts(WEEKDAY_CALENDAR, [(6.0, 14.0, 70), (14.0, 22.0, 9)],
                                outages=[(30.0, 33.0, 0.5)])
    rng = np.random.default_rng(12)
    arrivals = np.sort(np.round(rng.uniform(0.0, 3 * 24.0, 6000) * 4.0) / 4.0)
    picks = np.full(arrivals.size, 0.25)

    start, finish = PickingQueue(roster).serve(arrivals, picks)

    expected = first_free_picker(arrivals, picks, roster)
    np.testing.assert_array_equal(start, expected[0])
    np.testing.assert_array_equal(finish, expected[1])


def test_pickingqueue_orders_nobody_will_ever_pick_never_start():
    calendar = BusinessCalendar.build(MONDAY, 3)  # the last shift ends on Wednesday at 16:00
    roster = Roster.from_shifts(calendar, [(8.0, 16.0, 2)])
    arrivals = np.array([9.0, 9.5, 10.0, 60.0, 63.5, 64.0, 70.0, 71.0])
    picks = np.array([1.0, 1.0, 50.0, 1.0, 2.0, 0.5, 1.0, 1.0])

    start, finish = PickingQueue(roster).serve(arrivals, picks)

    # picker 0 takes the 50-hour pick, and the order of 15:30 on Wednesday, finished past the
    # last shift: it is never free again, nor is picker 1 after 16:00
    np.testing.assert_array_equal(start[:5], [9.0, 9.5, 10.0, 60.0, 63.5])
    assert finish[2] == 60.0 and finish[4] == 65.5
    assert np.isinf(start[5:]).all() and np.isinf(finish[5:]).all()
    np.testing.assert_array_equal(start, first_free_picker(arrivals, picks, roster)[0])


# --- PickingQueue against M/M/c theory --------------------------------------------------------


def erlang_c(c: int, a: float) -> float:
    """Probability an arrival waits in M/M/c with offered load ``a = lambda / mu`` (< c)."""
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (head + tail)


def t_interval(x: np.ndarray, level: float = 0.999) -> tuple[float, float]:
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return x.mean() - half, x.mean() + half


def mmc_replications(c: int, rho: float, *, replications: int = 25, hours: float = 10_000.0):
    """Per replication: mean wait of orders after the warm-up, time-average queue, arrival rate."""
    mu = 1.0  # picks per hour per picker
    lam = rho * c * mu
    warmup = 0.1 * hours
    calendar = BusinessCalendar.build(MONDAY, int(hours / 24) + 3, working_weekdays=WEEKDAYS)
    roster = Roster.from_shifts(calendar, [(0.0, 24.0, c)])
    assert roster.on_duty(np.array([0.0, hours]))[0] == c
    assert np.all(roster.pickers[roster.starts < hours] == c)  # truly 24/7
    waits, queues, rates = [], [], []
    for r in range(replications):
        rng = np.random.default_rng([20250106, c, r])
        gaps = rng.exponential(1.0 / lam, int(lam * hours * 1.1 + 100))
        arrivals = np.cumsum(gaps)
        assert arrivals[-1] > hours
        arrivals = arrivals[arrivals < hours]
        start, _ = PickingQueue(roster).serve(arrivals, rng.exponential(1.0 / mu, arrivals.size))
        measured = arrivals >= warmup
        waits.append(np.mean(start[measured] - arrivals[measured]))
        # integral over [warmup, hours] of the number waiting (arrived, not yet started)
        area = np.sum(np.clip(start, warmup, hours) - np.clip(arrivals, warmup, hours))
        queues.append(area / (hours - warmup))
        rates.append(measured.sum() / (hours - warmup))
    return lam, mu, np.array(waits), np.array(queues), np.array(rates)


@pytest.mark.parametrize(("c", "rho"), [(1, 0.5), (4, 0.8), (10, 0.9)])
def test_pickingqueue_mean_wait_matches_erlang_c(c, rho):
    lam, mu, waits, _, _ = mmc_replications(c, rho)
    theory = erlang_c(c, lam / mu) / (c * mu - lam)

    low, high = t_interval(waits)

    assert low <= theory <= high, (theory, low, high)
    assert high - low < 0.25 * theory  # the interval is narrow enough to mean something


@pytest.mark.parametrize(("c", "rho"), [(1, 0.5), (10, 0.9)])
def test_pickingqueue_littles_law_holds(c, rho):
    lam, mu, waits, queues, rates = mmc_replications(c, rho)

    # on each sample path L = lambda W (up to edge effects whose mean is 0 when stationary)
    low, high = t_interval(queues - rates * waits)
    assert low <= 0.0 <= high, (low, high)
    # and the time-average queue matches lambda * Wq of Erlang C
    low, high = t_interval(queues)
    theory = lam * erlang_c(c, lam / mu) / (c * mu - lam)
    assert low <= theory <= high, (theory, low, high)
