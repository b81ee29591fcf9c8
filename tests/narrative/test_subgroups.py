"""Subgroup sentences: snapshots for the demo district, and every number checked against the facts."""

import re

import pytest

import kit
from kit.fmt import fmt_num, fmt_pct

NUM = r"(-?[\d,]+\.\d)"


def paragraphs(facts):
    for school in facts.schools()["entity_id"]:
        ctx = kit.report_context(facts, school)
        for subject in ctx.subjects:
            view = kit.view_subgroups(facts, ctx, subject)
            yield ctx, subject, view, kit.describe_subgroups(view, ctx, subject)


def test_snapshot_of_demo_paragraphs(facts, snapshot):
    text = "\n\n".join(
        f"[{ctx.entity_id} {subject}]\n{para}" for ctx, subject, _, para in paragraphs(facts)
    )
    assert text == snapshot


def test_every_number_in_a_sentence_matches_the_view(facts):
    checked = 0
    for _ctx, _subject, view, para in paragraphs(facts):
        rows = view.set_index("group")
        all_row = rows.loc["all"]
        if all_row.suppressed:
            assert "not reported" in para
            continue
        m = re.search(rf"\*\*{NUM}%\*\* of the ([\d,]+) accountable students at", para)
        assert m, para
        assert m.group(1) == fmt_num(all_row.pct_proficient)
        assert int(m.group(2).replace(",", "")) == all_row.n
        m = re.search(rf"was \*\*{NUM}\*\*", para)
        assert m and m.group(1) == fmt_num(all_row["index"])
        m = re.search(rf"{NUM} points? (above|below) the state", para)
        if m:
            sign = 1 if m.group(2) == "above" else -1
            assert sign * float(m.group(1)) == pytest.approx(round(all_row.gap_state, 1))
        nouns = dict(zip(view["noun"], view["group"], strict=True))
        for noun, value, gap, _direction in re.findall(
            rf"(?:were|was|;|and) ([\w\s-]+?) \({NUM}, {NUM} points? (below) all students\)", para
        ):
            group = nouns[noun.strip().removeprefix("and ").strip()]
            assert not rows.loc[group].suppressed
            assert value == fmt_num(rows.loc[group, "index"])
            assert -float(gap) == pytest.approx(round(rows.loc[group, "gap_index"], 1))
            assert rows.loc[group, "gap_index"] < 0
            checked += 1
        m = re.search(rf"On percent proficient, (.+?) trailed most: {NUM}%, {NUM} points", para)
        if m:
            group = nouns[m.group(1)]
            assert m.group(2) == fmt_num(rows.loc[group, "pct_proficient"])
            reported = view[
                ~view.suppressed & view.kind.isin(["program", "race", "gender", "composite"])
            ]
            assert rows.loc[group, "pct_proficient"] == reported["pct_proficient"].min()
        for label in view.loc[view.suppression_reason == "small", "label"]:
            assert label in para.split("fewer than")[1]
    assert checked > 5


def test_suppressed_groups_never_show_numbers(facts):
    for ctx, _subject, view, para in paragraphs(facts):
        # a shown group's name may contain a hidden one's ("current and former English
        # learners" holds "English learners"): take the shown ones out first
        rest = para
        for noun in sorted(view.loc[~view.suppressed, "noun"], key=len, reverse=True):
            rest = rest.replace(f"{noun} (", "<shown> (")
        for rec in view[view.suppressed].to_dict("records"):
            assert f"{rec['noun']} (" not in rest
        table = kit.tab_subgroups(view, ctx)
        hidden = table[view["suppressed"].to_numpy()]
        assert (hidden["% proficient+"] == "—").all()
        assert hidden["Students"].isin([f"<{ctx.reporting_min_n}", "n/r"]).all()


def test_names_are_escaped_for_html(facts):
    import dataclasses

    ctx = kit.report_context(facts, facts.schools()["entity_id"][0])
    ctx = dataclasses.replace(ctx, name="<script>alert(1)</script> & Co")
    para = kit.describe_subgroups(kit.view_subgroups(facts, ctx, "ELA"), ctx, "ELA")
    assert "<script>" not in para and "&lt;script&gt;" in para


def test_fmt_functions_used_by_tables_and_sentences():
    assert fmt_pct(54.25) == "54.2%" and fmt_pct(float("nan")) == "—"
    assert kit.fmt_gap(-23.44, "all students") == "23.4 points below all students"
    assert kit.fmt_gap(1.0, "the state") == "1.0 point above the state"
    assert kit.fmt_gap(0.04, "the state") == "level with the state"
    assert kit.fmt_change(5.06, "2023") == "up 5.1 points from 2023"
