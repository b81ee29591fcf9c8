"""Tables of the district summary (``tab_*``): every school, the lowest group at each, gaps
between groups and the impact analysis, formatted with the same ``fmt_*`` as the sentences.
Each takes a suppression-aware view from :mod:`kit.views.district`; tables stay narrow (at
most 8 columns) so they fit a portrait Letter page.
"""

from __future__ import annotations

import pandas as pd

from kit._frames import records
from kit.fmt import MISSING, fmt_int, fmt_model_abbr, fmt_num, fmt_pct, fmt_signed, fmt_subject
from kit.tables._common import _REAL_KINDS, _n_text, _yes
from kit.views.context import ReportContext
from kit.views.index import ayp_test_word


def tab_schools(schools: pd.DataFrame, ctx: ReportContext, ayp_subjects: list[str]) -> pd.DataFrame:
    """Every school on one page: the headline index per subject, AYP, group results met and
    the high-needs gap to all students in each AYP subject."""
    if schools.empty:
        return pd.DataFrame(columns=["School"])
    out = []
    for _sid, rows in schools.groupby("entity_id", sort=False):
        first = rows.iloc[0]
        row = {"School": first["name"]}
        for rec in records(rows):
            row[fmt_subject(rec["subject"], short=True)] = (
                MISSING  # no results in the subject at all (e.g. not a tested grade)
                if not rec.get("has_results", True)
                else f"<{ctx.reporting_min_n}"
                if rec["suppressed"]
                else fmt_num(rec["index"])
            )
        if ctx.has_ayp:
            met = first["ayp_met"]
            row["AYP"] = MISSING if met is None else ("Met" if _yes(met) else "Not met")
            row["Group results met"] = (
                f"{fmt_int(first['ayp_n_met'])} of {fmt_int(first['ayp_n_groups'])}"
                if first["ayp_n_groups"]
                else MISSING
            )
        for rec in records(rows):
            if rec["subject"] in ayp_subjects:
                key = f"High needs vs all, {fmt_subject(rec['subject'], short=True)}"
                row[key] = "not reported" if rec["hn_suppressed"] else fmt_signed(rec["hn_gap"])
        out.append(row)
    return pd.DataFrame(out)


def tab_lowest(schools: pd.DataFrame, ctx: ReportContext, ayp_subjects: list[str]) -> pd.DataFrame:
    """PIM 1-A by school: the lowest reported group in each AYP subject and its gap."""
    rows = schools[schools["subject"].isin(ayp_subjects)] if len(schools) else schools
    abbr = fmt_model_abbr(ctx.headline_model)
    out = []
    for rec in records(rows):
        behind = rec["lowest_gap"] == rec["lowest_gap"] and round(rec["lowest_gap"], 1) < 0
        out.append(
            {
                "School": rec["name"],
                "Subject": fmt_subject(rec["subject"], short=True),
                "Lowest group": rec["lowest_label"] if behind else "no group behind all students",
                abbr: fmt_num(rec["lowest_value"]) if behind else MISSING,
                "vs all students": fmt_signed(rec["lowest_gap"]) if behind else MISSING,
            }
        )
    return pd.DataFrame(out, columns=["School", "Subject", "Lowest group", abbr, "vs all students"])


def tab_gaps(gaps: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """Each group's gap to all students and to the rest of the students, high needs first
    after all students (seed 001's equity focus)."""
    rows = gaps[gaps["kind"].isin(("all", *_REAL_KINDS))] if len(gaps) else gaps
    if rows.empty:
        return pd.DataFrame(columns=["Group"])
    rank = {"all": 0, "high_needs": 1}
    rows = rows.assign(_r=rows["group"].map(lambda g: rank.get(g, 2))).sort_values(
        "_r", kind="stable"
    )
    abbr = fmt_model_abbr(ctx.headline_model)
    out = []
    for rec in records(rows):
        is_all = rec["group"] == "all"
        out.append(
            {
                "Group": rec["label"],
                "Students": _n_text(rec, ctx),
                abbr: fmt_num(rec["index_value"]),
                "vs all students": "" if is_all else fmt_signed(rec["gap_all_index"]),
                "vs the rest": "" if is_all else fmt_signed(rec["gap_complement_index"]),
                "% proficient+": fmt_pct(rec["pct_proficient"]),
            }
        )
    return pd.DataFrame(out)


def tab_impact(impact: pd.DataFrame, ctx: ReportContext, comparison: str = "rules") -> pd.DataFrame:
    """Seed 004's Table 2 for the district: schools meeting targets under each rule set
    (``rules``) or each index model on status alone (``models``)."""
    rows = impact[impact["comparison"] == comparison] if len(impact) else impact
    out = []
    for rec in records(rows):
        if comparison == "rules":
            tests = rec.get("test_names")
            tests = list(tests) if tests is not None else map(ayp_test_word, rec["tests"] or [])
            tests = list(tests)
            if rec["determination"]:
                label = "AYP as determined (participation and " + " or ".join(tests) + ")"
            elif len(tests) == 1:
                label = f"Only {tests[0]}"
            else:
                label = " + ".join(tests)
                label = label[:1].upper() + label[1:]
            first = {"Rule": label}
        else:
            basis = {
                "starting_point": "kit starting point",
                "held": "placeholder AMO",
                "scaled": "AMO scaled",
                "schedule": "state AMO",
            }.get(rec["target_basis"], rec["target_basis"] or MISSING)
            first = {
                "Model": rec["model_name"]
                + (" (framework)" if rec["model"] == ctx.headline_model else ""),
                "Target": basis,
            }
        out.append(
            {
                **first,
                "Schools counted": fmt_int(rec["n_schools"]),
                "Met": fmt_int(rec["n_met"]),
                "% met": fmt_pct(rec["pct_met"]),
            }
        )
    return pd.DataFrame(out)
