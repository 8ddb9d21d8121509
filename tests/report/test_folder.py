"""The results-folder guard: only an earlier result (or nothing) is ever replaced whole."""

from __future__ import annotations

import pytest

from sim.errors import ResultsError
from sim.report.folder import atomic_folder, check_replaceable


def test_check_replaceable_accepts_a_new_an_empty_and_an_earlier_results_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    for marker in ("manifest.json", "verdict.csv"):
        (tmp_path / marker.split(".")[0]).mkdir()
        (tmp_path / marker.split(".")[0] / marker).write_text("{}")
    for name in ("new", "empty", "manifest", "verdict"):
        check_replaceable(tmp_path / name)


def test_check_replaceable_refuses_the_current_folder_and_its_parents(tmp_path, monkeypatch):
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    for out in (".", "..", str(tmp_path / "a")):
        with pytest.raises(ResultsError, match=r"must not be the current folder or hold it$"):
            check_replaceable(out)


def test_check_replaceable_refuses_a_folder_holding_a_kept_file(tmp_path):
    scenario = tmp_path / "out" / "mine.yaml"
    scenario.parent.mkdir()
    scenario.write_text("name: x\n")
    (tmp_path / "out" / "manifest.json").write_text("{}")
    with pytest.raises(ResultsError, match=r"out: .* must not hold the scenario .*mine\.yaml$"):
        check_replaceable(tmp_path / "out", keep=[scenario])


def test_check_replaceable_refuses_a_file(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(ResultsError, match=r"out: exists and is not a folder$"):
        check_replaceable(tmp_path / "out")


def test_atomic_folder_refuses_someone_elses_folder_before_writing(someone_elses_folder):
    message = (r"notes: exists and is not a results folder \(it has no manifest\.json or "
               r"verdict\.csv\); it would be replaced whole, so choose another folder or "
               r"empty it$")
    with pytest.raises(ResultsError, match=message), atomic_folder(someone_elses_folder.path):
        raise AssertionError("the block must not run")
    assert someone_elses_folder.untouched()


def test_atomic_folder_refuses_a_folder_that_became_someone_elses_during_the_write(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ResultsError, match="is not a results folder"), \
            atomic_folder(out) as staging:
        (staging / "manifest.json").write_text("{}")
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    assert (out / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
