"""The compiled uniforms of a named stream are numpy's, bit for bit."""

import numpy as np
import pytest

from sim.model.seeding import NamedStreams, component_id


@pytest.mark.parametrize("root", [0, 1, 12345, 2**32 + 5, 2**63 + 11, 2**100 + 3])
@pytest.mark.parametrize("replication", [0, 3, 2**33])
def test_uniforms_are_numpys(root: int, replication: int) -> None:
    streams = NamedStreams(root, replication)
    for name in ("customers:0", "customers:17", "customers:rival:300", ""):
        assert np.array_equal(streams.uniforms(name, 40, 3), streams(name).random((40, 3)))


def test_a_stream_is_the_seed_sequence_of_its_name() -> None:
    seed = np.random.SeedSequence(7, spawn_key=(2, component_id("demand")))
    expected = np.random.Generator(np.random.PCG64(seed)).random(5)
    assert np.array_equal(NamedStreams(7, 2)("demand").random(5), expected)
    assert np.array_equal(NamedStreams(7, 2).uniforms("demand", 5, 1).ravel(), expected)


def test_no_uniforms() -> None:
    assert NamedStreams(1, 0).uniforms("x", 0, 3).shape == (0, 3)
