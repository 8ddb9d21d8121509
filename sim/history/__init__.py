"""Fitting a world to an order history: reading it, and the estimators of each of its parts.

Read a history with :func:`read_history` (any CSV or Parquet file through a column map) or
:func:`read_olist` (the public Olist dataset); each estimator is a pure function of the
resulting :class:`History` and returns frozen dataclasses of :class:`Estimate` values, each
with its standard error or interval and the :class:`Basis` it rests on.
:class:`SyntheticShop` generates histories with a known truth to check them.
"""

from sim.history.backtesting import Backtest, backtest
from sim.history.business_days import DeliveryDays, delivery_days
from sim.history.columns import FIELDS, GENERIC, OLIST, ColumnMap, OlistFiles, column_map
from sim.history.demand import DemandFit, Peak, fit_demand
from sim.history.disruptions import DisruptionFit, DisruptionPeriod, fit_disruptions
from sim.history.estimate import LEVEL, Basis, Estimate, HistoryError
from sim.history.fitting import HistoryFit, fit, fit_history, open_history
from sim.history.handling import HandlingFit, fit_handling
from sim.history.olist import read_olist
from sim.history.promise_rule import PromiseRuleFit, RuleCandidate, fit_promise_rule
from sim.history.reading import MAX_BAD_SHARE, REASONS, Drop, History, ReadReport, read_history
from sim.history.repurchase import RepurchaseFit, fit_repurchase
from sim.history.satisfaction import SatisfactionFit, fit_satisfaction
from sim.history.scenario_text import FittedParts, scenario_text
from sim.history.simulated import history_from_records, scenario_delivery_days
from sim.history.synthetic import (
    DisruptionTruth,
    RatingTruth,
    RegionTruth,
    ReturnTruth,
    SyntheticShop,
    TruckTruth,
)
from sim.history.synthetic_olist import Planted, write_olist
from sim.history.transit import CandidateFit, TransitFit, fit_transit

__all__ = [
    "FIELDS",
    "GENERIC",
    "LEVEL",
    "MAX_BAD_SHARE",
    "OLIST",
    "REASONS",
    "Backtest",
    "Basis",
    "CandidateFit",
    "ColumnMap",
    "DeliveryDays",
    "DemandFit",
    "DisruptionFit",
    "DisruptionPeriod",
    "DisruptionTruth",
    "Drop",
    "Estimate",
    "FittedParts",
    "HandlingFit",
    "History",
    "HistoryError",
    "HistoryFit",
    "OlistFiles",
    "Peak",
    "Planted",
    "PromiseRuleFit",
    "RatingTruth",
    "ReadReport",
    "RegionTruth",
    "RepurchaseFit",
    "ReturnTruth",
    "RuleCandidate",
    "SatisfactionFit",
    "SyntheticShop",
    "TransitFit",
    "TruckTruth",
    "backtest",
    "column_map",
    "delivery_days",
    "fit",
    "fit_demand",
    "fit_disruptions",
    "fit_handling",
    "fit_history",
    "fit_promise_rule",
    "fit_repurchase",
    "fit_satisfaction",
    "fit_transit",
    "history_from_records",
    "open_history",
    "read_history",
    "read_olist",
    "scenario_delivery_days",
    "scenario_text",
    "write_olist",
]
