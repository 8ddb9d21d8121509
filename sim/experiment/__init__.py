"""The experiment layer: random streams, replications over workers, statistics, manifest."""

from sim.experiment.executors import (
    DaskExecutor,
    LocalExecutor,
    default_workers,
    make_executor,
)
from sim.experiment.manifest import build_manifest, scenario_hash
from sim.experiment.runner import OUTCOMES, Results, run
from sim.experiment.statistics import mean_interval, paired_differences, summarize
from sim.experiment.streams import component_id, replication_streams

__all__ = [
    "OUTCOMES",
    "DaskExecutor",
    "LocalExecutor",
    "Results",
    "build_manifest",
    "component_id",
    "default_workers",
    "make_executor",
    "mean_interval",
    "paired_differences",
    "replication_streams",
    "run",
    "scenario_hash",
    "summarize",
]
