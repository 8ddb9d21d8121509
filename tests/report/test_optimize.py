"""The report of a search: a figure that marks the best and its rivals, a folder written whole."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from factories import small_scenario
from matplotlib.figure import Figure

from sim.errors import ResultsError
from sim.experiment.optimize import optimize
from sim.report.optimize import (
    OPTIMIZATION_FILES,
    best_summary,
    plot_optimization,
    write_optimization,
)

HORIZON = {"start": "2025-01-06", "days": 21, "warmup_days": 7}


def search(parameters, metric="satisfaction_mean"):
    scenario = small_scenario(horizon=HORIZON, optimize={
        "strategy": "quantile_95_ground", "parameters": parameters,
        "objective": {"metric": metric}, "method": {"kind": "subset", "replications": 2},
        "confirmation": 2,
    })
    return optimize(scenario, workers=1)


@pytest.fixture(scope="module")
def numeric():
    # 0.96 and 0.97 quote the same day here: equal in every replication, a tie
    return search([{"path": "p", "values": [0.6, 0.96, 0.97]}])


@pytest.fixture(scope="module")
def categorical():
    return search([{"path": "p", "values": [0.6, 0.9]},
                   {"path": "service", "values": ["ground", "overnight"]}],
                  metric="profit_per_order")


def test_plot_optimization_draws_numeric_values_on_their_axis(numeric):
    fig = plot_optimization(numeric)

    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert left.get_xlabel() == right.get_xlabel() == "p"
    statuses = [t.get_text() for t in left.get_legend().get_texts()]
    assert statuses[0] == "best"
    assert set(statuses) == {"best", "not ruled out", "ruled out"}
    assert "best p=0.96" in fig.get_suptitle()
    assert "paired difference" in right.get_title()


def test_plot_optimization_labels_combinations_as_candidates(categorical):
    left, right = plot_optimization(categorical).axes

    assert left.get_xlabel() == right.get_xlabel() == "candidate"
    labels = [t.get_text() for t in left.get_xticklabels()]
    assert labels == list(categorical.candidates["label"])
    assert "p=0.9, service=ground" in labels


def test_best_summary_has_the_best_its_interval_and_the_runner_ups(numeric):
    summary = best_summary(numeric)

    assert summary["objective"] == "max satisfaction_mean"
    assert summary["best"]["values"] == numeric.best_values
    assert summary["best"]["ci_low"] <= summary["best"]["mean"] <= summary["best"]["ci_high"]
    assert summary["best"]["fresh"] and summary["best"]["replications"] == 2
    assert [r["values"] for r in summary["not_ruled_out"]] == [
        {"p": p} for p in numeric.runner_ups["p"]]
    json.dumps(summary)  # plain data


def test_write_optimization_writes_every_file_at_once(numeric, tmp_path):
    out = write_optimization(numeric, tmp_path / "search")

    assert sorted(p.name for p in out.iterdir()) == sorted(OPTIMIZATION_FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["search"]
    table = pd.read_csv(out / "candidates.csv")
    assert list(table["p"]) == [0.6, 0.96, 0.97]
    assert list(table["status"]) == list(numeric.candidates["status"])
    assert json.loads((out / "best.json").read_text()) == json.loads(
        json.dumps(best_summary(numeric)))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["optimize"]["best"]["values"] == numeric.best_values
    observations = pd.read_parquet(out / "replications.parquet")
    assert set(observations["stage"]) == {"selection", "confirmation"}


def test_write_optimization_png_is_the_same_bytes_every_time(numeric, tmp_path):
    a = write_optimization(numeric, tmp_path / "a") / "optimize.png"
    b = write_optimization(numeric, tmp_path / "b") / "optimize.png"
    assert a.read_bytes() == b.read_bytes()


def test_write_optimization_failure_leaves_nothing_behind(numeric, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr("sim.report.optimize.plot_optimization", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        write_optimization(numeric, tmp_path / "a")
    assert list(tmp_path.iterdir()) == []


def test_write_optimization_into_a_file_path_is_a_clear_error(numeric, tmp_path):
    blocker = tmp_path / "a"
    blocker.write_text("not a folder")
    with pytest.raises(ResultsError, match=r"a: exists and is not a folder"):
        write_optimization(numeric, blocker)
    assert blocker.read_text() == "not a folder"


def test_write_optimization_refuses_a_folder_that_is_not_a_results_folder(numeric, someone_elses_folder):
    with pytest.raises(ResultsError, match=r"notes: exists and is not a results folder"):
        write_optimization(numeric, someone_elses_folder.path)
    assert someone_elses_folder.untouched()


def test_plot_optimization_draws_on_the_figure_it_is_given_and_returns_it(numeric):
    fig = Figure()
    assert plot_optimization(numeric, fig=fig) is fig
    assert fig.axes
