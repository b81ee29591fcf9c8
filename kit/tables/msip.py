"""Display tables of the MSIP 5 APR report, laid out as DESE's LEA Summary Report (EXT 2;
STATES.md 5.1), formatted with the same ``fmt_*`` as the sentences."""

from __future__ import annotations

import pandas as pd

from kit.fmt import MISSING, fmt_compact, fmt_int, fmt_num, fmt_pct, fmt_signed
from kit.fmt import is_missing as _missing
from kit.views.context import ReportContext
from kit.views.msip import apr_measures, apr_standards, apr_total

ILLUSTRATIVE = "illustrative target"


def fmt_apr_points(x) -> str:
    """APR points as DESE prints them: one decimal (``15.5``)."""
    return fmt_num(x, 1)


def _value(rec: dict) -> str:
    if _missing(rec.get("value")):
        return MISSING
    return fmt_num(rec["value"]) if rec.get("metric") == "mpi" else fmt_pct(rec["value"])


def _students(rec: dict, ctx: ReportContext) -> str:
    if rec.get("suppressed"):
        return "n/r" if rec.get("suppression_reason") == "complement" else f"<{ctx.reporting_min_n}"
    return MISSING if _missing(rec.get("n")) or not rec.get("n") else fmt_int(rec["n"])


def _level(category, points) -> str:
    if _missing(category):
        return MISSING
    return f"{category}: {fmt_apr_points(points)}" if not _missing(points) else str(category)


def _note(rec: dict) -> str:
    notes = []
    reason = rec.get("reason")
    if not _missing(reason):
        notes.append(str(reason))
    elif rec.get("metric") == "mpi" and not _missing(rec.get("participation_rate")):
        notes.append(f"{fmt_pct(rec['participation_rate'])} tested")
    if isinstance(rec.get("unverified"), str) and "status targets" in rec["unverified"]:
        notes.append(ILLUSTRATIVE)
    return "; ".join(notes)


def tab_apr_summary(apr: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The LEA Summary's first table: each standard's points possible, earned and percent."""
    rows = []
    for rec in apr_standards(apr).to_dict("records"):
        counted = rec["possible"] > 0
        rows.append(
            {
                "MSIP 5 Standards": f"{rec['standard']} {rec['standard_name']}",
                "Points Possible": fmt_compact(rec["possible"]) if counted else MISSING,
                "Points Earned": fmt_apr_points(rec["earned"]) if counted else MISSING,
                "Percent Earned": fmt_pct(rec["percent"]) if counted else "no data",
            }
        )
    total = apr_total(apr)
    if total:
        rows.append(
            {
                "MSIP 5 Standards": "Total",
                "Points Possible": fmt_compact(total["possible"]),
                "Points Earned": fmt_apr_points(total["earned"]),
                "Percent Earned": fmt_pct(total["percent"]),
            }
        )
    return pd.DataFrame(rows)


def tab_apr_expanded(apr: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The LEA Summary's second table: every standard with its rows (content areas, the CCR
    rows) above its subtotal, and a note where a row is not scored."""
    rows = []
    for std in apr_standards(apr).to_dict("records"):
        subs = apr_measures(apr, std["standard"])
        if len(subs) > 1:
            for rec in subs.to_dict("records"):
                counted = bool(rec["counted"])
                rows.append(
                    {
                        "MSIP 5 Standards": f"· {rec['label']}",
                        "Points Possible": fmt_compact(rec["possible"]),
                        "Points Earned": fmt_apr_points(rec["earned"]) if counted else MISSING,
                        "Percent Earned": fmt_pct(rec["percent"]) if counted else MISSING,
                        "Note": "" if counted else f"not counted: {rec['reason']}",
                    }
                )
        counted = std["possible"] > 0
        only = apr_measures(apr, std["standard"])
        note = ""
        if not counted and len(only):
            note = f"not counted: {only['reason'].iloc[0]}"
        rows.append(
            {
                "MSIP 5 Standards": f"{std['standard']} {std['standard_name']}"
                + (" (subtotal)" if len(subs) > 1 else ""),
                "Points Possible": fmt_compact(std["possible"]) if counted else MISSING,
                "Points Earned": fmt_apr_points(std["earned"]) if counted else MISSING,
                "Percent Earned": fmt_pct(std["percent"]) if counted else MISSING,
                "Note": note,
            }
        )
    total = apr_total(apr)
    if total:
        rows.append(
            {
                "MSIP 5 Standards": "Total",
                "Points Possible": fmt_compact(total["possible"]),
                "Points Earned": fmt_apr_points(total["earned"]),
                "Percent Earned": fmt_pct(total["percent"]),
                "Note": total.get("band") or "",
            }
        )
    return _words(pd.DataFrame(rows), "Note")


def tab_apr_years(years: pd.DataFrame) -> pd.DataFrame:
    """APR total points and percent of points, year by year (the LEA Summary's strip)."""
    rows = []
    for rec in years.to_dict("records"):
        rows.append(
            {
                "Year": str(int(rec["year"])),
                "APR points": f"{fmt_apr_points(rec['earned'])} / {fmt_compact(rec['possible'])}",
                "Percent of points": fmt_pct(rec["percent"]),
                "Change": fmt_signed(rec.get("change")),
                "Band": rec["band"] or MISSING,
            }
        )
    return _words(pd.DataFrame(rows), "Band")


def _words(table: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Mark the columns of words (set left in the HTML table)."""
    table.attrs["text_columns"] = list(columns)
    return table


def growth_header(label: str | None) -> str:
    """The growth column's header, naming where growth came from (the proxy's label)."""
    return f"Growth ({label})" if label else "Growth"


def tab_apr_supporting(
    apr: pd.DataFrame, ctx: ReportContext, standard: str, growth_label: str | None = None
) -> pd.DataFrame:
    """Supporting data of one standard: each row's value, status, progress and growth (level
    and points), the capped total, and notes (participation, illustrative targets, why a row
    is not counted)."""
    rows = []
    for rec in apr_measures(apr, standard).to_dict("records"):
        progress = MISSING
        if not _missing(rec.get("progress_category")):
            change = rec.get("change")
            progress = _level(rec["progress_category"], rec["progress_points"])
            if not _missing(change):
                progress = f"{fmt_signed(change)}; {progress}"
        growth = _level(rec.get("growth_category"), rec.get("growth_points"))
        row = {
            "Measure": rec["label"],
            "Value": _value(rec),
            "Students": _students(rec, ctx),
            "Status": _level(rec.get("category"), rec.get("status_points")),
            "Progress": progress,
        }
        if standard in ("1", "2"):
            row[growth_header(growth_label)] = growth
        row["Earned / possible"] = (
            f"{fmt_apr_points(rec['earned'])} of {fmt_compact(rec['possible'])}"
            if rec["counted"]
            else f"— of {fmt_compact(rec['possible'])}"
        )
        row["Note"] = _note(rec)
        rows.append(row)
    table = pd.DataFrame(rows)
    figures = ("Measure", "Value", "Students", "Earned / possible")
    return _words(table, *[c for c in table.columns if c not in figures])


def tab_apr_gains(gains: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """The rows with the most points still to gain, and what their next status level needs."""
    rows = []
    for rec in gains.to_dict("records"):
        if rec.get("why") == "participation":
            need = "95% of students tested"
        elif _missing(rec.get("next_status_cut")):
            need = "progress or growth points"
        else:
            unit = "" if rec.get("metric") == "mpi" else "%"
            need = (
                f"{fmt_num(rec['next_status_cut'])}{unit} (+{fmt_num(rec['to_next_status'])})"
                if not rec.get("suppressed")
                else f"{fmt_num(rec['next_status_cut'])}{unit}"
            )
        rows.append(
            {
                "Measure": f"{rec['label']} ({_group_word(rec)})",
                "Earned / possible": f"{fmt_apr_points(rec['earned'])} of "
                f"{fmt_compact(rec['possible'])}",
                "Points to gain": fmt_apr_points(rec["points_to_gain"]),
                "Status level": MISSING if _missing(rec.get("category")) else rec["category"],
                "Next status level needs": need,
            }
        )
    return _words(pd.DataFrame(rows), "Status level")


def _group_word(rec: dict) -> str:
    return "super subgroup" if rec.get("group") == "super_subgroup" else "all students"


def tab_mpi_groups(groups: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """MPI of every student group (reported, not scored), small groups hidden."""
    rows = []
    for rec in groups.to_dict("records"):
        if rec["suppressed"]:
            n = "n/r" if rec["suppression_reason"] == "complement" else f"<{ctx.reporting_min_n}"
        else:
            n = fmt_int(rec["n"])
        rows.append(
            {
                "Group": rec["label"],
                "Students": n,
                "MPI": fmt_num(rec["mpi"]),
                "Scored": "Standard 2"
                if rec["group"] == "super_subgroup"
                else ("Standard 1" if rec["group"] == "all" else "reported"),
            }
        )
    return _words(pd.DataFrame(rows), "Scored")


__all__ = [
    "fmt_apr_points",
    "growth_header",
    "tab_apr_expanded",
    "tab_apr_gains",
    "tab_apr_summary",
    "tab_apr_supporting",
    "tab_apr_years",
    "tab_mpi_groups",
]
