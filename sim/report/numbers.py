"""Numbers as an analyst reads them: to the precision their confidence interval supports.

``3.142 [3.117, 3.167]`` rather than sixteen digits: the interval's half-width sets the
decimals (down to its first significant digit), so the digits shown are digits that mean
something.
"""

from __future__ import annotations

import math

__all__ = ["decimals", "format_interval", "format_number", "interval_parts"]

_MAX_DECIMALS = 6


def decimals(width: float, value: float) -> int:
    """Decimals that show an interval of ``width`` to the first significant digit of its half.

    Without a usable width (zero, or not finite), three significant digits of ``value``.
    """
    half = width / 2
    if math.isfinite(half) and half > 0:
        return min(max(-math.floor(math.log10(half)), 0), _MAX_DECIMALS)
    if math.isfinite(value) and value != 0:
        return min(max(2 - math.floor(math.log10(abs(value))), 0), _MAX_DECIMALS)
    return 0


def format_number(value: float, digits: int, *, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals and thousands separators; ``n/a`` if not finite."""
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    if round(value, digits) == 0:
        value = 0.0
    return f"{value:{'+' if sign else ''},.{digits}f}"


def interval_parts(
    mean: float, low: float, high: float, *, sign: bool = False
) -> tuple[str, str]:
    """``mean`` and ``[low, high]`` as text, to the precision the interval supports."""
    mean, low, high = float(mean), float(low), float(high)
    digits = decimals(high - low, mean)
    if not (math.isfinite(low) and math.isfinite(high)):
        return (format_number(mean, digits, sign=sign), "")
    return (format_number(mean, digits, sign=sign),
            f"[{format_number(low, digits, sign=sign)}, {format_number(high, digits, sign=sign)}]")


def format_interval(mean: float, low: float, high: float, *, sign: bool = False) -> str:
    """``mean [low, high]``, to the precision the interval supports."""
    return " ".join(interval_parts(mean, low, high, sign=sign)).strip()
