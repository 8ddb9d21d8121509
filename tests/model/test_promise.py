"""Promise strategies: Buffer, Tight and Quantile quotes; importing custom strategies."""

import datetime as dt
import sys

import numpy as np
import pytest

from sim.errors import StrategyError
from sim.model.calendar import BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.disruptions import DisruptionSchedule, SeasonalPeaks
from sim.model.promise import (
    Buffer,
    Controlled,
    FirmView,
    PromiseStrategy,
    Quantile,
    Quote,
    Tight,
    check_quote,
    load_custom,
    strategy_from_spec,
)
from sim.model.warehouse import Roster
from sim.scenario.operations import ServiceLevel
from sim.scenario.strategies import BufferStrategy, TightStrategy

MONDAY = dt.date(2025, 1, 6)  # day 0; Friday 2025-01-10 is day 4
CALENDAR = BusinessCalendar.build(MONDAY, 120)
SERVICES = (
    ServiceLevel(
        name="overnight",
        nominal_days=1,
        transit_days={"dist": "lognormal", "median": 0.7, "sigma": 0.25},
        cost=14.0,
    ),
    ServiceLevel(
        name="ground",
        nominal_days=3,
        transit_days={"dist": "lognormal", "median": 2.6, "sigma": 0.3},
        cost=6.0,
    ),
)
CARRIER = Carrier(SERVICES, CALENDAR, SeasonalPeaks.build([], CALENDAR))
ROSTER = Roster.from_shifts(CALENDAR, [(6.0, 14.0, 16), (14.0, 22.0, 12)])


def view(arrival, backlog=0.0, *, handling_trucks: int = 0) -> FirmView:
    arrival = np.atleast_1d(np.asarray(arrival, dtype=float))
    return FirmView(
        arrival=arrival,
        backlog=np.broadcast_to(np.asarray(backlog, dtype=float), arrival.shape),
        calendar=CALENDAR,
        carrier=CARRIER,
        roster=ROSTER,
        mean_pick_hours=4.0 / 60.0,
        known_disruptions=DisruptionSchedule.none(),
        handling_trucks=handling_trucks,
    )


def end_of(date: dt.date) -> float:
    return (date - MONDAY).days * 24.0 + 20.0


def test_buffer_friday_order_quotes_thursday_to_friday_end_of_delivery_hours():
    friday_evening = 4 * 24.0 + 18.5

    quote = Buffer(min_days=4, max_days=5, service=0).quote(view(friday_evening))

    assert quote.earliest[0] == end_of(dt.date(2025, 1, 16))  # Thursday 20:00
    assert quote.latest[0] == end_of(dt.date(2025, 1, 17))  # Friday 20:00
    assert quote.service[0] == 0


def test_buffer_counts_from_the_order_day_not_the_truck():
    monday_morning, monday_evening = 9.0, 23.0

    quote = Buffer(min_days=4, max_days=5, service=1).quote(view([monday_morning, monday_evening]))

    assert list(quote.earliest) == [end_of(dt.date(2025, 1, 10))] * 2
    assert list(quote.latest) == [end_of(dt.date(2025, 1, 13))] * 2
    assert list(quote.service) == [1, 1]


def test_tight_friday_order_after_cutoff_quotes_tuesday_for_overnight():
    friday_after_cutoff = 4 * 24.0 + 17.5

    quote = Tight(nominal_days=1, service=0).quote(view(friday_after_cutoff))

    assert quote.earliest[0] == quote.latest[0] == end_of(dt.date(2025, 1, 14))


def test_tight_order_before_cutoff_quotes_next_business_day():
    wednesday_noon, friday_at_cutoff = 2 * 24.0 + 12.0, 4 * 24.0 + 17.0

    quote = Tight(nominal_days=1, service=0).quote(view([wednesday_noon, friday_at_cutoff]))

    assert list(quote.latest) == [end_of(dt.date(2025, 1, 9)), end_of(dt.date(2025, 1, 13))]


def test_quantile_higher_p_never_quotes_earlier():
    rng = np.random.default_rng(21)
    arrival = np.sort(rng.uniform(0.0, 70 * 24.0, 3000))
    backlog = rng.integers(0, 20_000, arrival.size)
    firm = view(arrival, backlog)

    quotes = np.array(
        [Quantile(p, service=1).quote(firm).latest for p in (0.05, 0.3, 0.5, 0.8, 0.95, 0.999)]
    )

    assert np.all(np.diff(quotes, axis=0) >= 0)
    assert np.any(np.diff(quotes, axis=0) > 0)  # p matters for some orders
    assert np.all(quotes >= arrival)


def test_quantile_bigger_backlog_never_quotes_earlier():
    backlog = np.arange(0, 20_000, 7)
    for arrival in (9.0, 4 * 24.0 + 16.0, 4 * 24.0 + 23.0, 5 * 24.0 + 12.0):
        quote = Quantile(0.9, service=1).quote(view(np.full(backlog.size, arrival), backlog))

        assert np.all(np.diff(quote.latest) >= 0), arrival
        assert quote.latest[-1] > quote.latest[0]  # 20,000 orders are several days of work


def test_quantile_quote_ends_at_close_of_a_delivery_day():
    rng = np.random.default_rng(22)
    arrival = np.sort(rng.uniform(0.0, 60 * 24.0, 500))

    quote = Quantile(0.95, service=0).quote(view(arrival, rng.integers(0, 5000, 500)))

    day = (quote.latest // 24).astype(int)
    assert np.all(CALENDAR.delivery[day])
    np.testing.assert_array_equal(quote.latest - 24.0 * day, 20.0)


def test_strategy_from_spec_resolves_service_names():
    buffer = strategy_from_spec(
        BufferStrategy(name="z", kind="buffer", min_days=4, max_days=5, service="ground"), CARRIER
    )
    tight = strategy_from_spec(TightStrategy(name="c", kind="tight", service="ground"), CARRIER)

    assert buffer == Buffer(4, 5, 1)
    assert tight == Tight(nominal_days=3, service=1)


# --- custom strategies ------------------------------------------------------------------------

CUSTOM_MODULE = """
from sim.model.promise import Quote

class NoQuote:
    def __init__(self, days=1):
        self.days = days

class Fixed:
    def __init__(self, hours=48.0):
        self.hours = hours

    def quote(self, view):
        due = view.arrival + self.hours
        return Quote(due, due, view.arrival.astype(int) * 0)
"""


@pytest.fixture
def custom_module(tmp_path, monkeypatch):
    name = "promise_test_custom_strategies"
    (tmp_path / f"{name}.py").write_text(CUSTOM_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    yield name
    sys.modules.pop(name, None)


def test_load_custom_builds_a_strategy_with_params(custom_module):
    strategy = load_custom(f"{custom_module}:Fixed", {"hours": 30.0})

    assert isinstance(strategy, PromiseStrategy)
    assert list(strategy.quote(view([1.0, 2.0])).latest) == [31.0, 32.0]


def test_load_custom_missing_module_is_a_strategy_error():
    with pytest.raises(
        StrategyError,
        match=r"cannot import strategy 'no_such_module_zz\.sub:Name': "
        r"No module named 'no_such_module_zz'",
    ):
        load_custom("no_such_module_zz.sub:Name", {})


def test_load_custom_missing_attribute_is_a_strategy_error(custom_module):
    with pytest.raises(
        StrategyError,
        match=rf"cannot import strategy '{custom_module}:Missing': module '{custom_module}' has no 'Missing'",
    ):
        load_custom(f"{custom_module}:Missing", {})


def test_load_custom_object_without_quote_is_a_strategy_error(custom_module):
    with pytest.raises(
        StrategyError, match=rf"strategy '{custom_module}:NoQuote' has no quote\(view\) method"
    ):
        load_custom(f"{custom_module}:NoQuote", {"days": 2})


def test_load_custom_wrong_params_is_a_strategy_error(custom_module):
    with pytest.raises(
        StrategyError,
        match=rf"cannot build strategy '{custom_module}:Fixed': .*unexpected keyword.*'speed'",
    ):
        load_custom(f"{custom_module}:Fixed", {"speed": 3})


def test_load_custom_module_failing_on_import_is_a_strategy_error(tmp_path, monkeypatch):
    name = "promise_test_broken_strategy"
    (tmp_path / f"{name}.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)

    with pytest.raises(StrategyError, match=rf"cannot import strategy '{name}:X': boom at import"):
        load_custom(f"{name}:X", {})


@pytest.mark.parametrize("as_lists", [False, True])
@pytest.mark.parametrize(("earliest", "latest", "service", "message"), [
    ([30.0, 40.0], [30.0, 40.0], [0, 2], r"quote.service outside 0..1"),
    ([30.0, 40.0], [30.0, 40.0], [-1, 0], r"quote.service outside 0..1"),
    ([30.0, 41.0], [30.0, 40.0], [0, 1], r"quote.latest before quote.earliest"),
    ([3.0, 40.0], [3.0, 40.0], [0, 1], r"a promise expires before its order is placed"),
    ([30.0], [30.0], [0], r"quote.earliest has shape \(1,\), expected \(2,\)"),
])
def test_check_quote_names_the_first_rule_a_quote_breaks(earliest, latest, service, message,
                                                          as_lists):
    """Arrays of the usual types are checked in one compiled pass, anything else by numpy: the
    same rules, in the same order, with the same messages."""
    if not as_lists:
        earliest, latest = np.array(earliest), np.array(latest)
        service = np.array(service, dtype=np.int64)
    with pytest.raises(StrategyError, match=f"strategy 'mine': {message}"):
        check_quote(Quote(earliest, latest, service), view([10.0, 20.0]), 2, "mine")


@pytest.mark.parametrize("as_lists", [False, True])
def test_check_quote_passes_a_well_formed_quote_through(as_lists):
    quote = Quote([10.0, 40.0], [20.0, 40.0], [0, 1])
    if not as_lists:
        quote = Quote(np.array([10.0, 40.0]), np.array([20.0, 40.0]), np.array([0, 1]))
    assert check_quote(quote, view([10.0, 20.0]), 2, "mine") is quote


def test_predicted_dispatch_moves_the_expected_trucks_of_handling_later():
    rng = np.random.default_rng(8)
    arrival = np.sort(rng.uniform(0.0, 70 * 24.0, 2000))
    backlog = rng.integers(0, 5000, arrival.size)
    plain = view(arrival, backlog).predicted_dispatch()
    trucks = CALENDAR.truck_times

    for k in (0, 1, 3):
        held = view(arrival, backlog, handling_trucks=k).predicted_dispatch()
        np.testing.assert_array_equal(held, trucks[np.searchsorted(trucks, plain) + k])


def test_quantile_and_controlled_quote_later_by_the_expected_handling():
    friday_evening = 4 * 24.0 + 18.5  # first truck Monday, two more trucks: Wednesday
    strategies = (Quantile(0.9, service=0), Controlled(0, 0.1, 0.9, service=0))

    for strategy in strategies:
        plain = strategy.quote(view(friday_evening)).latest[0]
        held = strategy.quote(view(friday_evening, handling_trucks=2)).latest[0]
        assert held - plain == 2 * 24.0, type(strategy).__name__
