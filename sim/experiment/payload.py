"""How a replication's outcome travels between processes: its tables packed into a few arrays.

An outcome holds a row of metrics, a weekly series and a satisfaction histogram per strategy:
a hundred small objects (floats in dicts, one array per series), each of which pickle handles
on its own. Packed, the metrics are one array, the series one array per kind, the histograms
one array; unpacked, they are the same values with the same types as numpy gives them (a
float metric comes back a Python float, a float64 array a float64 array). Anything that does
not fit the pattern travels as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pack_histograms", "pack_rows", "pack_series", "unpack"]

_LEAD = ("strategy", "replication")


def _same_keys(dicts: list[dict[str, Any]]) -> tuple[str, ...] | None:
    """The keys every dict has, in their common order, starting with :data:`_LEAD`; or None."""
    if not dicts:
        return None
    keys = tuple(dicts[0])
    if keys[:2] != _LEAD or any(tuple(d) != keys for d in dicts):
        return None
    return keys


def pack_rows(rows: list[dict[str, Any]]) -> tuple:
    """Rows of metrics (strategy, replication, then floats) as names, numbers and one array."""
    keys = _same_keys(rows)
    if keys is None or not all(isinstance(r[k], float) for r in rows for k in keys[2:]):
        return ("as_is", rows)
    values = np.array([[r[k] for k in keys[2:]] for r in rows], dtype=np.float64)
    return ("rows", keys, [r["strategy"] for r in rows], [r["replication"] for r in rows],
            values)


def pack_series(series: list[dict[str, Any]]) -> tuple:
    """Weekly series (strategy, replication, then 1-D arrays of one length) as one array per
    dtype of the series.
    """
    keys = _same_keys(series)
    if keys is None:
        return ("as_is", series)
    arrays = [[s[k] for k in keys[2:]] for s in series]
    first = arrays[0]
    if not all(isinstance(a, np.ndarray) and a.ndim == 1 and a.shape == first[0].shape
               and a.dtype == f.dtype for one in arrays for a, f in zip(one, first)):
        return ("as_is", series)
    dtypes = [a.dtype for a in first]
    groups = list(dict.fromkeys(dtypes))
    blocks = [np.array([[a for a, d in zip(one, dtypes) if d == g] for one in arrays], dtype=g)
              for g in groups]
    return ("series", keys, [s["strategy"] for s in series], [s["replication"] for s in series],
            [groups.index(d) for d in dtypes], blocks)


def pack_histograms(histograms: dict[str, np.ndarray]) -> tuple:
    """Histograms by strategy, all float64 of one length, as names and one array."""
    values = list(histograms.values())
    if not values or not all(isinstance(v, np.ndarray) and v.dtype == np.float64
                             and v.shape == values[0].shape and v.ndim == 1 for v in values):
        return ("as_is", histograms)
    return ("histograms", list(histograms), np.stack(values))


def unpack(packed: tuple) -> Any:
    """What :func:`pack_rows`, :func:`pack_series` or :func:`pack_histograms` packed."""
    kind = packed[0]
    if kind == "as_is":
        return packed[1]
    if kind == "rows":
        _, keys, names, numbers, values = packed
        return [{"strategy": name, "replication": number, **dict(zip(keys[2:], row))}
                for name, number, row in zip(names, numbers, values.tolist())]
    if kind == "series":
        _, keys, names, numbers, group_of, blocks = packed
        out = []
        for i, (name, number) in enumerate(zip(names, numbers)):
            taken = [0] * len(blocks)
            series: dict[str, Any] = {"strategy": name, "replication": number}
            for key, g in zip(keys[2:], group_of):
                series[key] = blocks[g][i, taken[g]]
                taken[g] += 1
            out.append(series)
        return out
    _, names, values = packed
    return dict(zip(names, values))
