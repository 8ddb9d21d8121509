"""promise-sim: what delivery time should we promise, and what should we then do?

A small public API for notebooks and scripts::

    import sim
    scenario = sim.load_scenario("scenarios/zappos_vs_competitor.yaml")
    results = sim.run(scenario, replications=10)
    results.summary          # pandas DataFrame: strategy, metric, mean, ci_low, ci_high, n
    sim.plot_comparison(results)         # a matplotlib Figure (pass fig= to draw on yours)

The studies have their own results types (``SweepResults``, ``OptimizationResults``,
``SensitivityResults``); ``read_results`` reads a results folder back; ``LocalExecutor`` and
``DaskExecutor`` say where replications run; ``fit`` fits a scenario to your own order
history and ``backtest`` checks a scenario against it; ``sim.run(scenario, processes=[...])`` runs
your own SimPy processes beside the model's, acting through a ``Replication``.
"""

from typing import TYPE_CHECKING

import sim._reproducible  # noqa: F401  (before numba loads)
from sim._lazy import lazy_names
from sim.errors import (
    ExperimentError,
    ResultsError,
    ScenarioError,
    SimError,
    StrategyError,
)

if TYPE_CHECKING:
    from sim.experiment import (
        DaskExecutor,
        LocalExecutor,
        OptimizationResults,
        Precision,
        Results,
        SensitivityResults,
        SweepResults,
        run,
        run_sweep,
    )
    from sim.experiment.optimize import optimize
    from sim.experiment.sensitivity import sensitivity
    from sim.history import HistoryError, backtest, fit
    from sim.model import FirmView, PromiseStrategy, Quote
    from sim.report import (
        plot_backtest,
        plot_comparison,
        plot_optimization,
        plot_over_time,
        plot_sensitivity,
        plot_sweep,
        plot_timeseries,
        read_results,
        write_backtest,
        write_results,
    )
    from sim.scenario import Scenario, load_scenario, parse_scenario, scenario_schema
    from sim.world.processes import Replication

    __version__: str

# imported on first use: a command or a worker imports only the layers it needs
__getattr__, __dir__ = lazy_names(__name__, {
    "sim.experiment": ("DaskExecutor", "LocalExecutor", "OptimizationResults", "Precision",
                       "Results", "SensitivityResults", "SweepResults", "run", "run_sweep"),
    "sim.experiment.optimize": ("optimize",),
    "sim.experiment.sensitivity": ("sensitivity",),
    "sim.history": ("HistoryError", "backtest", "fit"),
    "sim.model": ("FirmView", "PromiseStrategy", "Quote"),
    "sim.report": ("plot_backtest", "plot_comparison", "plot_optimization", "plot_over_time",
                   "plot_sensitivity", "plot_sweep", "plot_timeseries", "read_results",
                   "write_backtest", "write_results"),
    "sim.scenario": ("Scenario", "load_scenario", "parse_scenario", "scenario_schema"),
    "sim.world.processes": ("Replication",),
    "sim._version": ("__version__",),
}, submodules=("errors", "scenario", "model", "world", "experiment", "history", "report"))

__all__ = [
    "DaskExecutor",
    "ExperimentError",
    "FirmView",
    "HistoryError",
    "LocalExecutor",
    "OptimizationResults",
    "Precision",
    "PromiseStrategy",
    "Quote",
    "Replication",
    "Results",
    "ResultsError",
    "Scenario",
    "ScenarioError",
    "SensitivityResults",
    "SimError",
    "StrategyError",
    "SweepResults",
    "__version__",
    "backtest",
    "fit",
    "load_scenario",
    "optimize",
    "parse_scenario",
    "plot_backtest",
    "plot_comparison",
    "plot_optimization",
    "plot_over_time",
    "plot_sensitivity",
    "plot_sweep",
    "plot_timeseries",
    "read_results",
    "run",
    "run_sweep",
    "scenario_schema",
    "sensitivity",
    "write_backtest",
    "write_results",
]
