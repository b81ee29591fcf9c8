"""Sentences about item analysis (PIM step 3, Appendix B), built from :mod:`kit.views.items`.

Python picks the facts (which items, which standards) and hands plain records to the
templates ``items_*.md.j2``; the wording lives in the templates, which a district may edit
(``KIT_TEMPLATES``). Every number is formatted there with the ``fmt_*`` filters.
"""

from __future__ import annotations

import math

import pandas as pd

from kit.fmt import shown_diff
from kit.narrative._common import unverified_labels
from kit.narrative.render import render_template
from kit.narrative.subgroups import SUBJECT_NAMES
from kit.views.context import ReportContext
from kit.views.items import (
    ItemTestView,
    distractors_beating_key,
    quality_items,
    trailing_items,
    skills_to_reteach,
)

_TYPE_NAMES = {"MC": "multiple-choice items", "SR/OR": "short- and open-response items"}


def _clean(rec: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}


def _records(df: pd.DataFrame) -> list[dict]:
    return [_clean(r) for r in df.to_dict("records")]


def item_test_title(view: ItemTestView) -> str:
    """``Grade 4 mathematics``."""
    return f"Grade {view.grade} {SUBJECT_NAMES.get(view.subject, view.subject)}"


def _overall(view: ItemTestView) -> dict:
    """Percent of points over the whole test (the item-type roll-up partitions the test)."""
    t = view.types[~view.types["suppressed"]]
    if t.empty or not t["points_possible"].sum():
        return {"pct": None, "state": None, "gap": None}
    possible = t["points_possible"].sum()
    pct = 100.0 * t["points_earned"].sum() / possible
    state = (t["state_pct_earned"] * t["points_possible"]).sum() / possible
    return {"pct": pct, "state": state, "gap": shown_diff(pct, state)}


_CONTEXTS: dict[int, tuple[ItemTestView, ReportContext, dict]] = {}


def _context(view: ItemTestView, ctx: ReportContext) -> dict:
    """The template context of one test, computed once per view (three sections use it)."""
    hit = _CONTEXTS.get(id(view))
    if hit is not None and hit[0] is view and hit[1] is ctx:
        return hit[2]
    if len(_CONTEXTS) > 32:
        _CONTEXTS.clear()
    context = _build_context(view, ctx)
    _CONTEXTS[id(view)] = (view, ctx, context)
    return context


def _build_context(view: ItemTestView, ctx: ReportContext) -> dict:
    reported = view.items[~view.items["suppressed"]]
    trailing = trailing_items(view, limit=6)
    starting = trailing[trailing["diff_vs_state"] <= -view.rules.trails_state_by]
    # The full starting list can be longer than the items named in a sentence.
    n_starting = int((reported["diff_vs_state"] <= -view.rules.trails_state_by).sum())
    cats = view.categories[~view.categories["suppressed"] & view.categories["category"].notna()]
    types = view.types[~view.types["suppressed"] & view.types["category"].notna()].copy()
    types["name"] = types["category"].map(_TYPE_NAMES).fillna(types["category"])
    quality = quality_items(view)
    quality["reasons_text"] = quality["reasons"].map(", ".join)
    beat = distractors_beating_key(view)
    beat["quality"] = beat["item_id"].isin(quality["item_id"])
    focus = (
        view.focus[~view.focus["suppressed"] & (view.focus["diff_vs_all"].round(1) < 0)]
        .sort_values(["diff_vs_all", "item_id"])
        .head(5)
        if len(view.focus) and not view.focus_suppressed
        else pd.DataFrame()
    )
    teach, check = skills_to_reteach(view, limit=3)
    return dict(
        ctx=ctx,
        view=view,
        title=item_test_title(view),
        rules=view.rules,
        test_name=f"grade {view.grade} {SUBJECT_NAMES.get(view.subject, view.subject)}",
        n_items=len(view.items),
        n_reported=len(reported),
        n_below=int((reported["diff_vs_state"].round(1) < 0).sum()),
        overall=_overall(view),
        trailing=_records(trailing),
        starting=_records(starting),
        n_starting=n_starting,
        weakest_category=_records(cats.sort_values(["gap_vs_state", "category"]).head(1)),
        types=_records(types.sort_values("category")),
        beat=_records(beat.head(4)),
        n_beat=len(beat),
        quality=_records(quality),
        reliability=view.reliability,
        focus=_records(focus),
        focus_step=(100.0 / view.focus_n if view.focus_n else None),
        standards=_records(teach),
        held=_records(check),
    )


def describe_items_intro(ctx: ReportContext, views: list[ItemTestView]) -> str:
    """The opening paragraph: which tests, where the state reference comes from, and which
    group's items the report follows."""
    focus = list(dict.fromkeys(v.focus_noun for v in views if v.focus_noun))
    sources = sorted({v.state_source for v in views if v.state_source})
    return render_template(
        "items_intro.md.j2",
        ctx=ctx,
        tests=[item_test_title(v) for v in views],
        sources=sources,
        focus=focus,
        rules=views[0].rules if views else None,
    )


def describe_items_findings(views: list[ItemTestView], ctx: ReportContext) -> str:
    """The findings list: one bullet per test, the largest shortfalls first."""
    if ctx.source == "aggregates":
        return "None: published results hold no answers to items."
    return render_template("items_findings.md.j2", ctx=ctx, tests=[_context(v, ctx) for v in views])


def describe_item_test(view: ItemTestView, ctx: ReportContext) -> str:
    """Paragraphs on one test: the items furthest below the state, the roll-up by reporting
    category and item type, wrong answers that beat the key, the focus group's items and
    the test-quality caveats."""
    return render_template("items_test.md.j2", **_context(view, ctx))


def describe_skills(view: ItemTestView, ctx: ReportContext) -> str:
    """A draft list of skills students lack with the standards behind them (PIM 3-C) and
    a draft learning objective for each (3-D), for the school team to rewrite."""
    return render_template("items_skills.md.j2", **_context(view, ctx))


def describe_items_method(ctx: ReportContext, views: list[ItemTestView]) -> str:
    """The closing 'About these figures' section."""
    if ctx.source == "aggregates":
        return f"**Framework.** {ctx.framework_name}."
    sources = sorted({v.state_source for v in views if v.state_source})
    return render_template(
        "items_method.md.j2",
        ctx=ctx,
        sources=sources,
        rules=views[0].rules if views else None,
        compare_district=any(v.compare_district for v in views),
        unverified=unverified_labels(ctx),
    )
