import json

import pandas as pd
import pytest
from factories import quiet_fortnight, small_scenario

import sim
from sim.errors import ResultsError
from sim.experiment.manifest import replications_digest
from sim.experiment.rerun import read_manifest, rerun


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "small"
    results = sim.run(small_scenario(), replications=3, workers=1)
    sim.write_results(results, out)
    return out


def test_rerun_from_the_manifest_alone_reproduces_every_number(folder, tmp_path):
    alone = tmp_path / "manifest.json"
    alone.write_bytes((folder / "manifest.json").read_bytes())
    again = rerun(alone, workers=2)
    assert again.matches and again.same_code
    assert again.changes is None  # no table beside it to compare with
    pd.testing.assert_frame_equal(again.results.replications,
                                  pd.read_parquet(folder / "replications.parquet"))


def test_rerun_says_what_moved_when_the_numbers_differ(folder, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    table = pd.read_parquet(folder / "replications.parquet")
    table.loc[0, "satisfaction_mean"] += 0.5
    table.to_parquet(copy / "replications.parquet", index=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["replications_sha256"] = replications_digest(table)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    again = rerun(copy / "manifest.json", workers=1)
    assert not again.matches
    moved = again.changes[again.changes["max_abs_change"] > 0]
    assert moved[["strategy", "metric"]].values.tolist() == [
        [table.loc[0, "strategy"], "satisfaction_mean"]]
    assert moved["max_abs_change"].iloc[0] == pytest.approx(0.5)


def test_digest_sees_the_last_bit_of_a_float():
    table = pd.DataFrame({"strategy": ["a"], "x": [0.1]})
    nudged = table.assign(x=[0.1 + 2**-56])
    assert nudged["x"].iloc[0] != 0.1
    assert replications_digest(table) != replications_digest(nudged)
    assert replications_digest(table) == replications_digest(table.copy())


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such manifest"),
    ("{", "not a manifest \\(invalid JSON"),
    ("[1, 2]", "not a run's manifest \\(not a JSON object\\)"),
    ('{"seed": 1}', "not a run's manifest \\(missing scenario_spec, replications\\)"),
])
def test_read_manifest_refuses_what_is_not_one(tmp_path, content, message):
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ResultsError, match=message):
        read_manifest(path)


def test_rerun_of_a_manifest_with_a_broken_scenario_names_it(folder, tmp_path):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["scenario_spec"]["demand"]["orders_per_day"] = -1
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ResultsError, match=r"scenario_spec: demand\.orders_per_day"):
        rerun(path, workers=1)


def test_rerun_names_the_versions_that_differ_from_the_run(folder, tmp_path):
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {"python", "numpy", "numba", "system", "libc"} <= set(manifest["versions"])
    numpy_now = manifest["versions"]["numpy"]
    manifest["versions"]["numpy"] = "1.0.0"
    manifest["replications_sha256"] = "0" * 64
    changed = tmp_path / "manifest.json"
    changed.write_text(json.dumps(manifest))
    again = rerun(changed, workers=1)
    assert not again.matches
    assert again.other_versions == {"numpy": ("1.0.0", numpy_now)}


def test_rerun_imports_a_process_by_its_path_and_refuses_one_it_cannot(tmp_path):
    scenario = small_scenario(experiment={"replications": 2, "seed": 3})
    out = tmp_path / "with_process"
    sim.write_results(sim.run(scenario, processes=[quiet_fortnight], workers=1), out)
    again = rerun(out / "manifest.json", workers=1)
    assert again.matches

    def local(env, replication):
        yield replication.day_started

    elsewhere = tmp_path / "local_process"
    sim.write_results(sim.run(scenario, processes=[local], workers=1), elsewhere)
    with pytest.raises(ResultsError, match=r"cannot be rerun.*process .*local"):
        rerun(elsewhere / "manifest.json", workers=1)
