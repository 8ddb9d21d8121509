"""Named random streams: one per model component and replication, all from one root seed.

``SeedSequence(root, spawn_key=(replication, crc32(name)))`` gives every component its own
stream whatever else exists, so adding a component does not shift the others, and every
strategy of replication ``r`` meets the same orders, disruptions and carrier luck.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

__all__ = ["component_id", "replication_streams"]


def component_id(name: str) -> int:
    """A stable id of a component name (``hash()`` changes between processes; crc32 does not)."""
    return zlib.crc32(name.encode("utf-8"))


def replication_streams(root: int, replication: int) -> Callable[[str], np.random.Generator]:
    """A factory of fresh generators for replication ``replication``: same name, same draws."""

    def stream(name: str) -> np.random.Generator:
        seed = np.random.SeedSequence(root, spawn_key=(replication, component_id(name)))
        return np.random.Generator(np.random.PCG64(seed))

    return stream
