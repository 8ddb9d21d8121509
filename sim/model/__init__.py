"""The model layer: calendar, demand, warehouse, carrier, disruptions, promises, satisfaction.

Each part takes plain numbers (usable from a notebook without YAML) and offers ``from_spec``.
"""

from sim.model.calendar import BusinessCalendar
from sim.model.carrier import Carrier
from sim.model.demand import DemandModel
from sim.model.disruptions import DisruptionSchedule, SeasonalPeaks
from sim.model.promise import (
    Buffer,
    FirmView,
    PromiseStrategy,
    Quantile,
    Quote,
    Tight,
    strategy_from_spec,
)
from sim.model.satisfaction import Disconfirmation
from sim.model.warehouse import PickingQueue, Roster

__all__ = [
    "Buffer",
    "BusinessCalendar",
    "Carrier",
    "DemandModel",
    "Disconfirmation",
    "DisruptionSchedule",
    "FirmView",
    "PickingQueue",
    "PromiseStrategy",
    "Quantile",
    "Quote",
    "Roster",
    "SeasonalPeaks",
    "Tight",
    "strategy_from_spec",
]
