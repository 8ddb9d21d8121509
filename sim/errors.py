"""The one exception tree of promise-sim.

    SimError                 anything the user can fix: one line, exit status 2 at the CLI
    ├── ScenarioError        a scenario file or value that is malformed or impossible
    ├── StrategyError        a promise strategy that cannot be imported or misbehaves
    ├── ExperimentError      a run that cannot proceed (overloaded world, bad option)
    └── ResultsError         a results folder that cannot be read or written

Anything else raised inside the package is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["ExperimentError", "ResultsError", "ScenarioError", "SimError", "StrategyError"]


class SimError(Exception):
    """Base of every error a user can act on."""


class ScenarioError(SimError):
    """A scenario that is malformed, inconsistent or impossible."""


class StrategyError(SimError):
    """A promise strategy that cannot be built or returned a bad quote."""


class ExperimentError(SimError):
    """An experiment that cannot be carried out as asked."""


class ResultsError(SimError):
    """A results folder that cannot be written or read."""
