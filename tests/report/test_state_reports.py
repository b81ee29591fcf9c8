"""The MSIP 5 APR and PBMAS reports rendered end to end on the demo (kit demo-data, then
kit build --framework mo_msip5 / tx_pbmas), HTML and PDF, read for what they show: the figures
of the facts store, the banner of illustrative tables, the growth proxy's label, masked
counts, and no student id. And kit batch plans them only where their tables exist."""

from __future__ import annotations

import html
import re

import pytest
from _pages import page_text, pdf_text

from kit.batch.plan import plan_jobs
from kit.build import build_facts
from kit.demo import generate_demo
from kit.errors import ParameterError
from kit.facts import read_facts
from kit.fmt import fmt_compact, fmt_num, fmt_pct
from kit.report.render import render_report

PROXY = "kit proxy, not the Missouri Growth Model"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The default demo (one district, six schools), built under both state frameworks."""
    root = tmp_path_factory.mktemp("state_reports")
    generate_demo(root / "data")
    paths = {}
    for fw in ("mo_msip5", "tx_pbmas"):
        paths[fw] = root / f"{fw}.duckdb"
        build_facts(root / "data", paths[fw], framework=fw)
    return root, paths


@pytest.fixture(scope="module")
def rendered(demo):
    root, paths = demo
    out = root / "out"
    with read_facts(paths["mo_msip5"]) as f:
        school = f.schools()["entity_id"].iloc[-2]  # a middle school: a K-8 APR
    return {
        "district": render_report(
            "msip_apr", facts_path=paths["mo_msip5"], entity_id="D01", out=out
        ),
        "school": render_report(
            "msip_apr", facts_path=paths["mo_msip5"], entity_id=school, out=out
        ),
        "school_id": school,
        "pbmas": render_report("pbmas", facts_path=paths["tx_pbmas"], entity_id="D01", out=out),
    }


def _student_ids(root) -> set[str]:
    lines = (root / "data" / "students.csv").read_text().splitlines()
    col = lines[0].split(",").index("student_id")
    return {line.split(",")[col] for line in lines[1:]}


def test_msip_report_shows_the_apr_of_the_facts(demo, rendered):
    root, paths = demo
    page = rendered["district"]["html"].read_text()
    text = page_text(page)
    for heading in (
        "The APR at a glance",
        "What would move the score most",
        "Points by standard and content area",
        "Supporting data: status, progress and growth",
        "Student groups: reported, not scored",
        "About these figures",
    ):
        assert f">{heading}</h2>" in page, heading
    with read_facts(paths["mo_msip5"]) as f:
        apr = f.table("msip_apr", year=2024, entity_id="D01")
    total = apr[apr.row_kind == "apr"].iloc[0]
    assert (
        f"earned {fmt_num(total.earned)} of {fmt_compact(total.possible)} APR points in 2024 "
        f"({fmt_pct(total.percent)} of points), in the band {total.band}"
    ) in text
    for rec in apr[apr.row_kind == "standard"].to_dict("records"):
        assert f"{rec['standard']} {rec['standard_name']}" in text
    ela = apr[(apr.sub_measure == "ELA") & (apr.standard == "1")].iloc[0]
    assert f"MPI {ela.value:.1f}" in text  # the district's MPI as the facts hold it
    assert "Illustrative, not the state's published rules." in text
    assert "status targets (MPI and rate cuts)" in text
    assert text.count(PROXY) >= 3  # banner, growth paragraph, table header (and the method)
    assert "MSIP 5 standards: points possible and earned" in text
    # A chart is named by its title (alt) and described by its finding (aria-describedby).
    charts = []
    for img in re.findall(r"<img [^>]*>", page):
        alt = html.unescape(re.search(r'alt="([^"]*)"', img).group(1))
        ref = re.search(r'aria-describedby="([^"]*)"', img)
        desc = re.search(rf'id="{ref.group(1)}"[^>]*>(.*?)</p>', page, re.S) if ref else None
        charts.append(f"{alt} {html.unescape(desc.group(1)) if desc else ''}")
    chart = [c for c in charts if "points earned of points possible" in c]
    assert chart and f"({fmt_pct(total.percent)})" not in chart[0]  # per standard, not total
    assert "Standard 1 " in chart[0]
    pdf = pdf_text(rendered["district"]["pdf"])
    if pdf is not None:
        assert "Illustrative, not the state's published rules." in pdf
        assert "kit proxy, not the Missouri" in pdf


def test_msip_school_report_is_a_building_apr(rendered):
    text = page_text(rendered["school"]["html"].read_text())
    assert "for local planning only" in text
    assert "Only the district APR decides accreditation" in text
    assert "3 High School Readiness (HSR)" in text  # a middle school is typed K-8
    assert "College and Career Ready" not in text


def test_pbmas_report_shows_every_indicator_with_masking(demo, rendered):
    root, paths = demo
    page = rendered["pbmas"]["html"].read_text()
    text = page_text(page)
    for heading in (
        "Program areas and their stages",
        "Areas identified",
        "Indicators by program area",
        "About these figures",
    ):
        assert f">{heading}</h2>" in page, heading
    with read_facts(paths["tx_pbmas"]) as f:
        pb = f.table("pbmas", year=2024, entity_id="D01")
        stages = f.table("pbmas_stage", year=2024, entity_id="D01")
    for name in pb.indicator_name.unique():
        assert name in text, name
    shown = pb[(pb.masked == 0) & pb.rate_rounded.notna()]
    for rec in shown.head(10).to_dict("records"):
        assert f"{rec['rate_rounded']:.1f}" in text
    assert "<td>*</td>" in page  # masked counts
    for header in ("PL 0 cut points", "Rate", "Numerator", "Denominator", "Performance level"):
        assert f">{header}</th>" in page
    area = next(t for t in re.findall(r"<thead>(.*?)</thead>", page) if "Numerator" in t)
    cols = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', area)
    start = cols.index("PL 0 cut points")
    assert cols[start : start + 5] == [
        "PL 0 cut points",
        "Rate",
        "Numerator",
        "Denominator",
        "Performance level",
    ]  # TEA's column order
    assert "Illustrative, not TEA's published rules." in text
    assert "Not Staged" in text and stages.stage.notna().sum() == 1
    assert "No Data" in text and "Report Only" in text
    pdf = pdf_text(rendered["pbmas"]["pdf"])
    if pdf is not None:
        assert "Illustrative, not TEA's published rules." in pdf


def test_no_student_id_in_the_state_reports(demo, rendered):
    root, _ = demo
    ids = _student_ids(root)
    for key in ("district", "school", "pbmas"):
        words = set(re.findall(r"\b\d{10}\b", rendered[key]["html"].read_text()))
        assert not words & ids, key


def test_batch_plans_a_state_report_only_where_its_tables_exist(demo, facts_path, tmp_path):
    _, paths = demo
    ma = {j.report for j in plan_jobs(facts_path, tmp_path)}
    assert "msip_apr" not in ma and "pbmas" not in ma and "subgroups" in ma
    mo = plan_jobs(paths["mo_msip5"], tmp_path)
    msip = [j for j in mo if j.report == "msip_apr"]
    assert {j.entity_type for j in msip} == {"district", "school"} and len(msip) == 7
    assert not [j for j in mo if j.report == "pbmas"]
    tx = plan_jobs(paths["tx_pbmas"], tmp_path)
    assert [(j.report, j.entity_id) for j in tx if j.report == "pbmas"] == [("pbmas", "D01")]
    with pytest.raises(
        ParameterError,
        match="No msip_apr reports can be made: the facts store has no MSIP 5 results",
    ):
        plan_jobs(facts_path, tmp_path, reports=["msip_apr"])
    with pytest.raises(ParameterError, match="mo_msip5"):
        render_report("msip_apr", facts_path=facts_path, entity_id="D01", out=tmp_path)
