"""Elementwise maths with the same bits on every processor, and runs that do not depend on
the vector instructions numpy picks when it starts."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import sim
from sim.scenario.overrides import with_values
from sim.scenario.portable import exp, log1p, scaled_exp

ROOT = Path(__file__).resolve().parents[2]
FINITE = st.floats(-700.0, 700.0, allow_nan=False)


@given(hnp.arrays(np.float64, st.integers(0, 40), elements=FINITE))
def test_exp_is_the_c_librarys_on_every_element(x):
    expected = np.array([math.exp(v) for v in x])
    assert exp(x).tobytes() == expected.tobytes()


@given(hnp.arrays(np.float64, st.integers(0, 40), elements=st.floats(-0.999999, 1e300)))
def test_log1p_is_the_c_librarys_on_every_element(x):
    expected = np.array([math.log1p(v) for v in x])
    assert log1p(x).tobytes() == expected.tobytes()


def test_scaled_exp_writes_into_a_float_array_and_copies_anything_else():
    z = np.array([[0.0, 1.0], [-1.0, 2.0]])
    out = scaled_exp(z, 0.5, 3.0)
    assert out is z
    assert out.tolist() == [[3.0 * math.exp(0.5 * v) for v in row]
                            for row in ([0.0, 1.0], [-1.0, 2.0])]
    column = np.arange(6.0).reshape(3, 2)[:, 1]  # not contiguous: left as it is
    assert scaled_exp(column, 1.0, 1.0).tolist() == [math.exp(v) for v in (1.0, 3.0, 5.0)]
    assert column.tolist() == [1.0, 3.0, 5.0]
    assert scaled_exp(2.0, 1.0, 2.0).shape == () and exp([0.0]).tolist() == [1.0]


def test_numba_is_kept_from_intel_svml_unless_asked():
    code = "import sim, numba; print(numba.config.DISABLE_INTEL_SVML, numba.config.USING_SVML)"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_INTEL_SVML"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    assert out.stdout.split() == ["1", "False"]


def _vector_targets() -> list[str]:
    """numpy's run-time vector targets this processor has beyond numpy's baseline."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # pragma: no cover - another numpy layout
        return []
    return [t for t in __cpu_dispatch__ if __cpu_features__.get(t)]


DIGESTS = """
import json, sys
import sim
from sim.scenario.overrides import with_values
out = {}
for path in sys.argv[1:]:
    scenario = with_values(sim.load_scenario(path), {"horizon.days": 120})
    results = sim.run(scenario, replications=2, workers=1)
    out[path] = results.manifest["replications_sha256"]
print(json.dumps(out))
"""
#: Customers who learn (log-normal transit, repurchase clocks) and a market (logit choice).
REACHING = ["scenarios/repeat_customers.yaml",
            "scenarios/seeds/08_winning_work_with_a_tight_promise.yaml"]


def test_numbers_do_not_depend_on_the_vector_instructions_numpy_picks():
    targets = _vector_targets()
    if not targets:
        pytest.skip("numpy uses no vector instructions beyond its baseline here")
    here = {}
    for path in REACHING:
        scenario = with_values(sim.load_scenario(ROOT / path), {"horizon.days": 120})
        here[path] = sim.run(scenario, replications=2, workers=1).manifest[
            "replications_sha256"]
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(targets)}
    out = subprocess.run([sys.executable, "-c", DIGESTS, *REACHING], capture_output=True,
                         text=True, env=env, cwd=ROOT, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here, targets
