"""The model layer: calendar, demand, warehouse, carrier, disruptions, promises, satisfaction
(and its reading in stars), customers and the choice at the point of sale.

Each part takes plain numbers (usable from a notebook without YAML) and offers ``from_spec``.
"""

from sim.model.calendar import BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.customer_store import CustomerBase
from sim.model.customers import Behaviour, Reputation
from sim.model.demand import DemandModel
from sim.model.disruptions import DisruptionSchedule, SeasonalPeaks
from sim.model.market import LogitChoice, promise_coefficient
from sim.model.promise import (
    Adaptive,
    Buffer,
    Controlled,
    Deliveries,
    FirmView,
    PromiseStrategy,
    Quantile,
    Quote,
    Tight,
    strategy_from_spec,
)
from sim.model.satisfaction import Disconfirmation
from sim.model.stars import StarScale, expected_stars
from sim.model.warehouse import PickingQueue, Roster

__all__ = [
    "Adaptive",
    "Behaviour",
    "Buffer",
    "BusinessCalendar",
    "Carrier",
    "Controlled",
    "CustomerBase",
    "Deliveries",
    "DemandModel",
    "Disconfirmation",
    "DisruptionSchedule",
    "FirmView",
    "LogitChoice",
    "PickingQueue",
    "PromiseStrategy",
    "Quantile",
    "Quote",
    "Reputation",
    "Roster",
    "SeasonalPeaks",
    "StarScale",
    "Tight",
    "expected_stars",
    "promise_coefficient",
    "strategy_from_spec",
]
