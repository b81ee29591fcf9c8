"""Display tables of the PBMAS district report, in the column order of TEA's district report
(STATES.md 5.2): subject, PL 0 cut points, rate, numerator, denominator, performance level;
masked counts print as ``*``."""

from __future__ import annotations

import math

import pandas as pd

from kit.fmt import MISSING, fmt_int
from kit.views.context import ReportContext
from kit.views.pbmas import pbmas_area

MASK = "*"


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _rate(x) -> str:
    return MISSING if _missing(x) else f"{float(x):.1f}"


def pl_text(rec: dict) -> str:
    """TEA's performance-level cell: '2', '1 SA', '0 RI', 'NA', 'No Data', '(Report Only)'."""
    label = rec["performance_level"]
    text = "No Data" if label == "ND" else str(label)
    return f"{text} (Report Only)" if rec.get("report_only") and label != "ND" else text


def _to_next(rec: dict) -> str:
    step = rec.get("shown_to_next")
    if _missing(step):
        return MISSING if _missing(rec.get("to_next_level")) else MASK
    sign = "+" if rec.get("direction") == "higher" else "-"
    years = rec.get("years_aggregated")
    summed = not _missing(years) and int(years) > 1
    return f"{sign}{float(step):.1f}" + (f" ({int(years)} years)" if summed else "")


def _counts(rec: dict) -> tuple[str, str, str]:
    if rec["performance_level"] == "ND" and _missing(rec.get("denominator")):
        return MISSING, MISSING, MISSING
    masked = int(rec["masked"])
    rate = MASK if masked else _rate(rec.get("rate_rounded"))
    num = MASK if masked else fmt_int(rec.get("numerator"))
    den = MASK if masked == 2 else fmt_int(rec.get("denominator"))
    return rate, num, den


def _cuts(text: str) -> str:
    """The PL 0 cut points as TEA prints them ('70.0 - 100'), kept on one line."""
    return str(text).replace(" - ", "\u00a0\u2011\u00a0").replace("<= ", "<=\u00a0")


def tab_pbmas_area(view: pd.DataFrame, ctx: ReportContext, area: str) -> pd.DataFrame:
    """One program area as TEA lays it out: each indicator (named on its first sub-part),
    its sub-parts (i)-(v), the PL 0 cut points, the rate, numerator and denominator, the PL
    with its marker, how far the rate is from the next better level, and last year's rate."""
    rows = []
    shown = None
    for rec in pbmas_area(view, area).to_dict("records"):
        first = rec["indicator"] != shown
        shown = rec["indicator"]
        rate, num, den = _counts(rec)
        has_subject = isinstance(rec.get("subject"), str)
        part = rec["subject_label"] if has_subject else ""  # the # column has the (i)
        name = rec["indicator_name"] + (f": {part}" if part else "") if first else part
        prior = rec.get("shown_prior_rate")
        rows.append(
            {
                "#": f"{rec['indicator_number']}" + (f" ({rec['subpart']})" if has_subject else ""),
                "Indicator": name,
                "PL 0 cut points": _cuts(rec["pl0_range"]),
                "Rate": rate,
                "Numerator": num,
                "Denominator": den,
                "Performance level": pl_text(rec),
                "To next level": _to_next(rec),
                f"{ctx.year - 1} rate": (
                    MASK
                    if _missing(prior) and not _missing(rec.get("prior_rate_rounded"))
                    else _rate(prior)
                ),
            }
        )
    return _words(pd.DataFrame(rows), "Indicator")


def _words(table: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Mark the columns of words (set left in the HTML table)."""
    table.attrs["text_columns"] = list(columns)
    return table


def tab_pbmas_stages(stages: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The summary per program area: stage (with earlier years') and counts of levels."""
    rows = []
    for rec in stages.to_dict("records"):
        stage = rec["stage"] if isinstance(rec["stage"], str) else MISSING
        earlier = [f"{y}: {s}" for y, s in (rec.get("history") or []) if y < ctx.year and s]
        rows.append(
            {
                "Program area": rec["program_area_name"],
                "Stage": stage,
                "PL 3": fmt_int(rec["n_pl3"]),
                "PL 2": fmt_int(rec["n_pl2"]),
                "PL 1": fmt_int(rec["n_pl1"]),
                "PL 0": fmt_int(rec["n_pl0"]),
                "NA": fmt_int(rec["n_na"]),
                "No Data": fmt_int(rec["n_nd"]),
                "Report Only": fmt_int(rec["n_report_only"]),
                "Earlier stages": "; ".join(earlier) or MISSING,
            }
        )
    return _words(pd.DataFrame(rows), "Stage", "Earlier stages")


def tab_pbmas_identified(identified: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The areas identified (PL 1 or above), highest level first."""
    rows = []
    for rec in identified.to_dict("records"):
        rate, _, _ = _counts(rec)
        subject = rec["subject_label"] if isinstance(rec.get("subject"), str) else ""
        rows.append(
            {
                "#": rec["indicator"] + (f" ({rec['subpart']})" if subject else ""),
                "Indicator": rec["indicator_name"] + (f": {subject}" if subject else ""),
                "PL 0 cut points": _cuts(rec["pl0_range"]),
                "Rate": rate,
                "Performance level": pl_text(rec),
                "To next level": _to_next(rec),
            }
        )
    return _words(pd.DataFrame(rows), "Indicator")


__all__ = ["pl_text", "tab_pbmas_area", "tab_pbmas_identified", "tab_pbmas_stages"]
