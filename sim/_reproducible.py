"""Settings made before numba loads, so that the numbers do not depend on the machine.

numba vectorises loops of ``exp`` and ``log`` with Intel's SVML when that library is installed,
and SVML rounds differently from the C library in the last bit: a result would then depend on
whether it is installed where it ran (docs/reproducibility.md). An explicit setting wins.
"""

import os

os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")
