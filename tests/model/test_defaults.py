"""Defaults are written once: a model part built with no arguments is the one a scenario with
the section left empty builds, so a notebook and a scenario file mean the same thing by them."""

import dataclasses
import datetime as dt
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import sim.model
from sim.model.calendar import DRAIN_DAYS, BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.customers import Behaviour, Reputation
from sim.model.demand import DemandModel
from sim.model.handling import Handling
from sim.model.market import LogitChoice
from sim.model.satisfaction import Disconfirmation
from sim.model.stars import StarScale
from sim.scenario.customers import Customers as CustomersSpec
from sim.scenario.customers import Pushback as PushbackSpec
from sim.scenario.customers import Satisfaction as SatisfactionSpec
from sim.scenario.customers import WordOfMouth as WordOfMouthSpec
from sim.scenario.market import Choice as ChoiceSpec
from sim.scenario.operations import Calendar as CalendarSpec
from sim.scenario.operations import Demand as DemandSpec
from sim.scenario.operations import Horizon
from sim.scenario.stars import Stars

#: Model parts a scenario section alone builds, with that section.
FROM_A_SECTION = {
    Behaviour: CustomersSpec,
    Disconfirmation: SatisfactionSpec,
    LogitChoice: ChoiceSpec,
    Reputation: WordOfMouthSpec,
}
#: Model parts built from a section and other parts (tested below, each on its own terms).
FROM_PARTS = {BusinessCalendar, Carrier, DemandModel, Handling}
#: Model parts whose section has required keys, so no empty section (tested below).
FROM_A_FULL_SECTION = {StarScale}


def _model_classes_with_from_spec() -> set[type]:
    found = set()
    for module in pkgutil.iter_modules(sim.model.__path__, "sim.model."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if cls.__module__ == module.name and hasattr(cls, "from_spec"):
                found.add(cls)
    return found


def test_defaults_every_model_class_with_from_spec_is_checked():
    assert _model_classes_with_from_spec() == (set(FROM_A_SECTION) | FROM_PARTS
                                                | FROM_A_FULL_SECTION)


@pytest.mark.parametrize("model", FROM_A_SECTION, ids=lambda cls: cls.__name__)
def test_defaults_built_with_no_arguments_equals_built_from_an_empty_section(model):
    assert model() == model.from_spec(FROM_A_SECTION[model]())


def test_defaults_a_star_scale_without_values_counts_stars_as_a_section_without_them_does():
    spec = Stars(scale=0.5, thresholds=[-1.0, 0.0, 2.0], source="a test")
    assert StarScale(0.5, (-1.0, 0.0, 2.0)) == StarScale.from_spec(spec)


def test_defaults_an_empty_pushback_section_puts_everyone_in_the_segment_with_the_defaults():
    spec = CustomersSpec(pushback=PushbackSpec())
    assert Behaviour.from_spec(spec) == Behaviour(pushback_share=PushbackSpec().share)


def test_defaults_a_market_choice_built_in_python_weighs_loyalty_as_a_scenario_does():
    assert LogitChoice().loyalty == ChoiceSpec().loyalty == 1.0
    assert LogitChoice().promise == ChoiceSpec().promise_per_day


def _same_arrays(a, b) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name))
               for f in dataclasses.fields(a))


def test_defaults_a_calendar_built_from_dates_keeps_the_scenarios_weekdays_and_hours():
    start, days = dt.date(2025, 1, 6), 60
    from_spec = BusinessCalendar.from_spec(Horizon(start=start, days=days),
                                           CalendarSpec(country=None))
    assert _same_arrays(BusinessCalendar.build(start, days + DRAIN_DAYS), from_spec)


def test_defaults_demand_built_from_a_rate_has_the_scenarios_flat_profiles():
    calendar = BusinessCalendar.build(dt.date(2025, 1, 6), 400)
    days = 365
    from_spec = DemandModel.from_spec(DemandSpec(orders_per_day=100.0), calendar, days,
                                      np.ones(calendar.days))
    assert _same_arrays(DemandModel.build(calendar, days, 100.0), from_spec)
