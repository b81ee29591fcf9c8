"""Helpers the index and district tables share: short subject names, signed numbers, the
students cell of a possibly hidden group."""

from __future__ import annotations

import pandas as pd

from kit.fmt import MISSING, fmt_int, fmt_num
from kit.views.context import ReportContext

_SUBJECT_SHORT = {"ELA": "ELA", "MATH": "Math", "SCI": "Science"}
_REAL_KINDS = ("program", "race", "gender", "composite")


def _signed(x, digits: int = 1) -> str:
    text = fmt_num(x, digits)
    if text == MISSING or text.startswith("-") or float(text.replace(",", "")) == 0:
        return text
    return f"+{text}"


def _n_text(rec: dict, ctx: ReportContext, n_col: str = "n") -> str:
    if rec.get("suppression_reason") == "small":
        return f"<{ctx.reporting_min_n}"
    if rec.get("suppressed"):
        return "n/r"
    return fmt_int(rec.get(n_col))


def _yes(x) -> bool:
    return x is not None and x is not pd.NA and not (isinstance(x, float) and x != x) and bool(x)
