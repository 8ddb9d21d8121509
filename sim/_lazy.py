"""Public names of a package imported on first use (PEP 562), so importing it stays quick.

A command needs a few layers (``promise-sim seeds`` never fits a history, most commands draw
no figure), but ``import sim`` used to import them all: statsmodels, matplotlib and the rest
cost seconds at every start, in the command and in every worker pool's server. A package
lists where each public name lives and takes :func:`lazy_names`'s ``__getattr__`` and
``__dir__``; its ``if TYPE_CHECKING:`` block keeps the names visible to type checkers.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, origins: Mapping[str, tuple[str, ...]], *, submodules: tuple[str, ...] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``origins[module]`` is
    imported from ``module`` when first asked for, then kept in the package; so is each of
    ``submodules`` (``sim.experiment`` after ``import sim``, as when every layer was imported).
    """
    where = {name: module for module, names in origins.items() for name in names}

    def attribute(name: str) -> Any:
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        try:
            module = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def listing() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where, *submodules})

    return attribute, listing
