"""PBMAS sentences: a snapshot for the demo district, and every number in them checked
against the tables beside them; a masked rate never reaches a sentence."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

import kit
from kit.facts import read_facts
from kit.narrative.pbmas import indicator_words
from kit.views.pbmas import pbmas_area


@pytest.fixture(scope="module")
def facts(pbmas_facts_path):
    with read_facts(pbmas_facts_path) as f:
        yield f


def _report(f, district: str) -> SimpleNamespace:
    ctx = kit.report_context(f, district)
    view = kit.view_pbmas(f, ctx)
    stages = kit.view_pbmas_stages(f, ctx)
    banner = kit.state_banner(f, "pbmas")
    return SimpleNamespace(ctx=ctx, view=view, stages=stages, banner=banner)


@pytest.fixture(scope="module")
def reports(facts):
    return [_report(facts, d) for d in facts.districts()["entity_id"]]


def test_snapshot_of_the_district_paragraphs(facts, snapshot):
    r = _report(facts, "D01")
    paragraphs = [
        kit.describe_pbmas_intro(r.view, r.ctx),
        kit.describe_pbmas_banner(r.banner, r.ctx),
        kit.describe_pbmas_stages(r.view, r.stages, r.ctx),
        *[kit.describe_pbmas_area(r.view, r.stages, r.ctx, a) for a in kit.pbmas_areas(r.view)],
    ]
    assert "\n\n".join(paragraphs) == snapshot


def test_summary_counts_agree_with_the_stage_table(reports):
    for r in reports:
        text = kit.describe_pbmas_stages(r.view, r.stages, r.ctx)
        table = kit.tab_pbmas_stages(r.stages, r.ctx)
        m = re.search(
            r"has (\d+) indicator results? at PL 3, (\d+) at PL 2 and (\d+) at PL 1", text
        )
        assert m, text
        sums = [sum(int(x) for x in table[f"PL {k}"]) for k in (3, 2, 1)]
        assert [int(g) for g in m.groups()] == sums
        m = re.search(r"(\d+) (?:is|are) not assigned .* and (\d+) (?:has|have) no data", text)
        assert m, text
        counted = r.view[~r.view.report_only.astype(bool)]
        assert int(m.group(1)) == (counted.performance_level == "NA").sum()
        assert int(m.group(2)) == (counted.performance_level == "ND").sum()
        for row in table.to_dict("records"):
            if row["Stage"] == "—":
                assert row["Program area"] in text.split("no staging table for")[1]


def test_flagged_results_agree_with_the_area_tables(reports):
    checked = 0
    for r in reports:
        for area in kit.pbmas_areas(r.view):
            text = kit.describe_pbmas_area(r.view, r.stages, r.ctx, area)
            table = kit.tab_pbmas_area(r.view, r.ctx, area)
            rows = kit.pbmas_identified(r.view)
            rows = rows[rows.program_area == area]
            for rec in rows.to_dict("records"):
                words = indicator_words(rec)
                at = text.index(f" on {words}")
                start = max(text.rfind("; ", 0, at), text.rfind("). ", 0, at) + 1) + 2
                said = text[start:at]
                m = re.match(r"PL (\d)( SA)?(?:, (\d) years summed)?(?::| at)? ?([\d.]+)?%?", said)
                assert m, (words, said)
                assert int(m.group(1)) == int(rec["pl"])
                summed = rec["years_aggregated"] > 1
                assert (m.group(3) is not None) == summed
                rate = m.group(4)
                if summed:
                    assert rate is None if rec["used_masked"] else float(rate) == rec["rate_used"]
                elif rec["masked"]:
                    assert rate is None  # a masked rate is not named
                else:
                    assert float(rate) == rec["rate_rounded"]
                    assert f"{rec['rate_rounded']:.1f}" in table["Rate"].tolist()
                step = re.search(r"([\d.]+) points? (below|above) the PL", said)
                shown = table["To next level"].tolist()
                if step:
                    assert any(x.lstrip("+-").startswith(step.group(1)) for x in shown)
                checked += 1
    assert checked > 3


def test_masked_counts_show_a_star_and_never_the_figures(reports):
    stars = 0
    for r in reports:
        for area in kit.pbmas_areas(r.view):
            table = kit.tab_pbmas_area(r.view, r.ctx, area)
            rows = pbmas_area(r.view, area)
            for rec, row in zip(rows.to_dict("records"), table.to_dict("records"), strict=True):
                if rec["masked"] == 2:
                    assert row["Numerator"] == row["Denominator"] == row["Rate"] == "*"
                    stars += 1
                elif rec["masked"] == 1:
                    assert row["Numerator"] == row["Rate"] == "*"
                    assert row["Denominator"] == f"{int(rec['denominator']):,}"
                    stars += 1
                else:
                    assert row["Rate"] in (f"{rec['rate_rounded']:.1f}", "—")
                assert row["Performance level"] != ""  # the PL is always shown
    assert stars > 0


def test_banner_and_method_name_the_illustrative_rules(reports):
    r = reports[0]
    text = kit.describe_pbmas_banner(r.banner, r.ctx)
    assert text.startswith("> **Illustrative, not TEA's published rules.**")
    assert "cut points of" in text and "staging" in text
    method = kit.describe_pbmas_method(r.ctx, r.banner, 30)
    for word in ("*ND*", "*NA*", "*SA*", "*0 RI*", "*Report Only*", "Masked counts"):
        assert word in method


# --- the first-page summary (issue 11, item 13) ------------------------------------------------


def test_first_page_summary_agrees_with_the_stage_table_and_the_area_sentences(reports):
    for r in reports:
        text = kit.describe_pbmas_summary(r.view, r.stages, r.ctx)
        assert text.startswith("## Summary")
        findings, after = text.split("**What to look at next**")
        assert 1 <= findings.count("\n- ") <= 3, text
        table = kit.tab_pbmas_stages(r.stages, r.ctx)
        m = re.search(r"(\d+) indicator results? at PL 3, (\d+) at PL 2 and (\d+) at PL 1", text)
        assert m, text
        assert [int(g) for g in m.groups()] == [
            sum(int(x) for x in table[f"PL {k}"]) for k in (3, 2, 1)
        ]
        # What to look at next: the counted results at the highest level, in the very words
        # of their program area's sentence (so the reader finds them there).
        areas = " ".join(
            kit.describe_pbmas_area(r.view, r.stages, r.ctx, a) for a in kit.pbmas_areas(r.view)
        )
        counted = r.view[~r.view.report_only.astype(bool)]
        top = counted["pl"].astype("Float64").max()
        named = [line for line in after.strip().splitlines() if ", PL " in line]
        if top is not None and top == top and top >= 1:
            assert named and f", PL {int(top)}" in named[0], (top, text)
        for line in named:
            detail = line[2:].rstrip(".").split(": ", 1)[1]
            indicator, level = detail.split(", PL ", 1)
            assert f"PL {level} on {indicator}" in areas, (line, areas)
