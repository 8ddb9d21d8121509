"""BusinessCalendar: trucks, business days, holidays and delivery hours on real dates."""

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.calendar import BusinessCalendar
from sim.scenario.base import WEEKDAYS
from sim.scenario.operations import Calendar, Horizon

MONDAY = dt.date(2025, 1, 6)  # day 0; Friday 2025-01-10 is day 4, the next Monday day 7
WITH_HOLIDAY = BusinessCalendar.build(MONDAY, 60, holidays=[dt.date(2025, 1, 20)])


def hours(day: int, clock: float) -> float:
    return day * 24.0 + clock


def day_of(calendar: BusinessCalendar, date: dt.date) -> int:
    return (date - calendar.start).days


def test_calendar_friday_evening_order_ships_on_monday_truck():
    calendar = BusinessCalendar.build(MONDAY, 21)

    truck = calendar.next_truck(np.array([hours(4, 18.5)]))

    assert calendar.date_of(truck[0] // 24) == dt.date(2025, 1, 13)
    assert truck[0] == hours(7, 17.0)


def test_calendar_next_truck_at_exactly_the_cutoff_takes_that_truck():
    calendar = BusinessCalendar.build(MONDAY, 21)

    at_cutoff = calendar.next_truck(np.array([hours(2, 17.0)]))
    just_after = calendar.next_truck(np.array([hours(2, 17.0) + 1e-9]))

    assert at_cutoff[0] == hours(2, 17.0)
    assert just_after[0] == hours(3, 17.0)


def test_calendar_next_truck_after_the_last_truck_is_an_error():
    calendar = BusinessCalendar.build(MONDAY, 5)  # Mon..Fri: last truck Friday 17:00

    with pytest.raises(IndexError, match="after the last truck"):
        calendar.next_truck(np.array([hours(4, 17.5)]))


def test_calendar_truck_after_zero_trucks_is_the_next_truck():
    t = np.array([hours(0, 3.0), hours(2, 17.0), hours(4, 18.5), hours(12, 9.0)])

    np.testing.assert_array_equal(WITH_HOLIDAY.truck_after(t, 0), WITH_HOLIDAY.next_truck(t))


def test_calendar_truck_after_counts_trucks_past_weekends_and_holidays():
    # Friday 2025-01-17 evening: the first truck is Tuesday 21st (Monday 20th a holiday)
    t = np.full(4, hours(11, 18.0))

    trucks = WITH_HOLIDAY.truck_after(t, np.array([0, 1, 3, 4]))

    assert [WITH_HOLIDAY.date_of(x // 24) for x in trucks] == [
        dt.date(2025, 1, 21), dt.date(2025, 1, 22), dt.date(2025, 1, 24), dt.date(2025, 1, 27)]
    np.testing.assert_array_equal(trucks % 24.0, 17.0)


@pytest.mark.parametrize("pickup", [["Mon", "Tue", "Wed", "Thu", "Fri"], ["Wed"]])
def test_calendar_truck_after_is_the_kth_truck_time_after_the_first(pickup):
    calendar = BusinessCalendar.build(dt.date(2025, 1, 1), 120, pickup_weekdays=pickup,
                                      holidays=[dt.date(2025, 1, 8)])
    trucks = calendar.truck_times
    rng = np.random.default_rng(5)
    t = rng.uniform(0.0, trucks[-6], 5000)
    k = rng.integers(0, 6, t.size)

    got = calendar.truck_after(t, k)

    np.testing.assert_array_equal(got, trucks[np.searchsorted(trucks, t, side="left") + k])


def test_calendar_truck_after_past_the_last_truck_is_an_error():
    calendar = BusinessCalendar.build(MONDAY, 5)  # Mon..Fri: last truck Friday 17:00

    assert calendar.truck_after(np.array([hours(2, 9.0)]), 2)[0] == hours(4, 17.0)
    with pytest.raises(IndexError, match="past the last truck"):
        calendar.truck_after(np.array([hours(2, 9.0)]), 3)
    with pytest.raises(IndexError, match="after the last truck"):
        calendar.truck_after(np.array([hours(4, 17.5)]), 0)


def test_calendar_nth_delivery_day_skips_weekend():
    calendar = BusinessCalendar.build(MONDAY, 21)
    thursday = 3

    days = calendar.nth_delivery_day(np.array([thursday] * 5), np.arange(5))

    # Thu itself, Fri, Mon, Tue, Wed
    assert [calendar.date_of(d) for d in days] == [
        dt.date(2025, 1, 9),
        dt.date(2025, 1, 10),
        dt.date(2025, 1, 13),
        dt.date(2025, 1, 14),
        dt.date(2025, 1, 15),
    ]


def test_calendar_nth_delivery_day_skips_weekend_and_holiday():
    holiday_monday = dt.date(2025, 1, 13)
    calendar = BusinessCalendar.build(MONDAY, 21, holidays=[holiday_monday])

    four_days = calendar.nth_delivery_day(np.array([3]), 4)  # from Thursday 2025-01-09

    # Fri (1), Sat/Sun/holiday Mon skipped, Tue (2), Wed (3), Thu (4)
    assert calendar.date_of(four_days[0]) == dt.date(2025, 1, 16)
    assert not calendar.delivery[day_of(calendar, holiday_monday)]
    assert not calendar.working[day_of(calendar, holiday_monday)]
    assert not calendar.pickup[day_of(calendar, holiday_monday)]


def test_calendar_nth_delivery_day_zero_from_a_weekend_is_the_next_delivery_day():
    calendar = BusinessCalendar.build(MONDAY, 21)

    saturday = 5
    assert calendar.date_of(calendar.nth_delivery_day(np.array([saturday]), 0)[0]) == dt.date(
        2025, 1, 13
    )


@given(
    day=st.integers(min_value=0, max_value=40),
    clock=st.floats(min_value=0.0, max_value=24.0, exclude_max=True),
)
def test_calendar_business_clock_inverse_on_delivery_days(day, clock):
    calendar = WITH_HOLIDAY
    t = np.array([hours(day, clock)])
    if not calendar.delivery[int(t[0] // 24)]:
        return

    back = calendar.from_business(calendar.to_business(t))

    assert back[0] == pytest.approx(t[0], abs=1e-9)


@given(b=st.floats(min_value=0.0, max_value=35.0))
def test_calendar_business_clock_from_then_to_is_identity(b):
    calendar = WITH_HOLIDAY

    t = calendar.from_business(np.array([b]))

    assert calendar.delivery[int(t[0] // 24)]
    assert calendar.to_business(t)[0] == pytest.approx(b, abs=1e-9)


def test_calendar_business_clock_stands_still_on_non_delivery_days():
    calendar = BusinessCalendar.build(MONDAY, 21)

    weekend = calendar.to_business(np.array([hours(5, 0.0), hours(5, 13.0), hours(6, 23.9)]))

    assert np.all(weekend == calendar.to_business(np.array([hours(7, 0.0)])))


def test_calendar_deliver_after_delivery_hours_moves_to_next_opening():
    calendar = BusinessCalendar.build(MONDAY, 21)
    dispatch = np.array([hours(0, 17.0), hours(4, 17.0)])  # Monday and Friday trucks
    # carrier clock at 17:00 plus (1 day + 4 h) -> Tuesday 21:00; plus 4 h -> Friday 21:00
    transit = np.array([1.0 + 4.0 / 24.0, 4.0 / 24.0])

    delivered = calendar.deliver(dispatch, transit)

    assert delivered[0] == hours(2, 8.0)  # Wednesday opening
    assert delivered[1] == hours(7, 8.0)  # Monday opening, not Saturday


def test_calendar_deliver_before_opening_moves_to_opening_same_day():
    calendar = BusinessCalendar.build(MONDAY, 21)
    dispatch = np.array([hours(0, 17.0)])
    transit = np.array([1.0 - 11.0 / 24.0])  # arrives Tuesday 06:00

    delivered = calendar.deliver(dispatch, transit)

    assert delivered[0] == hours(1, 8.0)


def test_calendar_deliver_inside_delivery_hours_is_unchanged():
    calendar = BusinessCalendar.build(MONDAY, 21)
    dispatch = np.array([hours(0, 17.0)])
    transit = np.array([1.0 - 3.0 / 24.0])  # arrives Tuesday 14:00

    delivered = calendar.deliver(dispatch, transit)

    assert delivered[0] == pytest.approx(hours(1, 14.0))


def handed_over_by_division(calendar: BusinessCalendar, b: np.ndarray) -> list[float]:
    """Plain statement of the hand-over at carrier clock ``b``: the calendar time, its day by
    division, moved to the day's opening when before the delivery hours, to the next delivery
    day's opening when after them."""
    opens, closes = calendar.delivery_open, calendar.delivery_close
    handed = []
    for arrival in calendar.from_business(b):
        day = math.floor(arrival / 24.0) if np.isfinite(arrival) else 0
        hour = arrival - day * 24.0
        if not np.isfinite(arrival):
            handed.append(np.inf)
        elif hour < opens:
            handed.append(day * 24.0 + opens)
        elif hour > closes:
            following = calendar.to_business(np.array([(day + 1) * 24.0]))
            handed.append(calendar.from_business(following)[0] + opens)
        else:
            handed.append(arrival)
    return handed


@pytest.mark.parametrize(("opens", "closes"), [(8.0, 20.0), (7.0 + 1.0 / 3.0, 23.5), (0.0, 24.0)])
def test_calendar_deliver_hands_over_exactly_as_the_plain_statement(opens, closes):
    """The compiled hand-over finds the day without a division except near midnight, where
    rounding could carry into the next day: the same numbers to the last bit."""
    calendar = BusinessCalendar.build(MONDAY, 40, holidays=[dt.date(2025, 1, 20)],
                                      delivery_open=opens, delivery_close=closes)
    rng = np.random.default_rng(4)
    whole = rng.integers(0, 30, 40_000).astype(float)
    within = np.concatenate([rng.random(10_000), np.round(rng.random(10_000), 3),
                             (23.0 + rng.random(10_000)) / 24.0,
                             1.0 - 10.0 ** -rng.uniform(3, 16, 10_000)])
    b = np.concatenate([whole + within, [-1.0, 1e6, np.nan]])

    handed = calendar.deliver(np.zeros(b.size), b - calendar.to_business(np.zeros(1))[0])

    np.testing.assert_array_equal(handed, handed_over_by_division(calendar, b))


def test_calendar_nth_delivery_day_of_one_n_equals_that_of_an_array_of_it():
    days = np.random.default_rng(2).integers(0, 40, 2000)

    for n in (0, 1, 3):
        np.testing.assert_array_equal(WITH_HOLIDAY.nth_delivery_day(days, n),
                                      WITH_HOLIDAY.nth_delivery_day(days, np.full(days.size, n)))
    with pytest.raises(IndexError):
        WITH_HOLIDAY.nth_delivery_day(days, 100)


def test_calendar_from_spec_us_closes_july_fourth_and_thanksgiving():
    horizon = Horizon(start=dt.date(2025, 6, 2), days=200)
    calendar = BusinessCalendar.from_spec(horizon, Calendar(country="US"))

    for closed in (dt.date(2025, 7, 4), dt.date(2025, 11, 27)):
        day = day_of(calendar, closed)
        assert closed.weekday() < 5
        assert not calendar.delivery[day], closed
        assert not calendar.working[day], closed
        assert not calendar.pickup[day], closed
    for open_day in (dt.date(2025, 7, 3), dt.date(2025, 11, 26)):
        assert calendar.delivery[day_of(calendar, open_day)], open_day
    # one business day after Thursday July 3rd is Monday July 7th
    next_day = calendar.nth_delivery_day(np.array([day_of(calendar, dt.date(2025, 7, 3))]), 1)
    assert calendar.date_of(next_day[0]) == dt.date(2025, 7, 7)


def test_calendar_from_spec_without_country_has_no_holidays():
    horizon = Horizon(start=dt.date(2025, 6, 2), days=60)
    calendar = BusinessCalendar.from_spec(horizon, Calendar(country=None))

    assert calendar.delivery[day_of(calendar, dt.date(2025, 7, 4))]


@pytest.mark.parametrize("cutoff", [0.0, 5.5, 17.0, 24.0])
@pytest.mark.parametrize("pickup", [["Mon", "Tue", "Wed", "Thu", "Fri"], ["Wed"], list(WEEKDAYS)])
@pytest.mark.parametrize("in_order", [False, True])
def test_next_truck_is_the_first_truck_at_or_after_each_time(cutoff, pickup, in_order):
    calendar = BusinessCalendar.build(dt.date(2025, 1, 1), 120, pickup_weekdays=pickup,
                                      cutoff_hour=cutoff, holidays=[dt.date(2025, 1, 8)])
    trucks = calendar.truck_times
    rng = np.random.default_rng(3)
    t = np.concatenate([rng.uniform(-30.0, trucks[-1], 20_000), trucks, trucks - 1e-9,
                        trucks + 1e-9, np.arange(0.0, trucks[-1], 24.0)])
    t = t[t <= trucks[-1]]
    if in_order:  # as a batch's times mostly come: each truck's run found without a search
        t = np.sort(t)
    np.testing.assert_array_equal(calendar.next_truck(t),
                                  trucks[np.searchsorted(trucks, t, side="left")])
    with pytest.raises(IndexError, match="after the last truck"):
        calendar.next_truck(np.array([trucks[-1] + 1.0]))


def test_clock_past_the_calendar_is_infinite_not_a_stray_read():
    calendar = BusinessCalendar.build(dt.date(2025, 1, 1), 30)
    end = 30 * 24.0
    assert np.isinf(calendar.to_business(np.array([end, end + 1e6, -1.0]))).all()
    last = calendar.to_business(np.array([end - 1.0]))[0]
    assert np.isfinite(last)
    assert np.isinf(calendar.from_business(np.array([last + 1.0, 1e9]))).all()
    delivered = calendar.deliver(np.array([10 * 24.0, 25 * 24.0]), np.array([1.0, 30.0]))
    assert np.isfinite(delivered[0]) and np.isinf(delivered[1])


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_calendar_delivery_day_end_closes_the_nth_delivery_day_after_each_times_day(n):
    t = np.random.default_rng(n).uniform(0.0, 40 * 24.0, 500)
    day = np.floor(t / 24.0).astype(np.int64)
    expected = WITH_HOLIDAY.end_of_delivery_day(WITH_HOLIDAY.nth_delivery_day(day, n))
    np.testing.assert_array_equal(WITH_HOLIDAY.delivery_day_end(t, n), expected)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_calendar_delivery_day_end_of_times_in_order_is_that_of_each_time_alone(n):
    t = np.sort(np.random.default_rng(n).uniform(0.0, 40 * 24.0, 2000))
    t = np.concatenate([t, t[::-1], np.repeat(t[:50], 3)])  # days, back over them, runs
    alone = np.array([WITH_HOLIDAY.delivery_day_end(np.array([x]), n)[0] for x in t])
    np.testing.assert_array_equal(WITH_HOLIDAY.delivery_day_end(t, n), alone)
