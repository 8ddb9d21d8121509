import numpy as np

from sim.experiment.streams import component_id, replication_streams


def test_streams_same_name_gives_same_draws():
    streams = replication_streams(42, 3)
    np.testing.assert_array_equal(streams("carrier").random(10), streams("carrier").random(10))


def test_streams_differ_between_components_and_replications():
    a = replication_streams(42, 0)("carrier").random(10)
    b = replication_streams(42, 0)("demand").random(10)
    c = replication_streams(42, 1)("carrier").random(10)
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_streams_component_id_is_stable_across_processes():
    import os
    import subprocess
    import sys

    code = "from sim.experiment.streams import component_id; print(component_id('carrier'))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert int(out.stdout) == component_id("carrier")


def test_streams_new_component_does_not_shift_existing_ones():
    before = replication_streams(1, 0)("warehouse").random(5)
    replication_streams(1, 0)("a_new_component").random(100)
    after = replication_streams(1, 0)("warehouse").random(5)
    np.testing.assert_array_equal(before, after)
