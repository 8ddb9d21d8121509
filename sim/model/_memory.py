"""Memory tooling for the compiled passes: cache-line blocks and asking for a line ahead of use.

Records that a pass visits in random order (customers, parcels) each fill one 64-byte cache
line, aligned on one, and the pass asks the memory for the records it will need
:data:`AHEAD` steps before it needs them, so that many arrive at once instead of one after
another. None of this changes a number, only when memory is read.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = ["AHEAD", "LINE", "cache_lines", "prefetch"]

#: Bytes of a cache line: a record is one, aligned on one.
LINE = 64
#: How many records ahead a compiled loop asks the memory for a record: records lie far apart,
#: and asking early lets many arrive at once instead of one after another.
AHEAD = 16


@intrinsic
def prefetch(typingctx, array, index):
    """Ask the memory for the line of ``array[index]`` (its first item if ``array`` has more
    dimensions) ahead of use: a hint, which never faults.
    """
    signature = types.void(array, index)

    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        first = [context.get_constant(types.intp, 0)] * (array_type.ndim - 1)
        pointer = cgutils.get_item_pointer(context, builder, array_type, view,
                                           [args[1], *first], wraparound=False)
        byte = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte, i32, i32, i32]),
            "llvm.prefetch.p0")
        # a read, to be kept in every cache level, of data
        builder.call(hint, [builder.bitcast(pointer, byte), ir.Constant(i32, 0),
                            ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return signature, codegen


def cache_lines(capacity: int) -> np.ndarray:
    """An uninitialised block of ``capacity`` cache lines, one a row, aligned on a line."""
    raw = np.empty((capacity + 1) * LINE, dtype=np.uint8)
    skip = -raw.ctypes.data % LINE
    return raw[skip: skip + capacity * LINE].reshape(capacity, LINE)
