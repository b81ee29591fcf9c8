"""Sentences of the PBMAS district report (``kit/narrative/templates/pbmas_*.md.j2``).

Each ``describe_*`` takes a view of :mod:`kit.views.pbmas` (masking applied): a sentence
names a rate only where the table shows it, with the same one-decimal formatting.
"""

from __future__ import annotations

import pandas as pd

from kit.fmt import is_missing
from kit.narrative.render import render_template
from kit.views.context import ReportContext
from kit.views.pbmas import pbmas_area, pbmas_identified

SUBJECT_WORDS = {
    "MATH": "mathematics",
    "READING": "reading",
    "SCIENCE": "science",
    "SOCIAL_STUDIES": "social studies",
    "WRITING": "writing",
}


def _clean(v):
    if is_missing(v):
        return None
    return v


def indicator_words(rec: dict) -> str:
    """'SPED #12 SPED Representation' or 'BE/ESL #2 ESL STAAR Passing Rate (mathematics)'."""
    subject = _clean(rec.get("subject"))
    words = f"{rec['indicator']} {rec['indicator_name']}"
    return f"{words} ({SUBJECT_WORDS.get(subject, subject)})" if subject else words


def level_words(rec: dict) -> str:
    """A flagged result in words: 'PL 2 at 25.9%, 4.1 points below the PL 1 range'; for a
    level from summed years, the summed rate ('PL 2 SA, 2 years summed: 58.3%, ...'). A
    masked rate is not named, nor the distance that would give it away."""
    pl = int(rec["pl"])
    marker = f" {rec['marker']}" if _clean(rec.get("marker")) == "SA" else ""
    text = f"PL {pl}{marker}"
    years = _clean(rec.get("years_aggregated")) or 1
    if years > 1:
        text += f", {int(years)} years summed"
        rate = None if int(rec.get("used_masked") or 0) else _clean(rec.get("rate_used"))
        if rate is not None:
            text += f": {rate:.1f}%"
    else:
        rate = _clean(rec.get("shown_rate"))
        if rate is not None:
            text += f" at {rate:.1f}%"
    step = _clean(rec.get("shown_to_next"))
    if step is not None:
        side = "below" if rec.get("direction") == "higher" else "above"
        unit = "point" if f"{step:.1f}" == "1.0" else "points"
        text += f", {step:.1f} {unit} {side} the PL {pl - 1} range"
    if rec.get("report_only"):
        text += ", Report Only"
    return text


def describe_pbmas_intro(view: pd.DataFrame, ctx: ReportContext) -> str:
    """What the report covers."""
    names = list(dict.fromkeys(view["program_area_name"]))
    return render_template("pbmas_intro.md.j2", ctx=ctx, areas=", ".join(names))


def describe_pbmas_banner(banner: list[dict], ctx: ReportContext) -> str:
    """The blockquote naming the illustrative (``verified: false``) rules and tables."""
    labels = [b["label"][:1].lower() + b["label"][1:] for b in banner]
    return render_template(
        "pbmas_banner.md.j2", banner=banner, n=len(banner), labels="; ".join(labels), ctx=ctx
    )


def _counted(view: pd.DataFrame) -> pd.DataFrame:
    return view[~view["report_only"].astype(bool)]


def _levels(view: pd.DataFrame, stages: pd.DataFrame) -> dict:
    """Counts of levels over every program area (Report Only aside), the worst area, and
    the stages in words: what the stages paragraph and the first-page summary both say."""
    rows = _counted(view)
    pl = rows["pl"].astype("Float64")
    worst = None
    if len(stages):
        s = stages.assign(_bad=stages["n_pl3"] + stages["n_pl2"])
        s = s.sort_values(["n_pl3", "_bad"], ascending=False, kind="stable")
        if int(s.iloc[0]["_bad"]) > 0:
            worst = {k: _clean(v) for k, v in s.iloc[0].to_dict().items()}
    staged = [
        f"{r['program_area_name']} is at stage {r['stage']}"
        if str(r["stage"]).lower() != "not staged"
        else f"{r['program_area_name']} is not staged"
        for r in stages.to_dict("records")
        if _clean(r["stage"]) is not None
    ]
    unstaged = [
        r["program_area_name"] for r in stages.to_dict("records") if _clean(r["stage"]) is None
    ]
    return dict(
        n3=int((pl == 3).sum()),
        n2=int((pl == 2).sum()),
        n1=int((pl == 1).sum()),
        n0=int((pl == 0).sum()),
        n_ri=int((rows["performance_level"] == "0 RI").sum()),
        n_na=int((rows["performance_level"] == "NA").sum()),
        n_nd=int((rows["performance_level"] == "ND").sum()),
        worst=worst,
        staged=staged,
        unstaged=unstaged,
    )


def describe_pbmas_stages(view: pd.DataFrame, stages: pd.DataFrame, ctx: ReportContext) -> str:
    """Levels over every program area (Report Only aside), the worst area, and the stages."""
    return render_template("pbmas_stages.md.j2", ctx=ctx, **_levels(view, stages))


def describe_pbmas_summary(view: pd.DataFrame, stages: pd.DataFrame, ctx: ReportContext) -> str:
    """The first-page summary: the levels, the program area with the most indicators at
    PL 2 or 3, the stages, then what to look at next: the (at most two) counted results
    at the highest level, in the words of their area's sentence (Markdown under "Summary")."""
    levels = _levels(view, stages)
    flagged = pbmas_identified(_counted(view)).head(2)
    top = [
        f"{r['program_area_name']}: {indicator_words(r)}, {level_words(r)}"
        for r in flagged.to_dict("records")
    ]
    return render_template("pbmas_summary.md.j2", ctx=ctx, top=top, **levels)


def describe_pbmas_area(
    view: pd.DataFrame, stages: pd.DataFrame, ctx: ReportContext, area: str
) -> str:
    """One program area: its stage, the results at PL 1 or above, and what has no data."""
    rows = pbmas_area(view, area)
    if rows.empty:
        return ""
    st = stages[stages["program_area"] == area]
    stage = _clean(st["stage"].iloc[0]) if len(st) else None
    stage_year = _clean(st["rule_from_year"].iloc[0]) if len(st) else None
    pl = rows["pl"].astype("Float64")
    flagged_rows = rows[pl.fillna(0) >= 1].sort_values("pl_sort", ascending=False, kind="stable")
    # items hold commas of their own: a semicolon between them
    flagged = "; ".join(
        f"{level_words(r)} on {indicator_words(r)}" for r in flagged_rows.to_dict("records")
    )
    nd = rows[rows["performance_level"] == "ND"]
    reasons = [
        f"{n} {'result' if n == 1 else 'results'}: {reason}"
        for reason, n in nd["reason"].fillna("no data").value_counts(sort=False).items()
    ]
    return render_template(
        "pbmas_area.md.j2",
        area_name=rows["program_area_name"].iloc[0],
        stage=stage,
        stage_year=int(stage_year) if stage_year is not None else None,
        flagged=flagged,
        n0=int((pl == 0).sum()),
        n_na=int((rows["performance_level"] == "NA").sum()),
        n_nd=len(nd),
        nd_reasons=reasons,
        ctx=ctx,
    )


def describe_pbmas_method(ctx: ReportContext, banner: list[dict], msr: int = 30) -> str:
    """The closing 'About these figures': levels, markers, masking, stages, unverified rules."""
    return render_template("pbmas_method.md.j2", ctx=ctx, banner=banner, msr=msr)


__all__ = [
    "describe_pbmas_area",
    "describe_pbmas_banner",
    "describe_pbmas_intro",
    "describe_pbmas_method",
    "describe_pbmas_stages",
    "describe_pbmas_summary",
    "indicator_words",
    "level_words",
]
