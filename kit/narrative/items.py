"""Sentences about item analysis (PIM step 3, Appendix B), built from :mod:`kit.views.items`.

Python picks the facts (which items, which standards) and hands plain records to the
templates ``items_*.md.j2``; the wording lives in the templates, which a district may edit
(``KIT_TEMPLATES``). Every number is formatted there with the ``fmt_*`` filters.
"""

from __future__ import annotations

import math

import pandas as pd

from kit._frames import records
from kit.fmt import fmt_subject, shown_diff
from kit.narrative._common import unverified_labels
from kit.narrative.render import render_template, view_first
from kit.views.context import ReportContext
from kit.views.items import (
    ItemTestView,
    distractors_beating_key,
    quality_items,
    skills_to_reteach,
    trailing_items,
)

_TYPE_NAMES = {"MC": "multiple-choice items", "SR/OR": "short- and open-response items"}


def _clean(rec: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}


def _records(df: pd.DataFrame) -> list[dict]:
    return [_clean(r) for r in records(df)]


def describe_item_test_title(view: ItemTestView) -> str:
    """``Grade 4 mathematics``."""
    return f"Grade {view.grade} {fmt_subject(view.subject)}"


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
        title=describe_item_test_title(view),
        rules=view.rules,
        test_name=f"grade {view.grade} {fmt_subject(view.subject)}",
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


def describe_items_intro(views: list[ItemTestView], ctx: ReportContext) -> str:
    """The opening paragraph: which tests, where the state reference comes from, and which
    group's items the report follows."""
    views, ctx = view_first(views, ctx, "describe_items_intro")
    focus = list(dict.fromkeys(v.focus_noun for v in views if v.focus_noun))
    sources = sorted({v.state_source for v in views if v.state_source})
    return render_template(
        "items_intro.md.j2",
        ctx=ctx,
        tests=[describe_item_test_title(v) for v in views],
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


def describe_items_method(views: list[ItemTestView], ctx: ReportContext) -> str:
    """The closing 'About these figures' section."""
    views, ctx = view_first(views, ctx, "describe_items_method")
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


def summary_items(views: list[ItemTestView], ctx: ReportContext) -> dict:
    """The three findings of the item analysis and what to look at next, from the same
    test contexts as the sections below (no new figure, nothing hidden): the test furthest
    below the state (or, when the entity is the state in these data, the test with the
    smallest share of the points); the items of the starting list (3-A); the wrong answers
    that beat the key. Next: the first unflagged starting item, the first skill to reteach
    (never one resting on a flagged item: :func:`kit.views.items.skills_to_reteach`) and the
    flagged items to check before reteaching."""
    tests = [_context(v, ctx) for v in views if not v.suppressed]
    with_pct = [t for t in tests if t["overall"]["pct"] is not None]
    # One district in the data: its figures are the state's, every difference is zero.
    same_as_state = bool(with_pct) and all(t["overall"]["gap"] == 0 for t in with_pct)
    weakest = None
    if with_pct:
        key = "pct" if same_as_state else "gap"
        weakest = min(with_pct, key=lambda t: (t["overall"][key], t["title"]))
    starting = [t for t in tests if t["starting"]]
    flagged = {
        q["item_id"]: t["title"] for t in tests for q in t["quality"]
    }  # item ids are unique to a test
    first_item, first_test = None, None
    for t in starting:
        for item in t["starting"]:
            if item["item_id"] not in flagged:
                first_item, first_test = item, t
                break
        if first_item:
            break
    furthest = None
    if not starting:
        below = [(t["trailing"][0], t) for t in tests if t["trailing"]]
        if below:
            furthest = min(below, key=lambda x: (x[0]["diff_vs_state"], x[0]["item_id"]))
    beat = sorted((t for t in tests if t["n_beat"]), key=lambda t: (-t["n_beat"], t["title"]))
    # The widest margin among the items that measure well: a flagged item's popular wrong
    # answer may be the key's fault, not a misconception.
    pairs = [(b, t) for t in beat for b in t["beat"] if not b["quality"]]
    widest = (
        max(pairs, key=lambda x: (x[0]["option_pct"] - x[0]["key_pct"], x[0]["item_id"]))
        if pairs
        else None
    )
    taught = [(t["standards"][0], t) for t in tests if t["standards"]]
    teach = min(taught, key=lambda x: (x[0]["gap_vs_state"], x[1]["title"])) if taught else None
    starting = sorted(starting, key=lambda t: (-t["n_starting"], t["title"]))
    check = sorted(
        {i for t in tests for i in [s["item_id"] for s in t["starting"]] if i in flagged}
        | {b["item_id"] for t in tests for b in t["beat"] if b["item_id"] in flagged}
    )
    focus = list(dict.fromkeys(v.focus_noun for v in views if v.focus_noun))
    return {
        "tests": tests,
        "same_as_state": same_as_state,
        "weakest": weakest,
        "starting": starting,
        "first_item": first_item,
        "first_test": first_test,
        "furthest": furthest,
        "beat": beat,
        "widest": widest,
        "teach": teach,
        "check": check,
        "focus": focus,
        "rules": views[0].rules if views else None,
    }


def describe_items_summary(views: list[ItemTestView], ctx: ReportContext) -> str:
    """The first-page summary of the item analysis: three findings and what to look at
    next (:func:`summary_items`), as Markdown under a "Summary" heading."""
    if ctx.source == "aggregates":
        return ""
    return render_template("items_summary.md.j2", ctx=ctx, **summary_items(views, ctx))
