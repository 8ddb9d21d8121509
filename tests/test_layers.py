"""The architecture: arrows point down the layers, and the public API is deliberate."""

import subprocess
import sys
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parents[1]


def test_layers_point_down():
    lint = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Layers point down KEPT" in out.stdout


def test_import_sim_does_not_import_the_cli_or_pyplot():
    code = "import sys, sim; print(any(m.startswith(('sim.cli', 'matplotlib.pyplot')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_public_api_is_pinned():
    assert sorted(sim.__all__) == sorted([
        "DaskExecutor", "ExperimentError", "HistoryError", "backtest", "fit", "plot_backtest",
        "write_backtest", "FirmView", "LocalExecutor", "OptimizationResults",
        "Precision", "PromiseStrategy", "Quote", "Replication", "Results", "ResultsError", "Scenario",
        "ScenarioError", "SensitivityResults", "SimError", "StrategyError", "SweepResults",
        "__version__", "load_scenario", "optimize", "parse_scenario", "plot_comparison",
        "plot_optimization", "plot_over_time", "plot_sensitivity", "plot_sweep",
        "plot_timeseries", "read_results", "run", "run_sweep", "scenario_schema", "sensitivity",
        "write_results",
    ])
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def test_errors_form_one_tree():
    for error in (sim.ScenarioError, sim.StrategyError, sim.ExperimentError, sim.ResultsError):
        assert issubclass(error, sim.SimError)
