"""Writing a YAML file line by line with a comment on any line: what the fitted scenario's
text is made of (:mod:`sim.history.scenario_text`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from sim.history.estimate import LEVEL, Basis, Estimate

__all__ = ["CommentedLines", "basis_text", "estimate_text", "flow", "number"]


def number(x: float) -> str:
    """``x`` to four significant digits (null when not finite)."""
    return f"{float(x):.4g}" if math.isfinite(x) else "null"


def flow(value: Any) -> str:
    """``value`` in YAML flow style: short, and exact for what a scenario holds."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return number(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return f'"{value}"'


def basis_text(basis: Basis) -> str:
    """What an estimate rests on: its period and orders."""
    return f"{basis.start}..{basis.end}, {basis.orders:,} orders"


def estimate_text(e: Estimate) -> str:
    """An estimate's uncertainty: its standard error, or its interval when it has none."""
    if math.isnan(e.se):
        return f"{LEVEL:.0%} interval [{number(e.low)}, {number(e.high)}]"
    return f"se {number(e.se)}"


class CommentedLines:
    """A scenario file being written: keys at their depth, each with an optional comment."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, text: str, depth: int = 0) -> None:
        """A comment line at ``depth``."""
        self.lines.append("  " * depth + f"# {text}")

    def key(self, name: str, value: Any = None, comment: str = "", depth: int = 0) -> None:
        """``name: value`` at ``depth`` (``name:`` alone opens a section), with a comment."""
        text = "  " * depth + (f"{name}:" if value is None else f"{name}: {flow(value)}")
        self.lines.append(text + (f"  # {comment}" if comment else ""))

    def item(self, value: Any, comment: str = "", depth: int = 1) -> None:
        """A list item ``- value`` at ``depth``, with a comment."""
        self.lines.append("  " * depth + f"- {flow(value)}" + (f"  # {comment}" if comment
                                                                   else ""))
