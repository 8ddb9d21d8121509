"""Named random streams: one per model component and replication, all from one root seed.

``SeedSequence(root, spawn_key=(replication, crc32(name)))`` gives every component its own
stream whatever else exists, so adding a component does not shift the others, and every
strategy of replication ``r`` meets the same orders, disruptions and carrier luck.
"""

from __future__ import annotations

from sim.model.seeding import NamedStreams, component_id

__all__ = ["component_id", "replication_streams"]


def replication_streams(root: int, replication: int) -> NamedStreams:
    """A factory of fresh generators for replication ``replication``: same name, same draws."""
    return NamedStreams(root, replication)
