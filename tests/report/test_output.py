import os

import pytest
from factories import small_scenario

import sim
from sim.errors import ResultsError
from sim.report import RESULT_FILES, check_writable, write_results


@pytest.fixture(scope="module")
def results():
    return sim.run(small_scenario(), replications=2, workers=1)


def test_write_results_writes_every_file(results, tmp_path):
    out = write_results(results, tmp_path / "a")
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)


def test_write_results_failure_leaves_nothing_behind(results, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr("sim.report.plots.plot_comparison", broken)
    with pytest.raises(RuntimeError):
        write_results(results, tmp_path / "a")
    assert list(tmp_path.iterdir()) == []


def test_write_results_replaces_an_earlier_result_whole(results, tmp_path):
    out = tmp_path / "a"
    out.mkdir()
    (out / "manifest.json").write_text("{}")  # an earlier result's
    (out / "stale.txt").write_text("old")
    write_results(results, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_write_results_read_only_folder_is_a_clear_error(results, tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ResultsError, match="cannot create the results folder"):
            write_results(results, tmp_path / "a")
    finally:
        tmp_path.chmod(0o700)


def test_write_results_into_a_file_path_is_a_clear_error(results, tmp_path):
    blocker = tmp_path / "a"
    blocker.write_text("not a folder")
    with pytest.raises(ResultsError, match="exists and is not a folder"):
        write_results(results, blocker)
    assert blocker.read_text() == "not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


def test_write_results_refuses_a_folder_that_is_not_a_results_folder(results,
                                                                    someone_elses_folder):
    with pytest.raises(ResultsError, match=r"notes: exists and is not a results folder"):
        write_results(results, someone_elses_folder.path)
    assert someone_elses_folder.untouched()


def test_check_writable_leaves_nothing_behind(tmp_path):
    check_writable(tmp_path / "a" / "b" / "results")
    assert list(tmp_path.iterdir()) == []
