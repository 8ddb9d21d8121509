"""Named random streams, and the uniforms of one drawn in compiled code, bit for bit numpy's.

Every component of a replication draws from its own stream,
``PCG64(SeedSequence(root, spawn_key=(replication, crc32(name))))``, so adding a component
shifts no other. Customers' luck takes a fresh stream every day (``customers:<day>``), and
building one through numpy costs 50 to 100 µs, more than judging a small day's parcels: here
numpy's ``SeedSequence`` mixing and ``PCG64`` (a 128-bit LCG with the XSL-RR output) are
written out in compiled code, so a day's uniforms cost about a microsecond. Both give the same
numbers (``tests/model/test_seeding.py``).
"""

from __future__ import annotations

import zlib

import numba
import numpy as np

__all__ = ["NamedStreams", "component_id", "fill_uniforms"]

_U = np.uint64
_MASK32 = _U(0xFFFFFFFF)
_INIT_A, _MULT_A = _U(0x43B0D7E5), _U(0x931E8875)
_INIT_B, _MULT_B = _U(0x8B51F9DD), _U(0x58F38DED)
_MIX_MULT_L, _MIX_MULT_R = _U(0xCA01F9DD), _U(0x4973F715)
_POOL = 4
#: PCG64's 128-bit multiplier, high and low words.
_MULT_HI, _MULT_LO = _U(2549297995355413924), _U(4865540595714422341)
_ONE, _16, _32, _63, _64, _11, _58 = _U(1), _U(16), _U(32), _U(63), _U(64), _U(11), _U(58)


def component_id(name: str) -> int:
    """A stable id of a component name (``hash()`` changes between processes; crc32 does not)."""
    return zlib.crc32(name.encode("utf-8"))


def _words(value: int) -> list[int]:
    """``value`` as numpy's SeedSequence reads an integer: 32-bit words, lowest first."""
    words = []
    while True:
        words.append(value & 0xFFFFFFFF)
        value >>= 32
        if value == 0:
            return words


class NamedStreams:
    """The streams of one replication by name: calling it with a name gives a fresh numpy
    generator of that stream; :meth:`uniforms` gives a stream's first uniforms without one.
    """

    __slots__ = ("_entropy", "replication", "root")

    def __init__(self, root: int, replication: int) -> None:
        self.root, self.replication = int(root), int(replication)
        run = _words(self.root)
        run += [0] * (_POOL - len(run))
        self._entropy = np.array(run + _words(self.replication) + [0], dtype=np.uint64)

    def __call__(self, name: str) -> np.random.Generator:
        """A fresh generator of the stream ``name``."""
        seed = np.random.SeedSequence(self.root,
                                      spawn_key=(self.replication, component_id(name)))
        return np.random.Generator(np.random.PCG64(seed))

    def entropy(self, name: str = "") -> np.ndarray:
        """The words the stream ``name`` is seeded from (its last word the name's id), for
        :func:`fill_uniforms`.
        """
        entropy = self._entropy.copy()
        entropy[-1] = component_id(name)
        return entropy

    def uniforms(self, name: str, rows: int, columns: int) -> np.ndarray:
        """``self(name).random((rows, columns))``, computed without making the generator."""
        out = np.empty((rows, columns))
        fill_uniforms(self.entropy(name), out.reshape(-1))
        return out


@numba.njit(cache=True, inline="always")
def _hashmix(value, hash_const):
    value = (value ^ hash_const) & _MASK32
    hash_const = (hash_const * _MULT_A) & _MASK32
    value = (value * hash_const) & _MASK32
    return value ^ (value >> _16), hash_const


@numba.njit(cache=True, inline="always")
def _mix(x, y):
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK32
    return result ^ (result >> _16)


@numba.njit(cache=True)
def _pool(entropy):
    """SeedSequence's pool of four words from its assembled entropy words."""
    mixer = np.zeros(_POOL, dtype=np.uint64)
    h = _INIT_A
    for i in range(_POOL):
        mixer[i], h = _hashmix(entropy[i] if i < entropy.size else _U(0), h)
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                mixed, h = _hashmix(mixer[src], h)
                mixer[dst] = _mix(mixer[dst], mixed)
    for src in range(_POOL, entropy.size):
        for dst in range(_POOL):
            mixed, h = _hashmix(entropy[src], h)
            mixer[dst] = _mix(mixer[dst], mixed)
    return mixer


@numba.njit(cache=True, inline="always")
def _mul64(a, b):
    """The 128-bit product of two 64-bit words, as (high, low)."""
    a_lo, a_hi = a & _MASK32, a >> _32
    b_lo, b_hi = b & _MASK32, b >> _32
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    cross = (lo_lo >> _32) + (hi_lo & _MASK32) + a_lo * b_hi
    high = a_hi * b_hi + (hi_lo >> _32) + (cross >> _32)
    return high, (cross << _32) | (lo_lo & _MASK32)


@numba.njit(cache=True, inline="always")
def _step(hi, lo, inc_hi, inc_lo):
    """One step of PCG64's LCG: state * multiplier + increment, modulo 2^128."""
    high, low = _mul64(lo, _MULT_LO)
    high += hi * _MULT_LO + lo * _MULT_HI
    new_lo = low + inc_lo
    carry = _ONE if new_lo < low else _U(0)
    return high + inc_hi + carry, new_lo


@numba.njit(cache=True)
def fill_uniforms(entropy, out):
    """Fill ``out`` with the first doubles of PCG64 seeded by the SeedSequence of ``entropy``."""
    mixer = _pool(entropy)
    state = np.zeros(8, dtype=np.uint64)
    h = _INIT_B
    for i in range(8):
        value = (mixer[i % _POOL] ^ h) & _MASK32
        h = (h * _MULT_B) & _MASK32
        value = (value * h) & _MASK32
        state[i] = value ^ (value >> _16)
    seed_hi, seed_lo = state[0] | (state[1] << _32), state[2] | (state[3] << _32)
    seq_hi, seq_lo = state[4] | (state[5] << _32), state[6] | (state[7] << _32)
    inc_hi = (seq_hi << _ONE) | (seq_lo >> _63)
    inc_lo = (seq_lo << _ONE) | _ONE
    hi, lo = _step(_U(0), _U(0), inc_hi, inc_lo)
    lo_sum = lo + seed_lo
    hi = hi + seed_hi + (_ONE if lo_sum < lo else _U(0))
    hi, lo = _step(hi, lo_sum, inc_hi, inc_lo)
    for k in range(out.size):
        hi, lo = _step(hi, lo, inc_hi, inc_lo)
        word = hi ^ lo
        rot = hi >> _58
        word = (word >> rot) | (word << ((_64 - rot) & _63))
        out[k] = (word >> _11) * (1.0 / 9007199254740992.0)
