"""The sweep's figure and folder: a panel per parameter, bands or error bars, files all at once."""

import json

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario
from matplotlib.collections import PolyCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from sim.errors import ResultsError
from sim.experiment.sweep import run_sweep
from sim.report.sweep import SWEEP_FILES, parameter_axis, plot_sweep, write_sweep

MAX_DAYS = "strategies.zappos_buffer.max_days"
MIN_DAYS = "strategies.zappos_buffer.min_days"
PRICE = "economics.price"
PICKS = "warehouse.pick_minutes"
FAST = {"dist": "lognormal", "median": 3.0, "sigma": 0.5}
SLOW = {"dist": "lognormal", "median": 4.0, "sigma": 0.5}


@pytest.fixture(scope="module")
def grid():
    """Two swept keys on a 2 x 2 grid, one of them a distribution."""
    scenario = small_scenario(sweep={"parameters": [
        {"path": MAX_DAYS, "values": [5, 7]}, {"path": PICKS, "values": [FAST, SLOW]}]})
    return run_sweep(scenario, replications=3, workers=1)


@pytest.fixture(scope="module")
def cloud():
    """A Latin hypercube of 4 points over a window moving as one."""
    scenario = small_scenario(sweep={"design": "latin_hypercube", "points": 4, "parameters": [
        {"paths": [MIN_DAYS, MAX_DAYS], "low": 1, "high": 4, "offsets": [0, 1]}]})
    return run_sweep(scenario, replications=2, workers=1)


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_plot_sweep_grid_has_a_panel_per_parameter_and_a_band_per_strategy(grid):
    fig = plot_sweep(grid)

    axes = visible_axes(fig)
    assert len(axes) == 2
    for ax in axes:
        assert [line.get_label() for line in ax.get_lines()] == [
            "zappos_buffer", "competitor_overnight", "quantile_95_ground"]
        assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 3
    assert axes[0].get_xlabel() == MAX_DAYS
    assert "satisfaction_mean (higher is better)" in fig.texts[0].get_text()


def test_plot_sweep_grid_panel_is_the_main_effect_averaged_within_replications(grid):
    fig = plot_sweep(grid, "promise_kept")
    line = visible_axes(fig)[0].get_lines()[0]

    table = grid.replications[grid.replications["strategy"] == "zappos_buffer"]
    expected = table.groupby([MAX_DAYS, "replication"])["promise_kept"].mean().groupby(
        MAX_DAYS).mean()
    np.testing.assert_allclose(line.get_xdata(), [5, 7])
    np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())


def test_plot_sweep_listed_distributions_are_placed_in_order_with_their_labels(grid):
    ax = visible_axes(plot_sweep(grid))[1]

    assert [t.get_text() for t in ax.get_xticklabels()] == ["median=3.0", "median=4.0"]
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0, 1])


def test_plot_sweep_space_filling_design_draws_each_point_with_an_error_bar(cloud):
    ax = visible_axes(plot_sweep(cloud))[0]

    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 3
    x, _ = parameter_axis(cloud.sweep.parameters[0], cloud.design)
    np.testing.assert_allclose(bars[0].lines[0].get_xdata(), x)


def test_parameter_axis_of_keys_moving_together_labels_every_keys_value(cloud):
    x, ticks = parameter_axis(cloud.sweep.parameters[0], cloud.design)

    assert list(x) == list(cloud.design[MIN_DAYS].astype(float))
    assert ticks == {float(v): f"{v}–{v + 1}" for v in sorted(set(cloud.design[MIN_DAYS]))}


def test_plot_sweep_unknown_metric_is_refused(grid):
    with pytest.raises(KeyError, match="metric 'lifetime_value' is not measured in this sweep"):
        plot_sweep(grid, "lifetime_value")


def test_write_sweep_writes_every_file_with_the_swept_values_as_columns(grid, tmp_path):
    out = write_sweep(grid, tmp_path / "sweep")

    assert sorted(p.name for p in out.iterdir()) == sorted(SWEEP_FILES)
    table = pd.read_parquet(out / "sweep.parquet")
    assert list(table.columns[:3]) == ["point", MAX_DAYS, PICKS]
    assert json.loads(table[PICKS].iloc[0]) == FAST
    csv = pd.read_csv(out / "sweep.csv")
    assert len(csv) == len(grid.table)
    assert list(pd.read_csv(out / "design.csv")[MAX_DAYS]) == [5, 5, 7, 7]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sweep"]["design"] == "grid"
    assert manifest["sweep"]["points"] == 4


def test_write_sweep_plot_is_byte_for_byte_the_same_twice(grid, tmp_path):
    first = write_sweep(grid, tmp_path / "a") / "sweep.png"
    second = write_sweep(grid, tmp_path / "b") / "sweep.png"

    assert first.read_bytes() == second.read_bytes()


def test_write_sweep_that_fails_leaves_nothing(grid, tmp_path, monkeypatch):
    import sim.report.sweep

    def broken(*args, **kwargs):
        raise RuntimeError("plot failed")

    monkeypatch.setattr(sim.report.sweep, "plot_sweep", broken)
    with pytest.raises(RuntimeError, match="plot failed"):
        write_sweep(grid, tmp_path / "sweep")

    assert list(tmp_path.iterdir()) == []


def test_write_sweep_refuses_a_folder_that_is_not_a_results_folder(grid, someone_elses_folder):
    with pytest.raises(ResultsError, match=r"notes: exists and is not a results folder"):
        write_sweep(grid, someone_elses_folder.path)
    assert someone_elses_folder.untouched()


def test_plot_sweep_draws_on_the_figure_it_is_given_and_returns_it(grid):
    fig = Figure()
    assert plot_sweep(grid, fig=fig) is fig
    assert fig.axes
