"""First-page summaries (issue 11, item 13), under every shipped framework a principal may
read them in: three findings at most, built from the report's own views, naming no hidden
group, and never pointing a teacher at an item the report flags as not measuring well."""

from __future__ import annotations

import re

import pytest

import kit
from kit.views.items import quality_items


@pytest.fixture(scope="module")
def store(framework_store):
    return framework_store


def _findings(text: str) -> list[str]:
    head = text.split("**What to look at next**")[0]
    return [line for line in head.splitlines() if line.startswith("- ")]


def _summaries(f):
    out = []
    for entity in [*f.schools()["entity_id"], *f.districts()["entity_id"]]:
        ctx = kit.report_context(f, entity)
        views = {s: kit.view_subgroups(f, ctx, s) for s in ctx.subjects}
        out.append((ctx, "subgroups", kit.describe_subgroups_summary(views, ctx), views))
        tests = kit.view_item_tests(f, ctx)
        out.append((ctx, "items", kit.describe_items_summary(tests, ctx), tests))
        ayp = kit.view_ayp(f, ctx)
        subjects = kit.ayp_subjects(ayp, ctx) or list(ctx.subjects)
        if ctx.entity_type == "school":
            goals = {s: kit.view_goals(f, ctx, s) for s in subjects}
            text = kit.describe_index_summary(ayp, ctx, kit.ayp_rules(f), goals)
            out.append((ctx, "index", text, ayp))
        else:
            schools = kit.view_schools(f, ctx)
            gaps = {s: kit.view_gaps(f, ctx, s) for s in subjects}
            text = kit.describe_district_summary(schools, ctx, subjects, gaps)
            out.append((ctx, "district", text, schools))
    return out


@pytest.fixture(scope="module")
def summaries(store):
    return _summaries(store)


def test_every_summary_has_at_most_three_findings_and_what_next(summaries):
    for ctx, kind, text, _ in summaries:
        assert text.startswith("## Summary"), (kind, text)
        assert 1 <= len(_findings(text)) <= 3, (ctx.entity_id, kind, text)
        assert "**What to look at next**" in text, (ctx.entity_id, kind, text)


def test_a_summary_names_no_hidden_group(summaries):
    for ctx, kind, text, views in summaries:
        if kind != "subgroups":
            continue
        hidden = {
            noun
            for v in views.values()
            for noun in v.loc[v["suppressed"] & (v["group"] != "all"), "noun"]
        }
        shown = {noun for v in views.values() for noun in v.loc[~v["suppressed"], "noun"]}
        for noun in hidden - shown:
            assert f"**Furthest behind: {noun}.**" not in text, (ctx.entity_id, noun)
            assert f"**Also behind: {noun}.**" not in text, (ctx.entity_id, noun)


def test_the_item_summary_never_sends_a_teacher_to_a_faulty_item(summaries):
    pointed = 0
    for ctx, kind, text, tests in summaries:
        if kind != "items":
            continue
        flagged = {i for t in tests if not t.suppressed for i in quality_items(t)["item_id"]}
        for item in re.findall(r"Step 3-A: ([\w-]+) in", text):
            assert item not in flagged, (ctx.entity_id, item)
            pointed += 1
        for code, title in re.findall(r"step 3-C\): ([\w.]+) in (grade \w+ [\w ]+?)[,(]", text):
            test = next(
                t for t in tests if kit.describe_item_test_title(t).lower() == title.strip().lower()
            )
            items = test.items.dropna(subset=["standard"])
            behind = set(items.loc[items["standard"] == code, "item_id"])
            assert not behind & flagged, (ctx.entity_id, code, behind & flagged)
            pointed += 1
        m = re.search(r"The widest on an item that measures well: ([\w-]+)", text)
        if m:
            assert m.group(1) not in flagged
    assert pointed
