"""The scenario layer: what a scenario file may say, and reading one. Knows nothing of the rest."""

from sim.scenario.base import WEEKDAYS, Spec, clock_hours
from sim.scenario.distributions import Distribution
from sim.scenario.loading import load_scenario, parse_scenario
from sim.scenario.schema import scenario_schema
from sim.scenario.spec import Scenario
from sim.scenario.strategies import (
    BufferStrategy,
    CustomStrategy,
    QuantileStrategy,
    StrategySpec,
    TightStrategy,
)

__all__ = [
    "WEEKDAYS",
    "BufferStrategy",
    "CustomStrategy",
    "Distribution",
    "QuantileStrategy",
    "Scenario",
    "Spec",
    "StrategySpec",
    "TightStrategy",
    "clock_hours",
    "load_scenario",
    "parse_scenario",
    "scenario_schema",
]
