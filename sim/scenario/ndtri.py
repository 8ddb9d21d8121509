"""The standard normal quantile inside compiled loops, with the bits of ``scipy.special.ndtri``.

``scipy.special.ndtri`` is a ufunc over one C function (cephes' ``ndtri``). A numba loop that
needs the quantile of one number at a time calls that same C function, which
``scipy.special.cython_special`` exports, by its address: the same bits, without a pass of
the ufunc over a whole array and a temporary array. The address is passed to the loop as a
plain integer (:func:`ndtri_address`), so numba's cache holds no pointer of another process.
"""

from __future__ import annotations

import ctypes
import functools

import numba
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic
from scipy.special import cython_special

__all__ = ["ndtri", "ndtri_address"]

#: The C signature of ``cython_special.ndtri`` (its second argument skips Python dispatch).
_SIGNATURE = b"double (double, int __pyx_skip_dispatch)"


@functools.cache
def ndtri_address() -> int:
    """The address of ``scipy.special.cython_special``'s C ``ndtri``, for :func:`ndtri`."""
    capsule = cython_special.__pyx_capi__["ndtri"]
    name = ctypes.pythonapi.PyCapsule_GetName
    name.restype = ctypes.c_char_p
    name.argtypes = [ctypes.py_object]
    if name(capsule) != _SIGNATURE:  # pragma: no cover - a scipy that changed it
        raise RuntimeError(f"scipy's cython_special.ndtri is {name(capsule)!r}, not {_SIGNATURE!r}")
    pointer = ctypes.pythonapi.PyCapsule_GetPointer
    pointer.restype = ctypes.c_void_p
    pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return int(pointer(capsule, _SIGNATURE))


@intrinsic
def _call_ndtri(typingctx, function, u):
    """Call the C ``ndtri`` at address ``function`` on ``u``."""
    if not (isinstance(function, types.Integer) and isinstance(u, types.Float)):
        return None

    def codegen(context, builder, signature, args):
        kind = ir.FunctionType(ir.DoubleType(), [ir.DoubleType(), ir.IntType(32)])
        call = builder.inttoptr(args[0], kind.as_pointer())
        return builder.call(call, [args[1], ir.Constant(ir.IntType(32), 0)])

    return types.float64(function, u), codegen


@numba.njit(cache=True, inline="always")
def ndtri(address, u):
    """The standard normal quantile at ``u``, as ``scipy.special.ndtri(u)`` gives it
    (``address``: :func:`ndtri_address`).
    """
    return _call_ndtri(address, float(u))
