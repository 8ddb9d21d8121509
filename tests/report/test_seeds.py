"""The verdict table and the over-time figure are written from the runs, all at once."""

import pandas as pd
import pytest
from factories import small_scenario
from matplotlib.figure import Figure

import sim
from sim.errors import ResultsError
from sim.experiment import LocalExecutor
from sim.experiment.verdict import judge_claim
from sim.report import RESULT_FILES, SEED_FILES, verdict_table, write_verdicts
from sim.report.seeds import plot_over_time, verdict_markdown

CLAIMS = [
    {"says": "The buffer satisfies more.", "view": "under-promise", "metric": "satisfaction_mean",
     "higher": {"strategy": "zappos_buffer"}, "lower": {"strategy": "competitor_overnight"}},
    {"says": "The overnight promise | keeps more.", "view": "never-under-promise",
     "metric": "promise_kept", "higher": {"strategy": "competitor_overnight"},
     "lower": {"strategy": "zappos_buffer"}},
]


@pytest.fixture(scope="module")
def runs():
    return [
        sim.run(small_scenario(name=f"claim_{i}", claim=claim), replications=3, workers=1)
        for i, claim in enumerate(CLAIMS)
    ]


def test_verdict_table_is_the_verdicts_of_the_runs(runs):
    table = verdict_table(runs)
    assert list(table["scenario"]) == ["claim_0", "claim_1"]
    for row, result in zip(table.to_dict("records"), runs):
        assert row == judge_claim(result).as_row()
    assert list(table["verdict"]) == ["supported", "refuted"]


def test_markdown_has_one_row_per_claim_with_its_interval(runs):
    text = verdict_markdown(verdict_table(runs))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "claim_" in line]
    assert len(rows) == 2
    assert "**supported**" in rows[0] and "**refuted**" in rows[1]
    assert "\\|" in rows[1]  # a pipe in a claim does not break the table
    assert "n=3" in rows[0]


def test_write_verdicts_writes_tables_figure_and_each_run(runs, tmp_path):
    out = write_verdicts(runs, tmp_path / "seeds")
    names = {p.name for p in out.iterdir()}
    assert names == {*SEED_FILES, "claim_0", "claim_1"}
    assert {p.name for p in (out / "claim_0").iterdir()} == set(RESULT_FILES)
    pd.testing.assert_frame_equal(pd.read_csv(out / "verdict.csv"), verdict_table(runs))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _fail(*args):
    raise RuntimeError("disk gone")


def test_failed_write_leaves_the_previous_verdicts(runs, tmp_path, monkeypatch):
    out = write_verdicts(runs[:1], tmp_path / "seeds")
    before = (out / "verdict.csv").read_bytes()
    with pytest.raises(RuntimeError, match="disk gone"), monkeypatch.context() as patch:
        patch.setattr("sim.report.seeds.write_result_files", _fail)
        write_verdicts(runs, out)
    assert (out / "verdict.csv").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_write_verdicts_refuses_a_folder_that_is_not_a_results_folder(runs, someone_elses_folder):
    with pytest.raises(ResultsError, match=r"notes: exists and is not a results folder"):
        write_verdicts(runs, someone_elses_folder.path)
    assert someone_elses_folder.untouched()


def test_plot_over_time_draws_on_the_figure_it_is_given_and_returns_it(runs):
    fig = Figure()
    assert plot_over_time(runs, fig=fig) is fig
    assert fig.axes


def test_figures_drawn_on_workers_are_the_bytes_drawn_here(runs, tmp_path):
    here = write_verdicts(runs, tmp_path / "here")
    there = write_verdicts(runs, tmp_path / "there", executor=LocalExecutor(2))
    files = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(there) for p in there.rglob("*") if p.is_file())
    assert any(f.suffix == ".png" for f in files)
    for name in files:
        assert (here / name).read_bytes() == (there / name).read_bytes(), name
