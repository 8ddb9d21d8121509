"""The sensitivity folder and its ranked bar chart."""

import json

import pandas as pd
import pytest
from factories import small_scenario
from matplotlib.figure import Figure

from sim.errors import ResultsError
from sim.experiment.sensitivity import sensitivity
from sim.report.sensitivity import SENSITIVITY_FILES, plot_sensitivity, write_sensitivity

TINY = {"horizon": {"start": "2025-01-06", "days": 21, "warmup_days": 7}}
PARAMETERS = [
    {"path": "carrier.service_levels.overnight.transit_days.median", "low": 0.5, "high": 0.9,
     "label": "overnight transit"},
    {"path": "economics.late_credit", "low": 0, "high": 10, "label": "late credit"},
]
PAIRED = {"metric": "satisfaction_mean", "difference": ["zappos_buffer", "competitor_overnight"]}


def study(**block):
    spec = {"samples": 2, "replications": 2, "outcome": PAIRED, "parameters": PARAMETERS, **block}
    return sensitivity(small_scenario(**TINY, sensitivity=spec), workers=1)


@pytest.fixture(scope="module")
def morris():
    return study(method="morris")


@pytest.fixture(scope="module")
def sobol():
    return study(method="sobol", second_order=True)


def test_write_sensitivity_writes_every_file(morris, tmp_path):
    out = write_sensitivity(morris, tmp_path / "s")
    assert sorted(p.name for p in out.iterdir()) == sorted(SENSITIVITY_FILES)
    indices = pd.read_csv(out / "indices.csv")
    assert list(indices["parameter"]) == list(morris.indices["parameter"])
    assert list(indices["rank"]) == [1, 2]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "samples.parquet"), morris.samples)


def test_write_sensitivity_adds_the_interactions_of_second_order_sobol(sobol, tmp_path):
    out = write_sensitivity(sobol, tmp_path / "s")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*SENSITIVITY_FILES, "interactions.csv"])
    assert list(pd.read_csv(out / "interactions.csv").columns) == [
        "parameter_a", "parameter_b", "S2", "S2_conf"]


def test_write_sensitivity_manifest_is_strict_json(morris, tmp_path):
    out = write_sensitivity(morris, tmp_path / "s")

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    manifest = json.loads((out / "manifest.json").read_text(), parse_constant=refuse)
    assert manifest["sensitivity"]["method"] == "morris"
    assert manifest["scenario_spec"]["sensitivity"]["samples"] == 2


def test_write_sensitivity_failure_leaves_nothing_behind(morris, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr("sim.report.sensitivity.plot_sensitivity", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        write_sensitivity(morris, tmp_path / "s")
    assert list(tmp_path.iterdir()) == []


def test_write_sensitivity_png_is_the_same_bytes_for_the_same_result(morris, tmp_path):
    a = write_sensitivity(morris, tmp_path / "a") / "sensitivity.png"
    b = write_sensitivity(morris, tmp_path / "b") / "sensitivity.png"
    assert a.read_bytes() == b.read_bytes()


def _bar_labels(figure):
    return [t.get_text() for t in figure.axes[0].get_yticklabels()]


def test_plot_sensitivity_morris_ranks_top_down_and_names_the_winner_each_way(morris):
    figure = plot_sensitivity(morris)
    assert _bar_labels(figure) == list(morris.indices["parameter"])
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "favours zappos_buffer" in legend and "favours competitor_overnight" in legend
    assert figure.axes[1].get_xlabel() == morris.indices["parameter"].iloc[0]


def test_plot_sensitivity_sobol_draws_total_and_first_order_with_whiskers(sobol):
    figure = plot_sensitivity(sobol)
    assert _bar_labels(figure) == list(sobol.indices["parameter"])
    legend = " ".join(t.get_text() for t in figure.axes[0].get_legend().get_texts())
    assert "ST" in legend and "S1" in legend and "simulation noise" in legend
    assert len(figure.axes[0].containers) == 4  # two bar sets, two whisker sets


def test_write_sensitivity_refuses_a_folder_that_is_not_a_results_folder(morris, someone_elses_folder):
    with pytest.raises(ResultsError, match=r"notes: exists and is not a results folder"):
        write_sensitivity(morris, someone_elses_folder.path)
    assert someone_elses_folder.untouched()


def test_plot_sensitivity_draws_on_the_figure_it_is_given_and_returns_it(morris):
    fig = Figure()
    assert plot_sensitivity(morris, fig=fig) is fig
    assert fig.axes
