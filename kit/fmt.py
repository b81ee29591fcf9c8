"""Number formatting shared by tables and sentences, so a sentence never disagrees with a table.

Every ``fmt_*`` returns a string; a missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``:
suppressed or not computed) returns the em dash used in tables, and sentences avoid calling
them on missing values. This module imports nothing heavier than the standard library, so
``import kit`` stays fast.

>>> fmt_num(1234.56), fmt_signed(2.04), fmt_signed(-0.04), fmt_pct(54.26)
('1,234.6', '+2.0', '0.0', '54.3%')
>>> import pandas as pd
>>> fmt_num(pd.NA), fmt_signed(float("nan")), fmt_int(None)
('—', '—', '—')
"""

from __future__ import annotations

import math

MISSING = "—"

# Subject codes in sentences ("English language arts") and in narrow table headers ("Math").
SUBJECT_NAMES = {
    "ELA": "English language arts",
    "MATH": "mathematics",
    "SCI": "science",
    "BIO": "biology",
    "PHY": "physics",
}
_SUBJECT_SHORT = {"ELA": "ELA", "MATH": "Math", "SCI": "Science"}


def is_missing(x) -> bool:
    """True for ``None``, ``NaN`` (float or numpy), ``pd.NA`` and ``NaT``.

    >>> import pandas as pd
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN and NaT are not equal to themselves
    except TypeError:  # pd.NA: its comparisons are NA, which has no truth value
        return True
    except ValueError:  # an array compares element-wise: a value, not a missing one
        return False


_missing = is_missing


def fmt_num(x, digits: int = 1) -> str:
    """A number with ``digits`` decimals and thousands separators: ``1,234.5``.

    >>> fmt_num(1234.5), fmt_num(3, digits=0), fmt_num(None)
    ('1,234.5', '3', '—')
    """
    if _missing(x):
        return MISSING
    return f"{float(x):,.{digits}f}"


def fmt_signed(x, digits: int = 1) -> str:
    """A difference with its sign, as in a table's "vs state" column: ``+2.3``, ``-1.0``.

    A value that rounds to zero shows as ``0.0`` (never ``+0.0`` or ``-0.0``), as the
    sentences call it "level with".

    >>> fmt_signed(2.34), fmt_signed(-1), fmt_signed(-0.04), fmt_signed(1234.5, 0)
    ('+2.3', '-1.0', '0.0', '+1,234')
    """
    if _missing(x):
        return MISSING
    text = fmt_num(x, digits)
    if float(text.replace(",", "")) == 0:
        return text.lstrip("-")
    return text if text.startswith("-") else f"+{text}"


def fmt_subject(subject: str, *, short: bool = False) -> str:
    """A subject code in words: ``MATH`` -> ``mathematics`` (``Math`` with ``short=True``,
    for a narrow table header); an unknown code is returned as it is.

    >>> fmt_subject("ELA"), fmt_subject("MATH", short=True), fmt_subject("ART")
    ('English language arts', 'Math', 'ART')
    """
    return (_SUBJECT_SHORT if short else SUBJECT_NAMES).get(subject, subject)


def fmt_model_abbr(model: str) -> str:
    """The short column name of an index model: ``ma_cpi`` -> ``MA CPI``.

    >>> fmt_model_abbr("ma_cpi"), fmt_model_abbr("pct_proficient"), fmt_model_abbr("ma_me_pct")
    ('MA CPI', '% proficient', 'MA M+E %')
    """
    if model in _MODEL_ABBR:
        return _MODEL_ABBR[model]
    return model.upper().replace("_", " ")


# Models whose id upper-cased is not the name their state prints.
_MODEL_ABBR = {"pct_proficient": "% proficient", "ma_me_pct": "MA M+E %"}


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
