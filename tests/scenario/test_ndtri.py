"""The normal quantile called from compiled loops gives scipy's ``ndtri`` bit for bit."""

import numba
import numpy as np
import pytest
from scipy import special

from sim.scenario.ndtri import ndtri, ndtri_address


@numba.njit
def _quantiles(address, u):
    out = np.empty(u.size)
    for i in range(u.size):
        out[i] = ndtri(address, u[i])
    return out


@pytest.mark.parametrize("seed", range(3))
def test_ndtri_by_address_has_the_bits_of_the_ufunc(seed):
    rng = np.random.default_rng(seed)
    u = np.concatenate([
        rng.random(200_000),
        rng.random(20_000) * 1e-3, 1.0 - rng.random(20_000) * 1e-3,  # both tails
        rng.random(20_000) ** 40,  # deep in the lower tail, past exp(-32)
        [0.0, 1.0, 0.5, 5e-324, 1e-300, 1.0 - 2**-53, np.exp(-2.0), 1.0 - np.exp(-2.0),
         -0.5, 1.5, np.nan, np.inf],
    ])
    np.testing.assert_array_equal(_quantiles(ndtri_address(), u).view(np.int64),
                                  special.ndtri(u).view(np.int64))
