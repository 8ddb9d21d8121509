"""promise-sim: what delivery time should we promise, and what should we then do?

A small public API for notebooks and scripts::

    import sim
    scenario = sim.load_scenario("scenarios/zappos_vs_competitor.yaml")
    results = sim.run(scenario, replications=10)
    results.summary          # pandas DataFrame: strategy, metric, mean, ci_low, ci_high, n
    sim.plot_comparison(results)
"""

from importlib.metadata import PackageNotFoundError, version

import sim._reproducible  # noqa: F401  (before numba loads)
from sim.errors import (
    ExperimentError,
    ResultsError,
    ScenarioError,
    SimError,
    StrategyError,
)
from sim.experiment import Precision, Results, run, run_sweep
from sim.experiment.optimize import optimize
from sim.experiment.sensitivity import sensitivity
from sim.model import FirmView, PromiseStrategy, Quote
from sim.report import (
    plot_comparison,
    plot_optimization,
    plot_sensitivity,
    plot_sweep,
    plot_timeseries,
    write_results,
)
from sim.scenario import Scenario, load_scenario, parse_scenario, scenario_schema

try:
    __version__ = version("promise-sim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ExperimentError",
    "FirmView",
    "Precision",
    "PromiseStrategy",
    "Quote",
    "Results",
    "ResultsError",
    "Scenario",
    "ScenarioError",
    "SimError",
    "StrategyError",
    "__version__",
    "load_scenario",
    "optimize",
    "parse_scenario",
    "plot_comparison",
    "plot_optimization",
    "plot_sensitivity",
    "plot_sweep",
    "plot_timeseries",
    "run",
    "run_sweep",
    "scenario_schema",
    "sensitivity",
    "write_results",
]
