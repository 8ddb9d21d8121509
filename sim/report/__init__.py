"""The report layer: plots and result folders."""

from sim.report.output import RESULT_FILES, write_results
from sim.report.plots import KEY_METRICS, plot_comparison, plot_timeseries

__all__ = ["KEY_METRICS", "RESULT_FILES", "plot_comparison", "plot_timeseries", "write_results"]
