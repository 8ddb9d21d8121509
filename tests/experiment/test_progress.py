from factories import small_scenario

import sim
from sim.experiment.progress import progress_callback


def test_progress_true_draws_a_bar_that_ends_full(capsys):
    sim.run(small_scenario(), replications=3, workers=1, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err


def test_progress_function_sees_every_replication_once():
    seen = []
    sim.run(small_scenario(), replications=3, workers=1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_progress_false_or_none_is_silent(capsys):
    for quiet in (False, None):
        with progress_callback(quiet, "x") as report:
            assert report is None
    assert capsys.readouterr().err == ""
