"""The installed version of promise-sim (reading package metadata takes a tenth of a second,
so ``sim.__version__`` is looked up only when asked for).
"""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("promise-sim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
