"""Linear-time stable orders are exactly numpy's stable ones: equal times keep their order."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.world.ordering import stable_order, stable_rank


def _times(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    if kind == "spread":
        return 2400.0 + 24.0 * rng.random(n)
    if kind == "ties at opening":  # parcels that arrive overnight are all handed over at 8:00
        return np.where(rng.random(n) < 0.5, 2408.0, 2408.0 + 12.0 * rng.random(n))
    if kind == "few values":
        return 2400.0 + rng.integers(0, 4, n).astype(float)
    if kind == "reversed":
        return np.sort(rng.random(n))[::-1].copy()
    return np.concatenate([np.full(n // 2, 5.0), 5.0 + 1e-9 * rng.random(n - n // 2)])  # clumped


@pytest.mark.parametrize("kind", ["spread", "ties at opening", "few values", "reversed",
                                  "clumped"])
@pytest.mark.parametrize("n", [0, 1, 2, 17, 5000])
def test_stable_order_is_numpys_stable_argsort(kind, n):
    keys = _times(np.random.default_rng(n), kind, n)
    np.testing.assert_array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(0, 300),
              elements=st.floats(allow_nan=True, allow_infinity=True, width=64)))
def test_stable_order_of_any_floats_is_numpys(keys):
    np.testing.assert_array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


def test_stable_order_of_keys_a_float_range_apart_is_numpys():
    keys = np.array([1e308, -1e308, 0.0, 1e308, -1e308])
    np.testing.assert_array_equal(stable_order(keys), np.argsort(keys, kind="stable"))


@pytest.mark.parametrize("kind", ["spread", "ties at opening", "reversed"])
def test_stable_rank_is_each_keys_place_in_the_stable_order(kind):
    keys = _times(np.random.default_rng(3), kind, 3000)
    rank = stable_rank(keys)
    np.testing.assert_array_equal(rank[np.argsort(keys, kind="stable")], np.arange(keys.size))
