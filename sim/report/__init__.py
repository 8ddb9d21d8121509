"""The report layer: plots, result folders and the verdicts on the seeds' claims."""

from sim.report.output import RESULT_FILES, write_results
from sim.report.plots import KEY_METRICS, plot_comparison, plot_timeseries
from sim.report.seeds import SEED_FILES, plot_over_time, verdict_table, write_verdicts

__all__ = [
    "KEY_METRICS",
    "RESULT_FILES",
    "SEED_FILES",
    "plot_comparison",
    "plot_over_time",
    "plot_timeseries",
    "verdict_table",
    "write_results",
    "write_verdicts",
]
