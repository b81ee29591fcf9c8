"""Sentences about student groups, built from a suppression-aware subgroup view."""

from __future__ import annotations

import math

import pandas as pd

from kit.narrative._common import unverified_labels
from kit.narrative.render import render_template
from kit.views.context import ReportContext

SUBJECT_NAMES = {
    "ELA": "English language arts",
    "MATH": "mathematics",
    "SCI": "science",
    "BIO": "biology",
    "PHY": "physics",
}

# Groups named as "lowest" are real student groups: not "all", not a complement.
_RANKED_KINDS = ("program", "race", "gender", "composite")


def _row(rec: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}


def lowest_groups(view: pd.DataFrame, column: str, *, limit: int = 3) -> list[dict]:
    """Reported groups below all students on ``column``, lowest first (PIM step 1-A)."""
    gap = "gap_index" if column == "index" else "gap_pct"
    ranked = view[
        view["kind"].isin(_RANKED_KINDS) & ~view["suppressed"] & (view[gap] < 0)
    ].sort_values([column, "group"], kind="stable")
    return [_row(r) for r in ranked.head(limit).to_dict("records")]


def describe_subgroups(
    view: pd.DataFrame, ctx: ReportContext, subject: str, *, lead: bool = True
) -> str:
    """A paragraph (Markdown) on how the entity's groups did in one subject.

    It names the overall result against the state, the groups lowest on the framework's
    headline index and on percent proficient with the size of each gap, and the groups
    that are not reported because they are small. With ``lead`` the paragraph opens with
    the subject's name in bold (for a findings list covering several subjects).
    """
    all_rows = view[view["group"] == "all"]
    all_row = _row(all_rows.iloc[0].to_dict()) if len(all_rows) else None
    lowest_pct = lowest_groups(view, "pct_proficient", limit=1)
    return render_template(
        "subgroups.md.j2",
        ctx=ctx,
        subject_name=SUBJECT_NAMES.get(subject, subject),
        lead=SUBJECT_NAMES.get(subject, subject).capitalize() if lead else None,
        all=all_row,
        lowest_index=lowest_groups(view, "index"),
        lowest_pct=lowest_pct[0] if lowest_pct else None,
        small=view.loc[view["suppression_reason"] == "small", "label"].tolist(),
        complement=view.loc[view["suppression_reason"] == "complement", "label"].tolist(),
    )


def describe_intro(ctx: ReportContext) -> str:
    """The opening paragraph: what the report covers and how to read it."""
    return render_template(
        "intro.md.j2", ctx=ctx, subjects=[SUBJECT_NAMES.get(s, s) for s in ctx.subjects]
    )


def describe_method(ctx: ReportContext) -> str:
    """The closing 'About these figures' section: definitions, suppression and caveats."""
    return render_template("method.md.j2", ctx=ctx, unverified=unverified_labels(ctx))
