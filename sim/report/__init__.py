"""The report layer: plots, result folders and the verdicts on the seeds' claims."""

from typing import TYPE_CHECKING

from sim._lazy import lazy_names

if TYPE_CHECKING:
    from sim.report.backtest import BACKTEST_FILES, plot_backtest, write_backtest
    from sim.report.folder import check_replaceable, check_writable
    from sim.report.optimize import OPTIMIZATION_FILES, plot_optimization, write_optimization
    from sim.report.output import RESULT_FILES, write_results
    from sim.report.plots import KEY_METRICS, plot_comparison, plot_timeseries
    from sim.report.reader import read_results
    from sim.report.seeds import SEED_FILES, plot_over_time, verdict_table, write_verdicts
    from sim.report.sensitivity import SENSITIVITY_FILES, plot_sensitivity, write_sensitivity
    from sim.report.sweep import SWEEP_FILES, plot_sweep, write_sweep

# imported on first use: writing a folder's tables needs neither matplotlib nor jinja2
__getattr__, __dir__ = lazy_names(__name__, {
    "sim.report.backtest": ("BACKTEST_FILES", "plot_backtest", "write_backtest"),
    "sim.report.folder": ("check_replaceable", "check_writable"),
    "sim.report.optimize": ("OPTIMIZATION_FILES", "plot_optimization", "write_optimization"),
    "sim.report.output": ("RESULT_FILES", "write_results"),
    "sim.report.plots": ("KEY_METRICS", "plot_comparison", "plot_timeseries"),
    "sim.report.reader": ("read_results",),
    "sim.report.seeds": ("SEED_FILES", "plot_over_time", "verdict_table", "write_verdicts"),
    "sim.report.sensitivity": ("SENSITIVITY_FILES", "plot_sensitivity", "write_sensitivity"),
    "sim.report.sweep": ("SWEEP_FILES", "plot_sweep", "write_sweep"),
}, submodules=("assumptions", "backtest", "compare", "folder", "html", "numbers", "optimize",
               "output", "plots", "png", "reader", "seeds", "sensitivity", "sweep"))

__all__ = [
    "BACKTEST_FILES",
    "KEY_METRICS",
    "OPTIMIZATION_FILES",
    "RESULT_FILES",
    "SEED_FILES",
    "SENSITIVITY_FILES",
    "SWEEP_FILES",
    "check_replaceable",
    "check_writable",
    "plot_backtest",
    "plot_comparison",
    "plot_optimization",
    "plot_over_time",
    "plot_sensitivity",
    "plot_sweep",
    "plot_timeseries",
    "read_results",
    "verdict_table",
    "write_backtest",
    "write_optimization",
    "write_results",
    "write_sensitivity",
    "write_sweep",
    "write_verdicts",
]
