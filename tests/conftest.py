"""Suite-wide settings: no per-example deadline in property tests; the validation plugin.

The first call of a compiled (numba) function compiles it or loads it from the cache, which
can take longer than any sensible deadline; correctness, not speed, is what they check.
The validation plugin must be registered here, not in its folder's conftest, so that it runs
in the xdist controller, which sees every report and writes docs/validation.md.
"""

from hypothesis import settings

pytest_plugins = ["validation.session"]

settings.register_profile("promise-sim", deadline=None)
settings.load_profile("promise-sim")
