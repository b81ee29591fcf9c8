"""District summary sentences: a snapshot for the demo district, and every number in them
checked against the facts store and the tables beside them."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

import kit
from kit.fmt import fmt_int, fmt_num, fmt_pct, shown_diff

NUM = r"(-?[\d,]+\.\d)"
SUBJECTS = {"English language arts": "ELA", "Mathematics": "MATH", "mathematics": "MATH"}
SHORT = {"ELA": "ELA", "MATH": "Math", "SCI": "Science"}


def _num(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.fixture(scope="module")
def store(facts_path):
    with kit.read_facts(facts_path) as f:
        yield f


@pytest.fixture(scope="module")
def summary(store):
    ctx = kit.report_context(store, store.districts()["entity_id"][0])
    schools = kit.view_schools(store, ctx)
    rules = kit.view_ayp_rules(store)
    subjects = kit.ayp_subjects(kit.view_ayp(store, ctx), ctx)
    gaps = {s: kit.view_gaps(store, ctx, s) for s in subjects}
    impact = kit.view_impact(store, ctx)
    caveats = kit.accountability_caveats(store, ctx, impact=True)
    return SimpleNamespace(
        ctx=ctx,
        schools=schools,
        rules=rules,
        subjects=subjects,
        gaps=gaps,
        impact=impact,
        intro=kit.describe_district_intro(schools, ctx),
        findings=kit.describe_district_findings(schools, ctx, subjects, gaps),
        equity={s: kit.describe_equity(gaps[s], schools, ctx, s) for s in subjects},
        lowest=kit.describe_lowest(schools, ctx, subjects),
        impact_text=kit.describe_impact(impact, ctx, rules),
        caveats_text=kit.describe_caveats(caveats, ctx),
        method=kit.describe_district_method(ctx, rules, caveats),
    )


def test_snapshot_of_demo_paragraphs(summary, snapshot):
    text = "\n\n".join(
        [
            summary.intro,
            summary.findings,
            *summary.equity.values(),
            summary.lowest,
            summary.impact_text,
            summary.caveats_text,
            summary.method,
        ]
    )
    assert text == snapshot


def test_ayp_count_and_schools_match_the_facts(summary, store):
    ctx = summary.ctx
    ids = store.schools(ctx.year, ctx.entity_id)
    rows = store.table(
        "ayp_summary", year=ctx.year, subject="ALL", entity_id=ids["entity_id"].tolist()
    )
    names = dict(zip(ids["entity_id"], ids["name"], strict=True))
    made = [names[e] for e in rows.loc[rows["met"].astype(bool), "entity_id"]]
    m = re.search(r"\*\*(\d+) of the (\d+) schools made AYP in (\d+)\*\*", summary.findings)
    assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (len(made), len(rows), ctx.year)
    head, _, rest = summary.findings.partition("Did not:")
    for name in made:
        assert name in head.split("made AYP")[1]
    for rec in rows[~rows["met"].astype(bool)].to_dict("records"):
        met = (
            f"none of its {rec['n_groups']}"
            if rec["n_groups_met"] == 0
            else f"{rec['n_groups_met']} of {rec['n_groups']}"
        )
        assert f"{names[rec['entity_id']]} ({met} group results met)" in rest
    table = kit.tab_schools(summary.schools, ctx, summary.subjects).set_index("School")
    for rec in rows.to_dict("records"):
        assert table.loc[names[rec["entity_id"]], "AYP"] == ("Met" if rec["met"] else "Not met")
        assert table.loc[names[rec["entity_id"]], "Group results met"] == (
            f"{rec['n_groups_met']} of {rec['n_groups']}"
        )


def test_subject_findings_match_the_facts(summary, store):
    ctx = summary.ctx
    for line in summary.findings.splitlines():
        m = re.match(r"- \*\*(.+?)\.\*\*", line)
        if not m:
            continue
        subject = SUBJECTS[m.group(1)]
        idx = store.sql(
            "SELECT e.name, i.value FROM index_scores i JOIN entities e ON e.entity_id = "
            "i.entity_id AND e.year = i.year WHERE i.year = ? AND i.model = ? AND i.subject = ? "
            "AND i.grade = 'ALL' AND i.\"group\" = 'all' AND e.entity_type = 'school' "
            "AND e.district_id = ?",
            [ctx.year, ctx.headline_model, subject, ctx.entity_id],
        )
        r = re.search(rf"ran from {NUM} at (.+?) to {NUM} at (.+?)\.", line)
        low, high = idx.loc[idx["value"].idxmin()], idx.loc[idx["value"].idxmax()]
        assert (r.group(1), r.group(2)) == (fmt_num(low["value"]), low["name"])
        assert (r.group(3), r.group(4)) == (fmt_num(high["value"]), high["name"])
        hn = store.table(
            "group_gaps",
            year=ctx.year,
            entity_id=ctx.entity_id,
            subject=subject,
            grade="ALL",
            group="high_needs",
        ).iloc[0]
        r = re.search(
            rf"high-needs students scored {NUM}, \*\*{NUM} points below students not "
            r"in the high-needs group\*\*",
            line,
        )
        assert r.group(1) == fmt_num(hn["index_value"])
        assert -_num(r.group(2)) == pytest.approx(round(hn["gap_complement_index"], 1))
        r = re.search(
            rf"trailed all students most at (.+?) \({NUM}, {NUM} points below all "
            r"students\)",
            line,
        )
        shown = summary.schools[
            (summary.schools["subject"] == subject) & ~summary.schools["hn_suppressed"]
        ]
        widest = shown.loc[shown["hn_gap"].idxmin()]
        assert r.group(1) == widest["name"] and r.group(2) == fmt_num(widest["hn_index"])
        assert -_num(r.group(3)) == pytest.approx(round(widest["hn_gap"], 1))
        raw = store.table(
            "group_gaps",
            year=ctx.year,
            entity_id=widest["entity_id"],
            subject=subject,
            grade="ALL",
            group="high_needs",
        ).iloc[0]
        # The gap between the figures as shown (kit.fmt.shown_diff), not the raw one.
        assert fmt_num(shown_diff(raw["index_value"], raw["all_index_value"])) == fmt_num(
            widest["hn_gap"]
        )


def test_equity_paragraphs_match_the_gap_tables(summary):
    ctx = summary.ctx
    for subject, text in summary.equity.items():
        table = kit.tab_gaps(summary.gaps[subject], ctx).set_index("Group")
        assert list(table.index[:2]) == ["All students", "High needs"]  # high needs up front
        m = re.search(
            rf"High-needs students — ([\d,]+) of the district's ([\d,]+) accountable "
            rf"students — scored \*\*{NUM}\*\*, {NUM} points below all students and "
            rf"\*\*{NUM} points below students not in the high-needs group\*\*",
            text,
        )
        assert m.group(1) == table.loc["High needs", "Students"]
        assert m.group(2) == table.loc["All students", "Students"]
        assert m.group(3) == table.loc["High needs", "MA CPI"]
        assert "-" + m.group(4) == table.loc["High needs", "vs all students"]
        assert "-" + m.group(5) == table.loc["High needs", "vs the rest"]
        by_school = kit.tab_schools(summary.schools, ctx, summary.subjects).set_index("School")
        col = f"High needs vs all, {SHORT[subject]}"
        m = re.search(
            rf"widest at (.+?) \({NUM} points below all students\) and narrowest at "
            rf"(.+?) \({NUM} points below all students\)",
            text,
        )
        gaps = by_school[col][by_school[col] != "not reported"].map(_num)
        assert by_school.loc[m.group(1), col] == "-" + m.group(2) and gaps.min() == -_num(
            m.group(2)
        )
        assert by_school.loc[m.group(3), col] == "-" + m.group(4) and gaps.max() == -_num(
            m.group(4)
        )
        m = re.search(rf"The widest gap of any group: (.+?), {NUM}, {NUM} points below all", text)
        view = summary.gaps[subject]
        row = view[view["noun"] == m.group(1)].iloc[0]
        assert table.loc[row["label"], "MA CPI"] == m.group(2)
        assert table.loc[row["label"], "vs all students"] == "-" + m.group(3)
        real = view[
            ~view["suppressed"] & view["kind"].isin(["program", "race", "gender", "composite"])
        ]
        assert row["gap_all_index"] == real["gap_all_index"].min()


def test_small_groups_are_named_never_numbered(summary):
    for subject, text in summary.equity.items():
        view = summary.gaps[subject]
        small = view[view["suppression_reason"] == "small"]
        assert len(small)
        listed = text.split("Fewer than 10 students — not reported:*")[1]
        table = kit.tab_gaps(view, summary.ctx).set_index("Group")
        for rec in small.to_dict("records"):
            assert rec["noun"] in listed
            assert f"{rec['noun']}," not in text.split("not reported")[0]
            if rec["kind"] != "complement":
                assert table.loc[rec["label"], "Students"] == "<10"
                assert table.loc[rec["label"], "MA CPI"] == "—"


def test_lowest_groups_sentence_matches_the_table(summary):
    table = kit.tab_lowest(summary.schools, summary.ctx, summary.subjects)
    for m in re.finditer(
        r"In (.+?), (.+?) (?:are|is) the lowest-performing reported group at "
        r"(\d+) of the (\d+) schools",
        summary.lowest,
    ):
        rows = table[table["Subject"] == SHORT[SUBJECTS[m.group(1)]]]
        behind = rows[rows["Lowest group"] != "no group behind all students"]
        view = summary.schools[summary.schools["lowest_noun"] == m.group(2)]
        label = view["lowest_label"].iloc[0]
        assert int(m.group(3)) == (behind["Lowest group"] == label).sum()
        assert int(m.group(4)) == len(behind)
        assert (behind["Lowest group"].value_counts().iloc[0]) == int(m.group(3))


def test_impact_sentences_match_the_impact_table(summary, store):
    ctx = summary.ctx
    raw = store.table("ayp_impact", year=ctx.year, entity_id=ctx.entity_id, subject="ALL")
    det = raw[raw["rule"].str.startswith("AYP as determined")].iloc[0]
    m = re.search(r"Of the district's (\d+) schools, \*\*(\d+)\*\* made AYP", summary.impact_text)
    assert (int(m.group(1)), int(m.group(2))) == (det["n_schools"], det["n_met"])
    table = kit.tab_impact(summary.impact, ctx, "rules").set_index("Rule")
    first = True
    for word, n in re.findall(
        r"(performance|improvement|confidence interval|safe harbor|"
        r"averaging)(?: would qualify)? (\d+)(?: schools?)?[,. ]",
        summary.impact_text.split("Judged on one test alone")[1].split(".")[0],
    ):
        assert table.loc[f"Only {word}", "Met"] == n
        first = False
    assert not first
    models = raw[raw["comparison"] == "models"]
    m = re.search(
        r"between (\d+) \(on the (.+?)\) and (\d+) of (\d+) schools would meet", summary.impact_text
    )
    assert int(m.group(1)) == models["n_met"].min() and int(m.group(3)) == models["n_met"].max()
    fewest = models[models["n_met"] == models["n_met"].min()]
    names = summary.impact.set_index("model")["model_name"]
    assert m.group(2) in set(names[fewest["model"]])
    mt = kit.tab_impact(summary.impact, ctx, "models")
    assert list(mt["Met"]) == [fmt_int(x) for x in models.sort_values("rule_order")["n_met"]]
    assert list(mt["% met"]) == [fmt_pct(x) for x in models.sort_values("rule_order")["pct_met"]]


def test_unverified_rules_carry_a_caveat(summary, store):
    rules = store.table("accountability_rules")
    unverified = rules[(rules["section"] == "amos") & ~rules["verified"].astype(bool)]
    for label in unverified["label"]:
        assert label in summary.caveats_text
    assert "placeholders" in summary.impact_text and "starting points" in summary.impact_text
