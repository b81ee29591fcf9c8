"""MSIP 5 APR sentences: a snapshot for the demo district, and every number in them checked
against the tables printed beside them (no sentence may contradict a table)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

import kit
from kit.facts import read_facts
from kit.views.msip import apr_total

NUM = r"(\d[\d,]*(?:\.\d)?)"
PROXY = "kit proxy, not the Missouri Growth Model"


@pytest.fixture(scope="module")
def facts(msip_facts_path):
    with read_facts(msip_facts_path) as f:
        yield f


def _report(f, entity: str) -> SimpleNamespace:
    ctx = kit.report_context(f, entity)
    apr = kit.view_apr(f, ctx)
    years = kit.view_apr_years(f, ctx)
    growth = kit.growth_label(f, apr)
    banner = kit.state_banner(f, "msip", district_type=years["district_type"].iloc[-1])
    gains = kit.apr_gains(apr)
    return SimpleNamespace(ctx=ctx, apr=apr, years=years, growth=growth, banner=banner, gains=gains)


def _entities(f) -> list[str]:
    ent = f.table("entities", year=f.latest_year())
    return sorted(ent.loc[ent.entity_type != "state", "entity_id"])


@pytest.fixture(scope="module")
def reports(facts):
    return [_report(facts, e) for e in _entities(facts)]


def test_snapshot_of_the_district_paragraphs(facts, snapshot):
    r = _report(facts, "D01")
    paragraphs = [
        kit.describe_apr_intro(r.apr, r.ctx),
        kit.describe_apr_banner(r.banner, r.ctx, r.growth),
        kit.describe_apr_headline(r.apr, r.years, r.ctx),
        kit.describe_apr_standards(r.apr, r.ctx),
        kit.describe_apr_gains(r.gains, r.ctx),
        kit.describe_apr_growth(r.apr, r.ctx, r.growth),
        *[kit.describe_apr_standard(r.apr, r.ctx, s) for s in kit.apr_standards(r.apr)["standard"]],
    ]
    assert "\n\n".join(paragraphs) == snapshot


def test_headline_agrees_with_the_summary_and_years_tables(reports):
    for r in reports:
        text = kit.describe_apr_headline(r.apr, r.years, r.ctx)
        total = kit.tab_apr_summary(r.apr, r.ctx).iloc[-1]
        assert total["MSIP 5 Standards"] == "Total"
        if total["Points Possible"] == "0":  # no row has data (a small school)
            assert text.startswith("No APR points could be computed")
            continue
        m = re.search(rf"earned {NUM} of {NUM} APR points in \d{{4}} \({NUM}% of points\)", text)
        assert m, text
        assert (m.group(1), m.group(2), m.group(3) + "%") == (
            total["Points Earned"],
            total["Points Possible"],
            total["Percent Earned"],
        )
        years = kit.tab_apr_years(r.years)
        assert years.iloc[-1]["Band"] in text
        if len(years) > 1:
            prior = years.iloc[-2]
            assert f"{prior['Year']} ({prior['Percent of points']})" in text
            change = years.iloc[-1]["Change"]
            if change not in ("0.0", "—"):
                word = "up" if change.startswith("+") else "down"
                assert f"{word} {change.lstrip('+-')} percentage point" in text


def test_best_and_worst_standards_match_the_table(reports):
    for r in reports:
        text = kit.describe_apr_standards(r.apr, r.ctx)
        table = kit.tab_apr_summary(r.apr, r.ctx)
        table = table[table["MSIP 5 Standards"] != "Total"].set_index("MSIP 5 Standards")
        for m in re.finditer(rf"Standard (\d), ([^,]+), [^(]*\({NUM} of {NUM}, {NUM}%\)", text):
            row = table.loc[f"{m.group(1)} {m.group(2)}"]
            assert (m.group(3), m.group(4), m.group(5) + "%") == (
                row["Points Earned"],
                row["Points Possible"],
                row["Percent Earned"],
            )


def test_gains_agree_with_the_gains_table(reports):
    checked = 0
    for r in reports:
        text = kit.describe_apr_gains(r.gains, r.ctx)
        table = kit.tab_apr_gains(r.gains, r.ctx)
        for row in table.to_dict("records"):
            earned, possible = row["Earned / possible"].split(" of ")
            label = row["Measure"].rsplit(" (", 1)[0]
            assert f"{label} for" in text
            assert f"({row['Points to gain']} points: {earned} of {possible}" in text
            checked += 1
        gains = r.gains.to_dict("records")
        for g in gains:
            if g["category"] and g["why"] != "participation" and not g["suppressed"]:
                if (
                    g["to_next_status"] == g["to_next_status"]
                    and g["next_status_cut"] == g["next_status_cut"]
                ):
                    assert f"{g['to_next_status']:.1f} more" in text
    assert checked > 10


def test_standard_sentences_agree_with_the_supporting_tables(reports):
    for r in reports:
        for standard in kit.apr_standards(r.apr)["standard"]:
            text = kit.describe_apr_standard(r.apr, r.ctx, standard)
            table = kit.tab_apr_supporting(r.apr, r.ctx, standard, r.growth)
            for row in table.to_dict("records"):
                if row["Earned / possible"].startswith("—"):
                    assert f"{row['Measure']} not counted" in text
                    continue
                assert f"{row['Measure']} {row['Earned / possible']}" in text
                if row["Value"] not in ("—",) and row["Status"] != "—":
                    assert row["Value"] in text
                if row["Value"] == "—" and row["Status"] != "—":
                    assert "not reported" in text  # a hidden figure stays hidden


def test_hidden_figures_never_reach_a_sentence_or_table(reports):
    hidden = 0
    for r in reports:
        rows = kit.apr_standards(r.apr)
        sub = r.apr[(r.apr.row_kind == "sub_measure") & r.apr.suppressed]
        for rec in sub.to_dict("records"):
            hidden += 1
            table = kit.tab_apr_supporting(r.apr, r.ctx, rec["standard"], r.growth)
            row = table[table["Measure"] == rec["label"]].iloc[0]
            assert row["Value"] == "—" and row["Students"] in ("<10", "n/r")
        assert len(rows)
    assert hidden > 0  # the small district has hidden rows


def test_the_growth_proxy_is_labelled_wherever_it_appears(reports):
    for r in reports:
        assert r.growth == PROXY
        assert PROXY in kit.describe_apr_banner(r.banner, r.ctx, r.growth)
        assert PROXY in kit.describe_apr_growth(r.apr, r.ctx, r.growth)
        table = kit.tab_apr_supporting(r.apr, r.ctx, "1", r.growth)
        assert f"Growth ({PROXY})" in table.columns
        assert PROXY in kit.describe_apr_method(r.ctx, r.banner, r.growth, 30)


def test_the_banner_names_the_illustrative_tables(reports):
    for r in reports:
        text = kit.describe_apr_banner(r.banner, r.ctx, r.growth)
        assert text.startswith("> **Illustrative, not the state's published rules.**")
        assert "status targets" in text and "accreditation bands" in text
        k8 = r.years["district_type"].iloc[-1] == "K8"
        assert ("college and career readiness rows" in text) != k8


# --- the first-page summary (issue 11, item 13) ------------------------------------------------


def test_summary_agrees_with_the_tables_it_sends_a_reader_to(reports):
    for r in reports:
        text = kit.describe_apr_summary(r.apr, r.years, r.ctx, r.gains, r.growth)
        assert text.startswith("## Summary")
        findings, after = text.split("**What to look at next**")
        assert 1 <= findings.count("\n- ") <= 3, text
        assert after.count("\n- ") >= 1, text
        total = kit.tab_apr_summary(r.apr, r.ctx).set_index("MSIP 5 Standards")
        if "**No APR points**" in text:
            assert not (apr_total(r.apr) or {}).get("possible"), text
            continue
        # The APR total as the summary table prints it, and its band as the years table does.
        years = kit.tab_apr_years(r.years)
        band = years.iloc[-1]["Band"]
        m = re.search(
            rf"\*\*APR {r.ctx.year}:\*\* {NUM} of {NUM} points \({NUM}%\), in the band \*([^*]+)\*",
            text,
        )
        assert m, text
        assert (m.group(1), m.group(2), m.group(3) + "%") == (
            total.loc["Total", "Points Earned"],
            total.loc["Total", "Points Possible"],
            total.loc["Total", "Percent Earned"],
        )
        assert m.group(4) == band
        # The weakest standard is the one the standards sentence names as the smallest.
        m = re.search(
            rf"\*\*Weakest standard:\*\* (\d) ([^,]+), {NUM} of {NUM} points \({NUM}%\)", text
        )
        if m:
            row = total.loc[f"{m.group(1)} {m.group(2)}"]
            assert (m.group(3), m.group(4), m.group(5) + "%") == (
                row["Points Earned"],
                row["Points Possible"],
                row["Percent Earned"],
            )
            shown = total.drop(index="Total")
            pcts = [float(p.rstrip("%")) for p in shown["Percent Earned"] if p.endswith("%")]
            assert float(m.group(5)) == min(pcts)
            assert (
                f"Standard {m.group(1)}, {m.group(2)}, the smallest"
                in kit.describe_apr_standards(r.apr, r.ctx)
            )
        # The rows with the most points still to gain, with the gains table's points.
        gains = kit.tab_apr_gains(r.gains, r.ctx)
        for row in gains.to_dict("records"):
            label = row["Measure"].rsplit(" (", 1)[0]
            assert f"{label} for" in text and f"({row['Points to gain']}" in text, (row, text)
        if r.growth and r.growth.startswith("kit proxy"):
            assert "not the Missouri Growth Model" in text


def test_a_schools_summary_says_its_apr_is_for_local_planning(reports):
    schools = [r for r in reports if r.ctx.entity_type == "school"]
    assert schools
    for r in schools:
        text = kit.describe_apr_summary(r.apr, r.years, r.ctx, r.gains, r.growth)
        if "No APR points" not in text:
            assert "for local planning only" in text
