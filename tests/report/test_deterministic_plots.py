"""Same inputs, same image bytes: what lets CI tell a changed plot from a re-drawn one."""

import json
import subprocess
import sys

from factories import small_scenario

import sim
from sim.report.output import write_result_files

DRAW = """
import sys
import sim
from sim.report.output import write_result_files
from pathlib import Path
results = sim.run(sim.load_scenario(sys.argv[1]), replications=2, workers=1)
write_result_files(results, Path(sys.argv[2]))
"""


def test_plots_are_byte_identical_across_processes(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(small_scenario().model_dump(mode="json", by_alias=True)))
    folders = [tmp_path / "here", tmp_path / "there"]
    for folder in folders:
        folder.mkdir()
    results = sim.run(sim.load_scenario(scenario), replications=2, workers=1)
    write_result_files(results, folders[0])
    subprocess.run([sys.executable, "-c", DRAW, str(scenario), str(folders[1])], check=True)
    pngs = sorted(p.name for p in folders[0].glob("*.png"))
    assert pngs == ["comparison.png", "timeseries.png"]
    for name in pngs:
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name
    assert b"Software" not in (folders[0] / "comparison.png").read_bytes()


def test_loading_a_json_dump_gives_the_same_scenario(tmp_path):
    scenario = small_scenario()
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(scenario.model_dump(mode="json", by_alias=True)))  # JSON is YAML
    assert sim.load_scenario(path) == scenario
