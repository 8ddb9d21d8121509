"""Plain-text tables for the benchmark scripts: first column left-aligned, the rest right."""

from __future__ import annotations

from collections.abc import Sequence


def aligned(head: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    """``head`` and the rows of ``body`` as an aligned table with a rule under the head."""
    widths = [max(len(x) for x in column) for column in zip(head, *body)]
    lines = [
        "  ".join(x.rjust(w) if i else x.ljust(w) for i, (x, w) in enumerate(zip(r, widths)))
        for r in (head, *body)
    ]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])
