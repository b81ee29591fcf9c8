"""Exact arithmetic where a boundary is decided: rates in integer tenths, rational values.

Binary floating point cannot hold 0.1: ``0.9 * 100`` is 90.00000000000001 and ``10.1 * 10``
is 100.99999999999999, so a rate "exactly at" a cut can land on either side. Every value
compared with a cut is therefore computed from integer counts (as a :class:`~fractions.Fraction`
or in integer tenths) and rounded by an explicit rule before the comparison.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np


def rate_tenths(numerator, denominator, mode: str = "half_up"):
    """100 x numerator / denominator rounded to 0.1, in integer tenths (vectorised).

    Parameters
    ----------
    numerator, denominator
        Non-negative integer counts (scalars or arrays); denominator > 0.
    mode
        ``half_up`` (71.95 -> 72.0) or ``half_even`` (71.95 -> 72.0, 71.85 -> 71.8).

    Notes
    -----
    tenths = round(1000 x num / den). Half up: floor((2000 x num + den) / (2 x den)), all in
    integers, so 105/146 -> 719 (71.9, EXT 13) and 20/30 -> 667 (66.7) without any float.
    """
    num = np.asarray(numerator, dtype=np.int64)
    den = np.asarray(denominator, dtype=np.int64)
    if mode == "half_up":
        out = (2000 * num + den) // (2 * den)
    elif mode == "half_even":
        q, r = np.divmod(1000 * num, den)
        up = (2 * r > den) | ((2 * r == den) & (q % 2 == 1))
        out = q + up.astype(np.int64)
    else:
        raise ValueError(f"rounding mode must be half_up or half_even, not {mode!r}")
    return out if out.ndim else int(out)


def fraction_of(x) -> Fraction:
    """A number as an exact fraction: decimal text for floats (70.1 -> 701/10), not binary."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int | np.integer):
        return Fraction(int(x))
    return Fraction(Decimal(str(x)))


def round_half_up(x, decimals: int | None = 1) -> Fraction:
    """An exact value rounded half up to ``decimals`` (None: unchanged), as a Fraction."""
    x = fraction_of(x)
    if decimals is None:
        return x
    scale = 10**decimals
    scaled = x * scale
    q = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Fraction(q, scale)


def decimal_text(x, decimals: int = 1, mode: str = "half_up") -> str:
    """The value as a state report prints it: 10/140 x 100 -> '7.1'; 91.428... -> '91.4'."""
    frac = fraction_of(x)
    d = Decimal(frac.numerator) / Decimal(frac.denominator)
    rounding = ROUND_HALF_UP if mode == "half_up" else ROUND_HALF_EVEN
    return str(d.quantize(Decimal(1).scaleb(-decimals), rounding=rounding))


def pct(numerator, denominator) -> Fraction | None:
    """100 x numerator / denominator as an exact fraction; None when the denominator is 0."""
    den = fraction_of(denominator)
    if den == 0:
        return None
    return 100 * fraction_of(numerator) / den


def as_float(x) -> float | None:
    return None if x is None else float(x)
