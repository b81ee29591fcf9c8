"""Tables of the index and accountability report (``tab_*``), formatted with the same
``fmt_*`` as the sentences. Each takes a suppression-aware view from :mod:`kit.views.index`
and returns display strings; a hidden figure shows why it is hidden, never its value.
Tables stay narrow (at most 8 columns) so they fit a portrait Letter page.
"""

from __future__ import annotations

import json

import pandas as pd

from kit._frames import records
from kit.fmt import MISSING, fmt_model_abbr, fmt_num, fmt_pct, fmt_signed, fmt_subject, shown_diff
from kit.tables._common import _REAL_KINDS, _n_text, _yes
from kit.views.context import ReportContext
from kit.views.index import ayp_test_word


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
        "_acc", ascending=False, kind="stable"
    )
    abbr = fmt_model_abbr(str(rows["measure"].iloc[0]))
    with_gain = rows["required_gain"].notna().any()
    out = []
    for rec in records(rows):
        d = int(rec.get("digits") or 1)
        tests = rec.get("tests")
        judged = any(
            v is not None
            for v in (json.loads(tests) if isinstance(tests, str) else (tests or {})).values()
        )
        if rec["suppressed"]:
            result = "not reported"
        elif _yes(rec["met"]):
            how = rec.get("met_by_name") or (
                ayp_test_word(rec["met_by"]) if rec.get("met_by") else ""
            )
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
            gain = shown_diff(rec["value"], rec["prior_value"], d)
            row[f"Change from {ctx.year - 1}"] = fmt_signed(gain, d) if judged else MISSING
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
        _share=first["model"]
        .map(
            pd.concat([v[~v["suppressed"]][["model", "share_of_range"]] for v in models.values()])
            .groupby("model")["share_of_range"]
            .mean()
        )
        .fillna(-1.0),
    ).sort_values(["_head", "_points", "_share", "model"], ascending=[False, False, False, True])
    # Each subject's first row of each model, looked up (not filtered) per table cell.
    by_model: dict[str, dict] = {subject: {} for subject in models}
    for subject, view in models.items():
        for row in records(view):
            by_model[subject].setdefault(row["model"], row)
    out = []
    for rec in records(first):
        lo, hi = rec["range_low"], rec["range_high"]
        is_range = lo == lo and hi == hi  # not NaN
        digits = 3 if is_range and hi <= 1 else 1
        name = rec["name"] + (" (framework)" if _yes(rec["headline"]) else "")
        if not _yes(rec["verified"]):
            name += ", not verified"
        row = {
            "Model": name,
            "Scale": f"{fmt_num(lo, 0)}–{fmt_num(hi, 0)}" if is_range else "≥ 0: AMOs met",
        }
        for subject in models:
            m = by_model[subject].get(rec["model"])
            if m is None:
                row[fmt_subject(subject, short=True)] = MISSING
                continue
            if bool(m["suppressed"]):
                cell = f"<{ctx.reporting_min_n} students"
            elif is_range:
                cell = f"{fmt_num(m['value'], digits)} ({fmt_pct(m['share_of_range'], 0)})"
            else:
                cell = fmt_signed(m["value"])
            row[fmt_subject(subject, short=True)] = cell
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
    for rec in records(rows):
        d = int(rec.get("digits") or 1)
        if rec["suppressed"]:
            status = (
                f"fewer than {ctx.reporting_min_n} students — not reported"
                if rec["suppression_reason"] == "small"
                else "not reported"
            )
        elif rec["on_track_now"] is True:
            status = "On track"
        elif rec["on_track_now"] is False:
            status = "Off track"
        else:
            status = "baseline year" if ctx.year == base_year else MISSING
        out.append(
            {
                "Group": rec["label"],
                f"Baseline {base_year}": fmt_num(rec["baseline"], d),
                f"Target {ctx.year}": fmt_num(rec["target_now"], d),
                f"Result {ctx.year}": fmt_num(rec["actual_now"], d),
                "Status": status,
                f"Goal {goal_year}": fmt_num(rec["goal"], d),
            }
        )
    return pd.DataFrame(out)
