"""Suite-wide settings: no per-example deadline in property tests.

The first call of a compiled (numba) function compiles it or loads it from the cache, which
can take longer than any sensible deadline; correctness, not speed, is what they check.
"""

from hypothesis import settings

settings.register_profile("promise-sim", deadline=None)
settings.load_profile("promise-sim")
