"""The user's own SimPy processes handed to :func:`sim.run`, and what the manifest says of them.

A process (:mod:`sim.world.processes`) is a function; it reaches worker processes and a later
rerun by its import path (``module:qualname``), so one defined in a notebook cell or inside a
function runs on one worker only, and the manifest says the result cannot be rerun from it.
"""

from __future__ import annotations

import importlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import ExperimentError, ResultsError
from sim.world.processes import Process

__all__ = ["UserProcess", "cannot_travel", "describe_processes", "import_processes",
           "manifest_entries"]


@dataclass(frozen=True, slots=True)
class UserProcess:
    """A process with its import path and why it cannot be rebuilt from it (None: it can)."""

    process: Process
    path: str
    not_rerunnable: str | None


def describe_processes(processes: Sequence[Process]) -> tuple[UserProcess, ...]:
    """The record of each process: its import path and whether it can be imported again."""
    described = []
    for process in processes:
        if not callable(process):
            raise ExperimentError(f"processes: {process!r} is not a function of (env, "
                                  "replication)")
        module = getattr(process, "__module__", None) or "?"
        qualname = getattr(process, "__qualname__", None) or type(process).__qualname__
        why = None
        if module == "__main__":
            why = (f"its function {qualname} is defined in __main__ (a notebook cell or a "
                   "script); define it in a module to make the result rerunnable")
        elif "<" in qualname:
            why = (f"its function {qualname} is defined inside a function or is a lambda; "
                   "define it at the top of a module to make the result rerunnable")
        described.append(UserProcess(process, f"{module}:{qualname}", why))
    return tuple(described)


def cannot_travel(processes: Sequence[UserProcess]) -> str | None:
    """Why the processes cannot be sent to worker processes (None when they can)."""
    for p in processes:
        if p.not_rerunnable is not None:
            return (f"process {p.path}: {p.not_rerunnable.split(';')[0]}, which worker "
                    "processes cannot import: run with workers=1, or define it in a module")
        try:
            pickle.dumps(p.process)
        except Exception as exc:  # any pickling failure is the user's object's
            return f"process {p.path} cannot be sent to worker processes ({exc}): run with " \
                   "workers=1"
    return None


def manifest_entries(processes: Sequence[UserProcess]) -> list[dict[str, Any]]:
    """What the manifest records of each process: its path, rerunnable or why not."""
    return [{"path": p.path, "rerunnable": p.not_rerunnable is None,
             "why_not": p.not_rerunnable} for p in processes]


def import_processes(entries: Sequence[dict[str, Any]], *, source: str) -> list[Process]:
    """The processes a manifest records, imported again by their paths."""
    found = []
    for entry in entries:
        path = str(entry.get("path"))
        if not entry.get("rerunnable", False):
            raise ResultsError(f"{source}: cannot be rerun from the manifest: process {path} "
                               f"{entry.get('why_not')}")
        module, _, qualname = path.partition(":")
        try:
            target: Any = importlib.import_module(module)
            for part in qualname.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as exc:
            raise ResultsError(f"{source}: process {path} cannot be imported ({exc})") from None
        found.append(target)
    return found
