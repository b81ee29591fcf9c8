"""Helpers the index and district tables share: the students cell of a possibly hidden group."""

from __future__ import annotations

import pandas as pd

from kit.fmt import fmt_int
from kit.views.context import ReportContext

_REAL_KINDS = ("program", "race", "gender", "composite")


def _n_text(rec: dict, ctx: ReportContext, n_col: str = "n") -> str:
    if rec.get("suppression_reason") == "small":
        return f"<{ctx.reporting_min_n}"
    if rec.get("suppressed"):
        return "n/r"
    return fmt_int(rec.get(n_col))


def _yes(x) -> bool:
    return x is not None and x is not pd.NA and not (isinstance(x, float) and x != x) and bool(x)
