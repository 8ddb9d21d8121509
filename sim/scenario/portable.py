"""Elementwise ``exp`` and ``log1p`` that give the same bits on every processor.

numpy picks vector versions of its transcendental functions when it starts (AVX-512 among
them), and they round differently in the last bit from the scalar ones. A result must not
depend on the machine that made it: a Dask cluster of mixed processors, or a manifest rerun
on another computer, must give the original numbers bit for bit. These loops call the C
library's functions on every element, as the compiled model does.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["exp", "log1p", "scaled_exp"]


@numba.njit(cache=True)
def _scaled_exp(z, inner, outer):
    for i in range(z.size):
        z[i] = outer * math.exp(inner * z[i])


@numba.njit(cache=True)
def _log1p(x, out):
    for i in range(x.size):
        out[i] = math.log1p(x[i])


def scaled_exp(z: np.ndarray, inner: float, outer: float) -> np.ndarray:
    """``outer * exp(inner * z)``, written into ``z`` itself when it is a contiguous float
    array that may be written (no temporaries), else into a new array of its shape.
    """
    if not (isinstance(z, np.ndarray) and z.dtype == np.float64 and z.flags.c_contiguous
            and z.flags.writeable):
        z = np.array(z, dtype=float, order="C", copy=True)
    _scaled_exp(z.reshape(-1), float(inner), float(outer))
    return z


def exp(x: np.ndarray) -> np.ndarray:
    """``exp(x)`` as a new array."""
    return scaled_exp(np.array(x, dtype=float, order="C", copy=True), 1.0, 1.0)


def log1p(x: np.ndarray) -> np.ndarray:
    """``log(1 + x)`` as a new array."""
    x = np.ascontiguousarray(x, dtype=float)
    out = np.empty_like(x)
    _log1p(x.reshape(-1), out.reshape(-1))
    return out
