"""The public names of sim.history."""

import sim.history


def test_history_all_is_pinned_and_importable():
    assert len(sim.history.__all__) == len(set(sim.history.__all__)) == 55
    for name in sim.history.__all__:
        assert getattr(sim.history, name) is not None
