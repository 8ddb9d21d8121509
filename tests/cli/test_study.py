"""Every command that writes a folder refuses one that is not a results folder, untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli.app import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

COMMANDS = {
    "run": ["run", str(SCENARIOS / "zappos_vs_competitor.yaml")],
    "sweep": ["sweep", str(SCENARIOS / "headline_buffer_sweep.yaml")],
    "optimize": ["optimize", str(SCENARIOS / "optimize_promise.yaml")],
    "sensitivity": ["sensitivity", str(SCENARIOS / "seeds_sensitivity.yaml")],
    "seeds": ["seeds", str(sorted((SCENARIOS / "seeds").glob("*.yaml"))[0])],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_command_refuses_a_folder_that_is_not_a_results_folder(command, someone_elses_folder,
                                                               capsys):
    code = main([*COMMANDS[command], "-o", str(someone_elses_folder.path)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("promise-sim: error: ")
    assert "notes: exists and is not a results folder" in err
    assert someone_elses_folder.untouched()
