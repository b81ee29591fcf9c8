"""Tables of the index and district reports (``tab_*``), formatted with the same ``fmt_*``
as the sentences. Each takes a suppression-aware view from :mod:`kit.views_accountability`
and returns display strings; a hidden figure shows why it is hidden, never its value.
Tables stay narrow (at most 8 columns) so they fit a portrait Letter page.
"""

from __future__ import annotations

import json

import pandas as pd

from kit.fmt import MISSING, fmt_int, fmt_num, fmt_pct
from kit.narrative.index import ayp_test_word
from kit.views import ReportContext

_SUBJECT_SHORT = {"ELA": "ELA", "MATH": "Math", "SCI": "Science"}
_REAL_KINDS = ("program", "race", "gender", "composite")


def model_abbr(model: str) -> str:
    """The short column name of an index model: ``ma_cpi`` -> ``MA CPI``."""
    return "% proficient" if model == "pct_proficient" else model.upper().replace("_", " ")


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


def tab_ayp(ayp: pd.DataFrame, ctx: ReportContext, subject: str) -> pd.DataFrame:
    """AYP by group in one subject: students, participation, the measure against its target,
    the change from last year against the gain the improvement test needs (when the
    framework has one), and the result with the path (the first test passed). These are the
    figures of the facts' ``path``, one per column. Accountable groups first, then those
    shown for information ("not counted")."""
    rows = ayp[ayp["subject"] == subject] if len(ayp) else ayp
    if rows.empty:
        return pd.DataFrame(columns=["Group", "Students", "Tested", "Index", "Target", "AYP"])
    rows = rows.assign(_acc=rows["accountable"].fillna(False).astype(bool)).sort_values(
        "_acc", ascending=False, kind="stable")
    abbr = model_abbr(str(rows["measure"].iloc[0]))
    with_gain = rows["required_gain"].notna().any()
    out = []
    for rec in rows.to_dict("records"):
        d = int(rec.get("digits") or 1)
        tests = rec.get("tests")
        judged = any(v is not None for v in (json.loads(tests) if isinstance(tests, str)
                                             else (tests or {})).values())
        if rec["suppressed"]:
            result = "not reported"
        elif _yes(rec["met"]):
            how = ayp_test_word(rec["met_by"]) if rec.get("met_by") else ""
            result = ("Met" + (f": {how}" if how else "")) if judged else "Met: participation only"
        else:
            result = "Not met" if judged else "Not met: participation"
        row = {
            "Group": rec["label"] + ("" if rec["_acc"] else " (not counted)"),
            "Students": _n_text(rec, ctx),
            "Tested": fmt_pct(rec["participation_rate"]),
            abbr: fmt_num(rec["value"], d),
            "Target": fmt_num(rec["target"], d) if judged else MISSING,
        }
        if with_gain:
            gain = rec["value"] - rec["prior_value"]
            row[f"Change from {ctx.year - 1}"] = _signed(gain, d) if judged else MISSING
            row["Gain needed"] = fmt_num(rec["required_gain"], d) if judged else MISSING
        row["AYP"] = result
        out.append(row)
    return pd.DataFrame(out)


def tab_models(models: dict[str, pd.DataFrame], ctx: ReportContext) -> pd.DataFrame:
    """Every index model side by side: its scale and the school's result in each subject,
    with the share of the scale in brackets (level-point models)."""
    first = next(iter(models.values()), None)
    if first is None or first.empty:
        return pd.DataFrame(columns=["Model", "Scale"])
    # As the chart: the framework's model, the level-point models from the highest share of
    # the scale to the lowest, then the grade-weighted proficiency indexes.
    first = first.assign(
        _head=first["headline"].fillna(False).astype(bool),
        _points=first["range_high"].notna(),
        _share=first["model"].map(
            pd.concat([v[~v["suppressed"]][["model", "share_of_range"]] for v in models.values()])
            .groupby("model")["share_of_range"].mean()).fillna(-1.0),
    ).sort_values(["_head", "_points", "_share", "model"], ascending=[False, False, False, True])
    out = []
    for rec in first.to_dict("records"):
        lo, hi = rec["range_low"], rec["range_high"]
        is_range = lo == lo and hi == hi  # not NaN
        digits = 3 if is_range and hi <= 1 else 1
        name = rec["name"] + (" (framework)" if _yes(rec["headline"]) else "")
        if not _yes(rec["verified"]):
            name += ", not verified"
        row = {"Model": name,
               "Scale": f"{fmt_num(lo, 0)}–{fmt_num(hi, 0)}" if is_range else "≥ 0: AMOs met"}
        for subject, view in models.items():
            match = view[view["model"] == rec["model"]]
            if match.empty:
                row[_SUBJECT_SHORT.get(subject, subject)] = MISSING
                continue
            m = match.iloc[0]
            if bool(m["suppressed"]):
                cell = f"<{ctx.reporting_min_n} students"
            elif is_range:
                cell = f"{fmt_num(m['value'], digits)} ({fmt_pct(m['share_of_range'], 0)})"
            else:
                cell = _signed(m["value"])
            row[_SUBJECT_SHORT.get(subject, subject)] = cell
        out.append(row)
    return pd.DataFrame(out)


def tab_goals(goals: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """PIM 2-A: each group's baseline, this year's target and result, on track or not, and
    the goal (complements are left out: they mirror their group)."""
    rows = goals[goals["kind"].isin(("all", *_REAL_KINDS))] if len(goals) else goals
    if rows.empty:
        return pd.DataFrame(columns=["Group", "Baseline", "Target", "Result", "Status", "Goal"])
    base_year = int(rows["baseline_year"].iloc[0])
    goal_year = int(rows["target_year"].iloc[0])
    out = []
    for rec in rows.to_dict("records"):
        d = int(rec.get("digits") or 1)
        if rec["suppressed"]:
            status = (f"fewer than {ctx.reporting_min_n} students — not reported"
                      if rec["suppression_reason"] == "small" else "not reported")
        elif rec["on_track_now"] is True:
            status = "On track"
        elif rec["on_track_now"] is False:
            status = "Off track"
        else:
            status = "baseline year" if ctx.year == base_year else MISSING
        out.append({
            "Group": rec["label"],
            f"Baseline {base_year}": fmt_num(rec["baseline"], d),
            f"Target {ctx.year}": fmt_num(rec["target_now"], d),
            f"Result {ctx.year}": fmt_num(rec["actual_now"], d),
            "Status": status,
            f"Goal {goal_year}": fmt_num(rec["goal"], d),
        })
    return pd.DataFrame(out)


def tab_schools(schools: pd.DataFrame, ctx: ReportContext,
                ayp_subjects: list[str]) -> pd.DataFrame:
    """Every school on one page: the headline index per subject, AYP, group results met and
    the high-needs gap to all students in each AYP subject."""
    if schools.empty:
        return pd.DataFrame(columns=["School"])
    out = []
    for _sid, rows in schools.groupby("entity_id", sort=False):
        first = rows.iloc[0]
        row = {"School": first["name"]}
        for rec in rows.to_dict("records"):
            row[_SUBJECT_SHORT.get(rec["subject"], rec["subject"])] = (
                f"<{ctx.reporting_min_n}" if rec["suppressed"] else fmt_num(rec["index"]))
        met = first["ayp_met"]
        row["AYP"] = MISSING if met is None else ("Met" if _yes(met) else "Not met")
        row["Group results met"] = (f"{fmt_int(first['ayp_n_met'])} of "
                                    f"{fmt_int(first['ayp_n_groups'])}"
                                    if first["ayp_n_groups"] else MISSING)
        for rec in rows.to_dict("records"):
            if rec["subject"] in ayp_subjects:
                key = f"High needs vs all, {_SUBJECT_SHORT.get(rec['subject'], rec['subject'])}"
                row[key] = "not reported" if rec["hn_suppressed"] else _signed(rec["hn_gap"])
        out.append(row)
    return pd.DataFrame(out)


def tab_lowest(schools: pd.DataFrame, ctx: ReportContext, ayp_subjects: list[str]) -> pd.DataFrame:
    """PIM 1-A by school: the lowest reported group in each AYP subject and its gap."""
    rows = schools[schools["subject"].isin(ayp_subjects)] if len(schools) else schools
    abbr = model_abbr(ctx.headline_model)
    out = []
    for rec in rows.to_dict("records"):
        behind = rec["lowest_gap"] == rec["lowest_gap"] and round(rec["lowest_gap"], 1) < 0
        out.append({
            "School": rec["name"],
            "Subject": _SUBJECT_SHORT.get(rec["subject"], rec["subject"]),
            "Lowest group": rec["lowest_label"] if behind else "no group behind all students",
            abbr: fmt_num(rec["lowest_value"]) if behind else MISSING,
            "vs all students": _signed(rec["lowest_gap"]) if behind else MISSING,
        })
    return pd.DataFrame(out, columns=["School", "Subject", "Lowest group", abbr,
                                      "vs all students"])


def tab_gaps(gaps: pd.DataFrame, ctx: ReportContext) -> pd.DataFrame:
    """Each group's gap to all students and to the rest of the students, high needs first
    after all students (seed 001's equity focus)."""
    rows = gaps[gaps["kind"].isin(("all", *_REAL_KINDS))] if len(gaps) else gaps
    if rows.empty:
        return pd.DataFrame(columns=["Group"])
    rank = {"all": 0, "high_needs": 1}
    rows = rows.assign(_r=rows["group"].map(lambda g: rank.get(g, 2))).sort_values(
        "_r", kind="stable")
    abbr = model_abbr(ctx.headline_model)
    out = []
    for rec in rows.to_dict("records"):
        is_all = rec["group"] == "all"
        out.append({
            "Group": rec["label"],
            "Students": _n_text(rec, ctx),
            abbr: fmt_num(rec["index_value"]),
            "vs all students": "" if is_all else _signed(rec["gap_all_index"]),
            "vs the rest": "" if is_all else _signed(rec["gap_complement_index"]),
            "% proficient+": fmt_pct(rec["pct_proficient"]),
        })
    return pd.DataFrame(out)


def tab_impact(impact: pd.DataFrame, ctx: ReportContext, comparison: str = "rules") -> pd.DataFrame:
    """Seed 004's Table 2 for the district: schools meeting targets under each rule set
    (``rules``) or each index model on status alone (``models``)."""
    rows = impact[impact["comparison"] == comparison] if len(impact) else impact
    out = []
    for rec in rows.to_dict("records"):
        if comparison == "rules":
            tests = rec["tests"] or []
            if rec["determination"]:
                label = "AYP as determined (participation and " + " or ".join(
                    ayp_test_word(t) for t in tests) + ")"
            elif len(tests) == 1:
                label = f"Only {ayp_test_word(tests[0])}"
            else:
                label = " + ".join(ayp_test_word(t) for t in tests).capitalize()
            first = {"Rule": label}
        else:
            basis = {"starting_point": "kit starting point", "held": "placeholder AMO",
                     "scaled": "AMO scaled", "schedule": "state AMO"}.get(
                rec["target_basis"], rec["target_basis"] or MISSING)
            first = {"Model": rec["model_name"] + (" (framework)" if rec["model"] ==
                                                   ctx.headline_model else ""),
                     "Target": basis}
        out.append({**first,
                    "Schools counted": fmt_int(rec["n_schools"]),
                    "Met": fmt_int(rec["n_met"]),
                    "% met": fmt_pct(rec["pct_met"])})
    return pd.DataFrame(out)
