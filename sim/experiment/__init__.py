"""The experiment layer: random streams, replications over workers, statistics, manifest."""

from sim.experiment.executors import (
    DaskExecutor,
    LocalExecutor,
    default_workers,
    make_executor,
)
from sim.experiment.manifest import build_manifest, scenario_hash
from sim.experiment.optimize import OptimizationResults
from sim.experiment.precision import Precision
from sim.experiment.runner import OUTCOMES, Results, run, run_points
from sim.experiment.sensitivity import SensitivityResults
from sim.experiment.statistics import mean_interval, paired_differences, summarize
from sim.experiment.store import DiskStore, MemoryStore
from sim.experiment.streams import component_id, replication_streams
from sim.experiment.sweep import SweepResults, run_sweep, sweep_points

__all__ = [
    "OUTCOMES",
    "DaskExecutor",
    "DiskStore",
    "LocalExecutor",
    "MemoryStore",
    "OptimizationResults",
    "Precision",
    "Results",
    "SensitivityResults",
    "SweepResults",
    "build_manifest",
    "component_id",
    "default_workers",
    "make_executor",
    "mean_interval",
    "paired_differences",
    "replication_streams",
    "run",
    "run_points",
    "run_sweep",
    "scenario_hash",
    "summarize",
    "sweep_points",
]
