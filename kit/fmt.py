"""Number formatting shared by tables and sentences, so a sentence never disagrees with a table.

Every ``fmt_*`` returns a string; a missing value (suppressed or not computed) returns the
em dash used in tables, and sentences avoid calling them on missing values.
"""

from __future__ import annotations

import math

MISSING = "—"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_num(x, digits: int = 1) -> str:
    """A number with ``digits`` decimals and thousands separators: ``1,234.5``."""
    if _missing(x):
        return MISSING
    return f"{float(x):,.{digits}f}"


def fmt_compact(x, digits: int = 1) -> str:
    """A number without a trailing ``.0`` when whole (points possible: ``140``, ``12.5``)."""
    if _missing(x):
        return MISSING
    if float(x) == int(float(x)):
        return f"{int(float(x)):,}"
    return fmt_num(x, digits)


def fmt_int(x) -> str:
    """A count: ``1,234``."""
    if _missing(x):
        return MISSING
    return f"{int(round(float(x))):,}"


def fmt_pct(x, digits: int = 1) -> str:
    """A percentage held as 0-100: ``54.3%``."""
    if _missing(x):
        return MISSING
    return f"{float(x):.{digits}f}%"


def fmt_points(x, digits: int = 1) -> str:
    """A size of difference without sign: ``23.4 points`` (``1.0 point``)."""
    if _missing(x):
        return MISSING
    size = abs(float(x))
    text = f"{size:.{digits}f}"
    return f"{text} point" if text == f"{1:.{digits}f}" else f"{text} points"


def fmt_gap(x, versus: str, digits: int = 1) -> str:
    """A signed comparison in words: ``23.4 points below all students``."""
    if _missing(x):
        return MISSING
    rounded = round(float(x), digits)
    if rounded == 0:
        return f"level with {versus}"
    direction = "above" if rounded > 0 else "below"
    return f"{fmt_points(x, digits)} {direction} {versus}"


def fmt_change(x, since: str, digits: int = 1) -> str:
    """A change over time in words: ``up 5.1 points from 2023``."""
    if _missing(x):
        return MISSING
    rounded = round(float(x), digits)
    if rounded == 0:
        return f"unchanged from {since}"
    return f"{'up' if rounded > 0 else 'down'} {fmt_points(x, digits)} from {since}"


def shown(x, digits: int = 1) -> float:
    """``x`` as a reader sees it: rounded to ``digits`` decimals exactly as ``fmt_*`` print
    it (NaN when missing)."""
    if _missing(x):
        return math.nan
    return float(f"{float(x):.{digits}f}")


def shown_diff(a, b, digits: int = 1) -> float:
    """``a - b`` between the figures *as shown*, each rounded to ``digits`` as ``fmt_*``
    print them, so that a reader who subtracts two printed figures gets the printed
    difference (68.14 and 63.36 are shown as 68.1 and 63.4: the difference is 4.7, not
    4.8). NaN when either is missing. The one place differences beside figures are made.
    """
    if _missing(a) or _missing(b):
        return math.nan
    return round(shown(a, digits) - shown(b, digits), digits) + 0.0
