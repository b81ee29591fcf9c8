"""Sentences for the index and accountability report (seed 004; PIM step 2-A).

Each ``describe_*`` takes a suppression-aware view from :mod:`kit.views.index`, picks the facts a principal needs first, and renders a
template from ``kit/narrative/templates/index_*.md.j2`` in which every number goes through a
``fmt_*`` filter. Differences between two figures a table shows side by side are taken
between the figures *as shown* (rounded), so that a reader who subtracts gets the same
number as the sentence.
"""

from __future__ import annotations

import json

import pandas as pd

from kit._frames import records
from kit.fmt import fmt_num, fmt_subject, is_missing
from kit.fmt import shown_diff as fmt_shown_diff
from kit.narrative._common import unverified_items
from kit.narrative.render import render_template, view_first
from kit.views.context import ReportContext
from kit.views.index import ayp_subjects, ayp_summary, ayp_test_word

_REAL_KINDS = ("program", "race", "gender", "composite")


def _clean(v):
    if is_missing(v):
        return None
    return v


def _rec(rec: dict) -> dict:
    return {k: _clean(v) for k, v in rec.items()}


def _records(df: pd.DataFrame) -> list[dict]:
    return [_rec(r) for r in records(df)] if len(df) else []


def _true(x) -> bool:
    return _clean(x) is not None and bool(x)


def shown_diff(a, b, digits: int = 1) -> float | None:
    """``a - b`` between the figures as shown (:func:`kit.fmt.shown_diff`); None when
    either is missing."""
    return _clean(fmt_shown_diff(_clean(a), _clean(b), digits))


def _hidden_lists(rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Nouns of hidden groups: below the minimum, and hidden to protect another group."""
    if rows.empty:
        return [], []
    small = rows.loc[rows["suppression_reason"] == "small", "noun"].tolist()
    comp = rows.loc[rows["suppression_reason"] == "complement", "noun"].tolist()
    return small, comp


def _ayp_row(rec: dict, rules: dict) -> dict:
    """One AYP row with what its sentence needs: the shown gap to the target, the gain."""
    r = _rec(rec)
    d = int(r.get("digits") or 1)
    r["to_target"] = shown_diff(r["value"], r["target"], d)
    # Percent proficient is a percent, not an index: "28.6%", "of all students ... proficient".
    r["is_pct"] = r.get("measure") == "pct_proficient"
    r["unit"] = "%" if r["is_pct"] else ""
    r["gain"] = shown_diff(r["value"], r.get("prior_value"), d)
    # Met or short of the gain the improvement test needs: decided on the unrounded gain,
    # said "just short" when the two print the same.
    raw = (
        None
        if r["value"] is None or r.get("prior_value") is None
        else float(r["value"]) - float(r["prior_value"])
    )
    req = r.get("required_gain")
    r["gain_enough"] = None if raw is None or req is None else raw >= req - 1e-9
    r["gain_just_short"] = r["gain_enough"] is False and fmt_num(r["gain"], d) == fmt_num(req, d)
    r["met"] = _true(r["met"])
    r["participation_met"] = _true(r["participation_met"])
    tests = r.get("tests")
    if isinstance(tests, str):
        tests = json.loads(tests)
    r["judged"] = any(v is not None for v in (tests or {}).values())
    gain_tests = [t for t in rules["tests"] if t["kind"] == "index_gain"]
    r["gain_test"] = gain_tests[0]["name"] if gain_tests else None
    if not r.get("met_by_name"):
        r["met_by_name"] = ayp_test_word(r["met_by"]) if r.get("met_by") else None
    return r


def _level_moves(ctx: ReportContext) -> list[tuple[str, str]]:
    """(from, to) level names for a move up one level below proficient."""
    names = ctx.level_names
    return [(names[i], names[i + 1]) for i in range(ctx.proficient_level - 1)]


def describe_index_intro(ayp: pd.DataFrame, ctx: ReportContext) -> str:
    """The opening paragraph of the index report: what it covers and how to read it."""
    ayp, ctx = view_first(ayp, ctx, "describe_index_intro")
    return render_template(
        "index_intro.md.j2",
        ctx=ctx,
        subjects=[fmt_subject(s) for s in ctx.subjects],
        ayp_subjects=[fmt_subject(s) for s in ayp_subjects(ayp)],
    )


def _missed_by_group(ayp: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]], int]:
    """The shown AYP rows, the subjects each shown accountable group missed (by noun), and
    how many accountable results of hidden groups missed: a hidden group's result counts
    in the determination but is not named."""
    shown = ayp[~ayp["suppressed"]] if len(ayp) else ayp
    acc = shown[shown["accountable"].fillna(False).astype(bool)] if len(shown) else shown
    missed: dict[str, list[str]] = {}
    for r in _records(acc):
        if not _true(r["met"]):
            missed.setdefault(r["noun"], []).append(fmt_subject(r["subject"]))
    hidden = (
        ayp[ayp["suppressed"] & ayp["accountable"].fillna(False).astype(bool)] if len(ayp) else ayp
    )
    n_hidden_missed = int((~hidden["met"].fillna(False).astype(bool)).sum()) if len(hidden) else 0
    return shown, missed, n_hidden_missed


def describe_ayp(
    ayp: pd.DataFrame, ctx: ReportContext, rules: dict, caveats: list[dict] | None = None
) -> str:
    """The headline finding: did the school make AYP, which results missed, and how all
    students did against the target in each subject (findings first)."""
    if not ctx.has_ayp:
        return render_template("index_no_ayp.md.j2", ctx=ctx, part="findings", has_goals=True)
    summary = ayp_summary(ayp)
    shown, missed, n_hidden_missed = _missed_by_group(ayp)
    all_rows = (
        [
            dict(_ayp_row(r, rules), subject_name=fmt_subject(r["subject"]))
            for r in _records(shown[shown["group"] == "all"])
        ]
        if len(shown)
        else []
    )
    # Seed 001: keep the high-needs group in view, counted for AYP or not.
    high_needs = []
    for r in _records(ayp[ayp["group"] == "high_needs"]) if len(ayp) else []:
        all_row = next((a for a in all_rows if a["subject"] == r["subject"]), None)
        d = int(r.get("digits") or 1)
        high_needs.append(
            {
                "subject_name": fmt_subject(r["subject"]),
                "suppressed": bool(r["suppressed"]),
                "reason": r["suppression_reason"],
                "value": r["value"],
                "digits": d,
                "unit": "%" if r.get("measure") == "pct_proficient" else "",
                "gap": shown_diff(r["value"], all_row["value"], d) if all_row else None,
                "accountable": _true(r["accountable"]),
                "met": _true(r["met"]),
            }
        )
    # The unverified rules of the determination, as a reader names them; the verb agrees
    # with the list ("the AMO targets ... are", "the safe harbor test ... is").
    provisional_rules = [c for c in (caveats or []) if c["section"] in ("amos", "ayp")]
    provisional = [_caveat_phrase(c) for c in provisional_rules]
    return render_template(
        "index_findings.md.j2",
        ctx=ctx,
        summary=summary,
        high_needs=high_needs,
        n_hidden_missed=n_hidden_missed,
        missed=[{"noun": k, "subjects": v} for k, v in missed.items()],
        all_rows=all_rows,
        rules=rules,
        provisional=provisional,
        provisional_plural=len(provisional) > 1
        or any(c["section"] == "amos" for c in provisional_rules),
        prior_year=ctx.year - 1,
    )


def _caveat_phrase(c: dict) -> str:
    """'the AMO targets', 'the participation rule', 'the safe harbor test'."""
    if c["section"] == "amos":
        return "the AMO targets"
    if c["section"] == "ayp":
        if c.get("id") == "participation":
            return "the participation rule"
        return f"the {c.get('name') or ayp_test_word(c['id'])} test"
    label = str(c["label"])
    return f"the {label[:1].lower()}{label[1:]} goal"


def describe_ayp_subject(
    ayp: pd.DataFrame,
    ctx: ReportContext,
    subject: str,
    rules: dict,
    unjudged: pd.DataFrame | None = None,
) -> str:
    """How each group did in one subject: which tests they passed, which missed and by how
    much, the groups shown for information, judged on participation only, not judged, or
    not reported."""
    rows = ayp[ayp["subject"] == subject] if len(ayp) else ayp
    shown = rows[~rows["suppressed"]]
    recs = [_ayp_row(r, rules) for r in _records(shown)]
    counted = [r for r in recs if r["accountable"]]
    made: dict[tuple, list[str]] = {}
    min_all = rules.get("accountability_min_n_all") or rules.get("accountability_min_n")
    for r in counted:
        if r["met"]:
            # (None, minimum): made AYP on participation alone (enough students enrolled to be
            # judged, too few accountable ones to judge their scores).
            min_n = min_all if r["group"] == "all" else rules.get("accountability_min_n")
            key = ((r["met_by_name"] or "the rules"), None) if r["judged"] else (None, min_n)
            made.setdefault(key, []).append(r["noun"])
    small, comp = _hidden_lists(rows[rows["suppressed"]])
    hidden_counted = rows[rows["suppressed"] & rows["accountable"].fillna(False).astype(bool)]
    extra = (
        unjudged[unjudged["subject"] == subject]
        if unjudged is not None and len(unjudged)
        else pd.DataFrame(columns=["noun", "suppressed", "suppression_reason"])
    )
    extra_small, extra_comp = _hidden_lists(extra[extra["suppressed"].astype(bool)])
    return render_template(
        "index_ayp_subject.md.j2",
        ctx=ctx,
        rules=rules,
        lead=fmt_subject(subject).capitalize(),
        subject_name=fmt_subject(subject),
        n_counted=len(counted) + len(hidden_counted),
        n_made=sum(r["met"] for r in counted)
        + int(hidden_counted["met"].fillna(False).astype(bool).sum()),
        n_hidden_counted=len(hidden_counted),
        made=[{"test": k[0], "min_n": k[1], "nouns": v} for k, v in made.items()],
        missed=[r for r in counted if not r["met"]],
        info=[r for r in recs if not r["accountable"]],
        not_judged=extra.loc[~extra["suppressed"].astype(bool), "noun"].tolist(),
        small=small + extra_small,
        complement=comp + extra_comp,
        prior_year=ctx.year - 1,
    )


def what_would_change(ayp: pd.DataFrame) -> tuple[list[dict], int]:
    """The changes within reach (accountable groups first) and how many missed results
    need more than that (:func:`missed_results` splits them by whether they count)."""
    near, far_counted, far_info = missed_results(ayp)
    return near, len(far_counted) + len(far_info)


def missed_results(ayp: pd.DataFrame) -> tuple[list[dict], list[dict], list[dict]]:
    """The reported missed results: those within reach of a few students (accountable
    groups first, all students first among them), then the others apart by whether they
    count in the determination (``far_counted``) or are shown for information
    (``far_info``). Hidden groups' results are never among them."""
    if ayp.empty:
        return [], [], []
    missed = ayp[~ayp["suppressed"] & ~ayp["met"].fillna(False).astype(bool)]
    # Accountable results first (they decide AYP), all students first among them.
    missed = missed.assign(
        _all=missed["group"] == "all", _acc=missed["accountable"].fillna(False).astype(bool)
    ).sort_values(["_acc", "_all"], ascending=False, kind="stable")
    recs = [
        dict(
            _rec(r),
            subject_name=fmt_subject(r["subject"]),
            test_name=r.get("change_test_name") or ayp_test_word(r["change_test"]),
        )
        for r in records(missed)
    ]
    near = [r for r in recs if _true(r["change_plausible"])]
    far = [r for r in recs if not _true(r["change_plausible"])]
    return near, [r for r in far if r["_acc"]], [r for r in far if not r["_acc"]]


def describe_what_would_change(ayp: pd.DataFrame, ctx: ReportContext) -> str:
    """'3 of the 213 students moving up one achievement level would have met the
    improvement test': for each missed result, the fewest students whose results would
    have had to change, when that is at most one student in ten. The results out of reach
    are counted apart by whether they decide AYP, and named."""
    if not ctx.has_ayp:
        return render_template("index_no_ayp.md.j2", ctx=ctx, part="change")
    near, far_counted, far_info = missed_results(ayp)
    return render_template(
        "index_change.md.j2",
        ctx=ctx,
        near=near,
        far_counted=_by_group(far_counted),
        n_far_counted=len(far_counted),
        far_info=_by_group(far_info),
        n_far_info=len(far_info),
        n_missed=len(near) + len(far_counted) + len(far_info),
        moves=_level_moves(ctx),
    )


def _by_group(recs: list[dict]) -> list[dict]:
    """Missed results grouped by group: ``{"noun", "subjects"}`` in order."""
    out: dict[str, list[str]] = {}
    for r in recs:
        out.setdefault(r["noun"], []).append(r["subject_name"])
    return [{"noun": k, "subjects": v} for k, v in out.items()]


def describe_models(models: dict[str, pd.DataFrame], ctx: ReportContext) -> str:
    """The school's result under the framework's model and every other model, per subject,
    as a share of each model's scale (so models on different scales compare)."""
    subjects = []
    for subject, view in models.items():
        shown = view[~view["suppressed"]]
        head = shown[shown["headline"].fillna(False).astype(bool)]
        points = shown[
            (shown["kind"] == "level_points")
            & ~shown["headline"].astype(bool)
            & shown["share_of_range"].notna()
        ].sort_values(["share_of_range", "model"])
        prof = shown[(shown["kind"] == "proficiency_index") & shown["value"].notna()]
        high = head["range_high"].iloc[0] if len(head) else None
        subjects.append(
            {
                "lead": fmt_subject(subject).capitalize(),
                "digits": 3 if high is not None and not pd.isna(high) and high <= 1 else 1,
                "head": _rec(head.iloc[0].to_dict()) if len(head) else None,
                "low": _rec(points.iloc[0].to_dict()) if len(points) else None,
                "high": _rec(points.iloc[-1].to_dict()) if len(points) else None,
                "n_points": len(points),
                "prof_above": prof.loc[prof["value"].round(1) >= 0, "name"].tolist(),
                "prof_below": prof.loc[prof["value"].round(1) < 0, "name"].tolist(),
                "prof_unverified": bool(len(prof)) and not prof["verified"].astype(bool).all(),
                "suppressed": view["suppressed"].all() if len(view) else True,
            }
        )
    return render_template("index_models.md.j2", ctx=ctx, subjects=subjects)


def describe_goals(goals: pd.DataFrame, ctx: ReportContext, subject: str) -> str:
    """PIM 2-A: the goal for all students, where the school stands on the trajectory this
    year, and the reported groups that are off track."""
    shown = goals[~goals["suppressed"]] if len(goals) else goals
    recs = _records(shown)
    for r in recs:
        r["to_target"] = shown_diff(r["actual_now"], r["target_now"], int(r.get("digits") or 1))
    all_row = next((r for r in recs if r["group"] == "all"), None)
    groups = [r for r in recs if r["kind"] in _REAL_KINDS]
    off = [r for r in groups if r["on_track_now"] is False]
    on = [r for r in groups if r["on_track_now"] is True]
    return render_template(
        "index_goals.md.j2",
        ctx=ctx,
        lead=fmt_subject(subject).capitalize(),
        subject_name=fmt_subject(subject),
        all=all_row,
        off=off,
        n_on=len(on),
        baseline_year_is_now=bool(all_row) and int(all_row["baseline_year"]) == ctx.year,
    )


def describe_caveats(caveats: list[dict], ctx: ReportContext) -> str:
    """The unverified rules and figures a report rests on, each with the framework's note."""
    return render_template(
        "index_caveats.md.j2", ctx=ctx, caveats=caveats, unverified=unverified_items(ctx)
    )


def describe_index_method(ctx: ReportContext, rules: dict, caveats: list[dict]) -> str:
    """'About these figures': how AYP is decided, what 'what would change' counts, the
    models' scales, small groups and the unverified rules."""
    return render_template(
        "index_method.md.j2", ctx=ctx, rules=rules, moves=_level_moves(ctx), caveats=caveats
    )


def summary_index(
    ayp: pd.DataFrame, ctx: ReportContext, rules: dict, goals: dict[str, pd.DataFrame]
) -> dict:
    """The three findings of the index report and what to look at next, from the report's
    own views (no new figure, nothing hidden): the determination; the missed result most
    within reach (or, when every result was met, the narrowest margin of all students);
    the goals of all students and the groups off track."""
    summary = ayp_summary(ayp) if ctx.has_ayp else {"met": None, "n_groups": 0, "n_met": 0}
    shown, missed, n_hidden_missed = _missed_by_group(ayp)
    near, far_counted, _ = missed_results(ayp) if ctx.has_ayp else ([], [], [])
    near_counted = [r for r in near if r["_acc"]]
    all_rows = (
        [
            dict(_ayp_row(r, rules), subject_name=fmt_subject(r["subject"]))
            for r in _records(shown[shown["group"] == "all"])
        ]
        if len(shown)
        else []
    )
    judged = [r for r in all_rows if r["judged"] and r["to_target"] is not None]
    closest = min(judged, key=lambda r: (r["to_target"], r["subject"])) if judged else None
    goal_rows, off = [], []
    for subject, g in goals.items():
        shown_g = g[~g["suppressed"]] if len(g) else g
        for r in _records(shown_g):
            r["subject_name"] = fmt_subject(subject)
            r["to_target"] = shown_diff(r["actual_now"], r["target_now"], int(r.get("digits") or 1))
            if r["group"] == "all":
                goal_rows.append(r)
            elif r["kind"] in _REAL_KINDS and r["on_track_now"] is False:
                off.append(r)
    off_by_group: dict[str, list[str]] = {}
    for r in off:
        off_by_group.setdefault(r["noun"], []).append(r["subject_name"])
    return {
        "summary": summary,
        "missed": [{"noun": k, "subjects": v} for k, v in missed.items()],
        "n_hidden_missed": n_hidden_missed,
        "near": near_counted[0] if near_counted else None,
        "n_far_counted": len(far_counted),
        "closest": closest,
        "goals": goal_rows,
        "off": [{"noun": k, "subjects": v} for k, v in off_by_group.items()],
        "moves": _level_moves(ctx),
    }


def describe_index_summary(
    ayp: pd.DataFrame, ctx: ReportContext, rules: dict, goals: dict[str, pd.DataFrame]
) -> str:
    """The first-page summary of the index report: three findings and what to look at
    next (:func:`summary_index`), as Markdown under a "Summary" heading."""
    return render_template(
        "index_summary.md.j2", ctx=ctx, rules=rules, **summary_index(ayp, ctx, rules, goals)
    )
