"""Sentences about student groups, built from a suppression-aware subgroup view."""

from __future__ import annotations

import math

import pandas as pd

from kit._frames import records
from kit.fmt import fmt_subject
from kit.narrative._common import unverified_labels
from kit.narrative.render import render_template
from kit.views.context import ReportContext

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
    return [_row(r) for r in records(ranked.head(limit))]


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
        subject_name=fmt_subject(subject),
        lead=fmt_subject(subject).capitalize() if lead else None,
        all=all_row,
        lowest_index=lowest_groups(view, "index"),
        lowest_pct=lowest_pct[0] if lowest_pct else None,
        small=view.loc[view["suppression_reason"] == "small", "label"].tolist(),
        complement=view.loc[view["suppression_reason"] == "complement", "label"].tolist(),
    )


def describe_subgroups_intro(ctx: ReportContext) -> str:
    """The opening paragraph: what the report covers and how to read it."""
    return render_template("intro.md.j2", ctx=ctx, subjects=[fmt_subject(s) for s in ctx.subjects])


def describe_subgroups_method(ctx: ReportContext) -> str:
    """The closing 'About these figures' section: definitions, suppression and caveats."""
    return render_template("method.md.j2", ctx=ctx, unverified=unverified_labels(ctx))


def _worst_by_group(views: dict[str, pd.DataFrame], column: str) -> list[list[dict]]:
    """Per real group, its rows below all students on ``column``'s gap, worst first."""
    gap = "gap_index" if column == "index" else "gap_pct"
    found: dict[str, list[dict]] = {}
    for subject, view in views.items():
        for r in lowest_groups(view, column, limit=len(view)):
            found.setdefault(r["group"], []).append(
                dict(r, subject=subject, subject_name=fmt_subject(subject))
            )
    return sorted(found.values(), key=lambda rs: (min(r[gap] for r in rs), rs[0]["group"]))


def summary_subgroups(views: dict[str, pd.DataFrame], ctx: ReportContext) -> dict:
    """The three findings of a subgroups report and what to look at next, picked from the
    report's own views (no new figure, nothing hidden): all students against the state in
    each subject; the group furthest behind all students on the index (every subject it
    trails in); the next group behind, or the group furthest below the same group
    state-wide. What to look at next: the furthest-behind group's achievement levels in
    its weakest subject (the share one level below proficient) and the item analysis."""
    overall = []
    for subject, view in views.items():
        rows = view[(view["group"] == "all") & ~view["suppressed"]]
        if len(rows):
            overall.append(dict(_row(rows.iloc[0].to_dict()), subject_name=fmt_subject(subject)))
    behind = _worst_by_group(views, "index")
    first = behind[0] if behind else []
    second = behind[1] if len(behind) > 1 else []
    below_state = []
    for subject, view in views.items():
        rows = view[
            view["kind"].isin(_RANKED_KINDS) & ~view["suppressed"] & (view["gap_state"] < 0)
        ]
        below_state += [dict(_row(r), subject_name=fmt_subject(subject)) for r in records(rows)]
    below_state.sort(key=lambda r: (r["gap_state"], r["group"]))
    worst = min(first, key=lambda r: (r["gap_index"], r["subject"])) if first else None
    near_level = ctx.proficient_level - 1
    return {
        "overall": overall,
        "first": first,
        "second": second,
        "below_state": below_state[0] if below_state else None,
        "worst": worst,
        "near_level": near_level,
        "near_level_name": ctx.level_names[near_level - 1] if near_level >= 1 else None,
        "n_hidden": sum(
            int((v["suppression_reason"].isin(["small", "complement"])).sum())
            for v in views.values()
        ),
    }


def describe_subgroups_summary(views: dict[str, pd.DataFrame], ctx: ReportContext) -> str:
    """The first-page summary of the subgroups report: three findings and what to look at
    next (:func:`summary_subgroups`), as Markdown under a "Summary" heading."""
    return render_template("subgroups_summary.md.j2", ctx=ctx, **summary_subgroups(views, ctx))
