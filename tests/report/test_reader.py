"""A results folder reads back as the run that wrote it; a damaged one is an error naming the file."""

import json
import shutil

import pandas as pd
import pytest
from factories import small_scenario

import sim
from sim.errors import ResultsError
from sim.report import write_results
from sim.report.reader import FIGURE_FILES, read_figures, read_results


@pytest.fixture(scope="module")
def run():
    return sim.run(small_scenario(), replications=3, workers=1)


@pytest.fixture(scope="module")
def saved(run, tmp_path_factory):
    return write_results(run, tmp_path_factory.mktemp("results") / "small")


@pytest.fixture()
def copy(saved, tmp_path):
    return shutil.copytree(saved, tmp_path / "copy")


def test_read_results_gives_back_the_tables_scenario_and_manifest(run, saved):
    back = read_results(saved)
    assert back.scenario == run.scenario
    assert back.manifest == json.loads(json.dumps(run.manifest))
    for name in ("replications", "summary", "differences", "timeseries"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(run, name),
                                      check_dtype=False, check_exact=False, rtol=1e-12)


def test_read_results_keeps_no_satisfaction_histograms(saved):
    assert read_results(saved).satisfaction_hist == {}


def test_read_figures_gives_the_png_files(saved):
    figures = read_figures(saved)
    assert set(figures) == set(FIGURE_FILES)
    assert all(data.startswith(b"\x89PNG") for data in figures.values())


def test_read_results_of_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(ResultsError, match=r"nowhere: no such results folder"):
        read_results(tmp_path / "nowhere")


def test_read_results_of_a_file_is_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ResultsError, match=r"file: not a results folder \(a file\)"):
        read_results(tmp_path / "file")


@pytest.mark.parametrize("name", ["replications.parquet", "summary.csv", "differences.csv",
                                  "timeseries.parquet"])
def test_a_missing_table_is_an_error_naming_it(copy, name):
    (copy / name).unlink()
    with pytest.raises(ResultsError, match=rf"{name}: missing from the results folder"):
        read_results(copy)


def test_a_missing_manifest_is_an_error_naming_it(copy):
    (copy / "manifest.json").unlink()
    with pytest.raises(ResultsError, match=r"manifest.json: no such manifest"):
        read_results(copy)


@pytest.mark.parametrize("name", ["replications.parquet", "timeseries.parquet"])
def test_a_corrupt_parquet_file_is_an_error_naming_it(copy, name):
    (copy / name).write_bytes(b"not parquet at all")
    with pytest.raises(ResultsError, match=rf"{name}: cannot read"):
        read_results(copy)


def test_a_corrupt_manifest_is_an_error_naming_it(copy):
    (copy / "manifest.json").write_text("{ half a manifest")
    with pytest.raises(ResultsError, match=r"manifest.json: not a manifest \(invalid JSON"):
        read_results(copy)


def test_a_manifest_with_a_bad_scenario_is_an_error_naming_the_key(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["scenario_spec"]["warehouse"]["pick_minuts"] = 3
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsError,
                       match=r"manifest.json: scenario_spec: warehouse.pick_minuts: unknown key"):
        read_results(copy)


def test_reading_does_not_import_custom_strategies(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["scenario_spec"]["strategies"].append(
        {"name": "mine", "kind": "custom", "path": "no_such_module_anywhere:Mine"})
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert read_results(copy).scenario.strategies[-1].name == "mine"


def test_an_empty_csv_is_an_error_naming_it(copy):
    (copy / "summary.csv").write_text("")
    with pytest.raises(ResultsError, match=r"summary.csv: empty"):
        read_results(copy)


def test_a_csv_without_its_columns_is_an_error_naming_them(copy):
    table = pd.read_csv(copy / "differences.csv").drop(columns=["ci_low", "ci_high"])
    table.to_csv(copy / "differences.csv", index=False)
    with pytest.raises(ResultsError, match=r"differences.csv: missing columns ci_low, ci_high"):
        read_results(copy)


def test_a_csv_with_text_for_numbers_is_an_error_naming_the_column(copy):
    table = pd.read_csv(copy / "summary.csv")
    table["mean"] = "lots"
    table.to_csv(copy / "summary.csv", index=False)
    with pytest.raises(ResultsError, match=r"summary.csv: column 'mean' is not numeric"):
        read_results(copy)


def test_a_csv_with_a_header_only_is_an_error(copy):
    (copy / "summary.csv").write_text("strategy,metric,mean,ci_low,ci_high,n\n")
    with pytest.raises(ResultsError, match=r"summary.csv: no rows"):
        read_results(copy)


def test_strategy_names_that_look_like_numbers_stay_text(copy):
    for name in ("summary.csv", "differences.csv"):
        table = pd.read_csv(copy / name)
        table["strategy"] = table["strategy"].replace({"zappos_buffer": "1", "quantile_95_ground": "NA"})
        table.to_csv(copy / name, index=False)
    back = read_results(copy)
    assert set(back.summary["strategy"]) == {"1", "competitor_overnight", "NA"}
    assert set(back.differences["strategy"]) == {"1", "NA"}


def test_a_figure_that_is_not_a_png_is_an_error_naming_it(copy):
    (copy / "timeseries.png").write_text("<svg/>")
    with pytest.raises(ResultsError, match=r"timeseries.png: not a PNG image"):
        read_figures(copy)


def test_a_missing_figure_is_an_error_naming_it(copy):
    (copy / "comparison.png").unlink()
    with pytest.raises(ResultsError, match=r"comparison.png: missing from the results folder"):
        read_figures(copy)
