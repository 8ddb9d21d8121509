"""Suite-wide settings: no per-example deadline in property tests; the validation plugin.

The first call of a compiled (numba) function compiles it or loads it from the cache, which
can take longer than any sensible deadline; correctness, not speed, is what they check.
The validation plugin must be registered here, not in its folder's conftest, so that it runs
in the xdist controller, which sees every report and writes docs/validation.md.
"""

from pathlib import Path

from hypothesis import settings

pytest_plugins = ["validation.session", "folders"]

settings.register_profile("promise-sim", deadline=None)
settings.load_profile("promise-sim")


def pytest_configure(config) -> None:
    """Drop numba's compiled functions older than the newest source file of ``sim``.

    numba's cache checks the file of each function it compiled, not the files of the
    functions it inlined: after an edit to ``sim/model/customers.py`` the compiled judging
    pass of ``sim/world/judging.py`` would still run the old ``learn``. Done once, in the xdist
    controller, before any worker loads a cache.
    """
    if hasattr(config, "workerinput"):
        return
    package = Path(__file__).resolve().parents[1] / "sim"
    newest = max(path.stat().st_mtime for path in package.rglob("*.py"))
    for cached in package.rglob("__pycache__/*.nb[ic]"):
        if cached.stat().st_mtime < newest:
            cached.unlink(missing_ok=True)
