"""Sentences for the district summary: every school on one page, equity gaps, impact.

Seed 001 (the Massachusetts review) asks for "more urgency around closing opportunity and
achievement gaps": the equity paragraphs lead with the high-needs group and the widest gaps,
by school and across the district. Every number is formatted in the templates
``kit/narrative/templates/district_*.md.j2`` by the ``fmt_*`` filters.
"""

from __future__ import annotations

import pandas as pd

from kit.fmt import fmt_subject
from kit.narrative.index import _records, _true
from kit.narrative.render import render_template, view_first
from kit.views.context import ReportContext
from kit.views.index import ayp_test_word

_REAL_KINDS = ("program", "race", "gender", "composite")


def describe_district_intro(
    schools: pd.DataFrame, ctx: ReportContext, agreement: dict | None = None
) -> str:
    """The opening paragraph of the district summary; with ``agreement``
    (:func:`kit.views.district.view_agreement`, facts built from a state's published file)
    a line on whether the kit reproduces the state's figures."""
    schools, ctx = view_first(schools, ctx, "describe_district_intro")
    n_schools = schools["entity_id"].nunique() if len(schools) else 0
    return render_template(
        "district_intro.md.j2",
        ctx=ctx,
        n_schools=n_schools,
        subjects=[fmt_subject(s) for s in ctx.subjects],
        agreement=agreement,
    )


def _per_school(schools: pd.DataFrame) -> list[dict]:
    first = schools.drop_duplicates("entity_id")
    return _records(first)


def describe_district_findings(
    schools: pd.DataFrame,
    ctx: ReportContext,
    ayp_subjects: list[str],
    gaps: dict[str, pd.DataFrame] | None = None,
) -> str:
    """Findings first: how many schools made AYP and which did not, then for each AYP
    subject the range of the headline index across schools, how far the district's
    high-needs students trail the other students (``gaps``: :func:`view_gaps` of the
    district by subject) and the school where they trail all students most."""
    return render_template("district_findings.md.j2", **_findings(schools, ctx, ayp_subjects, gaps))


def _findings(
    schools: pd.DataFrame,
    ctx: ReportContext,
    ayp_subjects: list[str],
    gaps: dict[str, pd.DataFrame] | None = None,
) -> dict:
    """What the findings (and the summary) of the district summary say, from its views."""
    per_school = _per_school(schools)
    judged = [s for s in per_school if s["ayp_met"] is not None]
    missed = [s for s in judged if not _true(s["ayp_met"])]
    missed.sort(key=lambda s: (s["ayp_n_met"] / max(s["ayp_n_groups"], 1), s["name"]))
    subjects = []
    for subject in ayp_subjects:
        rows = schools[(schools["subject"] == subject) & ~schools["suppressed"]]
        rows = rows.sort_values(["index", "name"])
        hn = schools[
            (schools["subject"] == subject) & ~schools["hn_suppressed"] & schools["hn_gap"].notna()
        ].sort_values(["hn_gap", "name"])
        g = (gaps or {}).get(subject)
        hn_district = None
        if g is not None and len(g):
            found = g[(g["group"] == "high_needs") & ~g["suppressed"]]
            hn_district = _records(found)[0] if len(found) else None
        subjects.append(
            {
                "name": fmt_subject(subject),
                "hn_district": hn_district,
                "low": _records(rows.head(1))[0] if len(rows) else None,
                "high": _records(rows.tail(1))[0] if len(rows) > 1 else None,
                "hn_widest": _records(hn.head(1))[0] if len(hn) else None,
                "n_hn": len(hn),
                "n_hn_hidden": int(
                    ((schools["subject"] == subject) & schools["hn_suppressed"]).sum()
                ),
            }
        )
    return dict(
        ctx=ctx,
        n_schools=len(per_school),
        n_judged=len(judged),
        n_made=len(judged) - len(missed),
        made=[s for s in judged if _true(s["ayp_met"])],
        missed=missed,
        subjects=subjects,
    )


def describe_equity(
    gaps: pd.DataFrame, schools: pd.DataFrame, ctx: ReportContext, subject: str
) -> str:
    """The equity paragraph of one subject: high-needs students first (their size, their
    gap to all students and to the other students, where the gap is widest and narrowest),
    then the group furthest behind across the district."""
    shown = gaps[~gaps["suppressed"]] if len(gaps) else gaps
    recs = {r["group"]: r for r in _records(shown)}
    hn = recs.get("high_needs")
    all_row = recs.get("all")
    widest = shown[
        shown["kind"].isin(_REAL_KINDS)
        & shown["gap_all_index"].notna()
        & (shown["gap_all_index"].round(1) < 0)
    ].sort_values(["gap_all_index", "group"])
    by_school = schools[
        (schools["subject"] == subject) & ~schools["hn_suppressed"] & schools["hn_gap"].notna()
    ].sort_values(["hn_gap", "name"])
    hidden_hn = schools[(schools["subject"] == subject) & schools["hn_suppressed"]]
    small = gaps.loc[gaps["suppression_reason"] == "small", "noun"].tolist() if len(gaps) else []
    complement = (
        gaps.loc[gaps["suppression_reason"] == "complement", "noun"].tolist() if len(gaps) else []
    )
    return render_template(
        "district_equity.md.j2",
        ctx=ctx,
        lead=fmt_subject(subject).capitalize(),
        subject_name=fmt_subject(subject),
        hn=hn,
        all=all_row,
        widest=_records(widest.head(2)),
        hn_widest=_records(by_school.head(1))[0] if len(by_school) else None,
        hn_narrowest=_records(by_school.tail(1))[0] if len(by_school) > 1 else None,
        n_hn_schools=len(by_school),
        hn_hidden=hidden_hn["name"].tolist(),
        small=[s for s in small if s],
        complement=[s for s in complement if s],
    )


def _lowest(schools: pd.DataFrame, ayp_subjects: list[str]) -> list[dict]:
    """Per subject, the group that is the lowest reported one at the most schools."""
    subjects = []
    for subject in ayp_subjects:
        rows = schools[
            (schools["subject"] == subject)
            & schools["lowest_group"].notna()
            & (schools["lowest_gap"].round(1) < 0)
        ]
        counts = rows.groupby("lowest_noun").size().sort_values(ascending=False, kind="stable")
        subjects.append(
            {
                "name": fmt_subject(subject),
                "n_schools": int(rows["entity_id"].nunique()),
                "top_noun": counts.index[0] if len(counts) else None,
                "top_count": int(counts.iloc[0]) if len(counts) else 0,
            }
        )
    return subjects


def describe_lowest(schools: pd.DataFrame, ctx: ReportContext, ayp_subjects: list[str]) -> str:
    """PIM 1-A across the district: which group is the lowest reported one at the most
    schools, per AYP subject."""
    return render_template(
        "district_lowest.md.j2", ctx=ctx, subjects=_lowest(schools, ayp_subjects)
    )


def _names(rec: dict | None) -> list[str]:
    """The plain names of an impact row's tests (never their ids)."""
    if not rec:
        return []
    names = rec.get("test_names")
    return list(names) if names is not None else [ayp_test_word(t) for t in rec["tests"] or []]


def describe_impact(impact: pd.DataFrame, ctx: ReportContext, rules: dict) -> str:
    """Seed 004's Pennsylvania table for the district: schools meeting targets under each
    test alone, the tests together, the determination, and each index model on status."""
    if impact.empty:
        return render_template("district_impact.md.j2", ctx=ctx, det=None)
    recs = _records(impact)
    det = next((r for r in recs if r["determination"]), None)
    single = [
        dict(r, word=_names(r)[0])
        for r in recs
        if r["comparison"] == "rules" and not r["determination"] and len(r["tests"]) == 1
    ]
    cumulative = [
        r
        for r in recs
        if r["comparison"] == "rules" and not r["determination"] and len(r["tests"]) > 1
    ]
    decisive = {t["id"] for t in rules["tests"]}
    with_all = max(cumulative, key=lambda r: len(r["tests"])) if cumulative else None
    models = [r for r in recs if r["comparison"] == "models"]
    headline = next((r for r in models if r["model"] == ctx.headline_model), None)
    ranked = sorted(models, key=lambda r: (r["n_met"], r["rule_order"]))
    return render_template(
        "district_impact.md.j2",
        ctx=ctx,
        det=det,
        single=single,
        with_all=with_all,
        det_tests=_names(det) if det else [],
        extra=[
            name
            for t, name in zip(with_all["tests"] if with_all else [], _names(with_all), strict=True)
            if t not in decisive
        ],
        models=models,
        headline=headline,
        fewest=ranked[0] if ranked else None,
        most=ranked[-1] if ranked else None,
        n_models_most=sum(r["n_met"] == ranked[-1]["n_met"] for r in ranked) if ranked else 0,
        placeholder=[r["model_name"] for r in models if r["target_basis"] == "held"],
        starting_point=any(r["target_basis"] == "starting_point" for r in models),
    )


def describe_district_method(ctx: ReportContext, rules: dict, caveats: list[dict]) -> str:
    """'About these figures' for the district summary."""
    return render_template("district_method.md.j2", ctx=ctx, rules=rules, caveats=caveats)


def describe_district_summary(
    schools: pd.DataFrame,
    ctx: ReportContext,
    ayp_subjects: list[str],
    gaps: dict[str, pd.DataFrame] | None = None,
) -> str:
    """The first-page summary of the district summary: three findings (AYP across the
    schools, the high-needs gap, the group lowest at the most schools) and what to look at
    next, from the same views as the sections below (no new figure, nothing hidden)."""
    return render_template(
        "district_summary.md.j2",
        lowest=[s for s in _lowest(schools, ayp_subjects) if s["top_noun"]],
        **_findings(schools, ctx, ayp_subjects, gaps),
    )
