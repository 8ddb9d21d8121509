"""The world layer: the model parts wired into one SimPy replication per strategy."""

from sim.world.build import COMPONENTS, World, build_strategies, build_world
from sim.world.ledger import METRICS, SATISFACTION_BINS, Ledger
from sim.world.replication import OrderRecords, simulate

__all__ = [
    "COMPONENTS",
    "METRICS",
    "SATISFACTION_BINS",
    "Ledger",
    "OrderRecords",
    "World",
    "build_strategies",
    "build_world",
    "simulate",
]
