"""Render the index and district summary reports end to end (HTML and PDF) and read what
they show: headings, the key sentences, tables, alt text, and no student id."""

from __future__ import annotations

import html
import re

import pytest
from _pages import chart_texts, page_text, pdf_text

from kit.facts import read_facts
from kit.report.render import render_report


@pytest.fixture(scope="module")
def rendered(facts_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    with read_facts(facts_path) as f:
        school = f.schools()["entity_id"][0]
        district = f.entity(school)["district_id"]
        names = {
            "school": f.entity(school)["name"],
            "district": f.entity(district)["name"],
            "schools": f.schools(district_id=district)["name"].tolist(),
        }
    index = render_report(
        "index", facts_path=facts_path, entity_id=school, out=out, formats=("html", "pdf")
    )
    summary = render_report(
        "district_summary",
        facts_path=facts_path,
        entity_id=district,
        out=out,
        formats=("html", "pdf"),
    )
    return {"index": index, "district": summary, "names": names}


def _student_ids(demo_dir) -> list[str]:
    lines = (demo_dir / "students.csv").read_text().splitlines()
    col = lines[0].split(",").index("student_id")
    return [line.split(",")[col] for line in lines[1:]]


def test_index_report_reads_like_a_report(rendered, demo_dir):
    page = rendered["index"]["html"].read_text()
    text = page_text(page)
    name = rendered["names"]["school"]
    for heading in (
        "Findings",
        "What would change the result",
        "AYP by group and subject",
        "Appendix: the index under every model",
        "Goals and the trajectory to them",
        "About these figures",
    ):
        assert f">{heading}</h2>" in page, heading
    assert re.search(rf"{re.escape(name)} (did not make|made) AYP in \d{{4}}", text)
    assert "all students scored" in text and "target of" in text
    assert "Provisional: the AMO targets" in text  # the demo framework's AMOs are unverified
    assert "Not verified." in text
    for caption in ("AYP by student group", "Every index model", "goals by student group"):
        assert caption in page, caption
    assert '<th scope="col">Gain needed</th>' in page
    assert "fewer than 10 students — not reported" in text.lower()
    imgs = re.findall(r"<img [^>]*>", page)
    alts = chart_texts(page)
    assert len(imgs) >= 3 and all(alts)
    assert any(
        a.startswith(f"{name}: one school under every index model")
        and "of the scale on the framework's" in a
        for a in alts
    )
    assert any(
        re.search(r"all students against the goal trajectory\. [\d.]+ in \d{4}", a) for a in alts
    )
    assert "import kit" not in page and "In [" not in page and "Traceback" not in page
    assert not any(sid in page for sid in _student_ids(demo_dir)[:500])


def test_district_summary_reads_like_a_report(rendered, demo_dir):
    page = rendered["district"]["html"].read_text()
    text = page_text(page)
    for heading in (
        "Findings",
        "Every school at a glance",
        "Equity gaps",
        "Lowest-performing groups",
        "Impact analysis",
        "About these figures",
    ):
        assert f">{heading}</h2>" in page, heading
    assert re.search(r"\d+ of the \d+ schools made AYP in \d{4}", text)
    assert (
        "High-needs students —" in text
        and "points below students not in the high-needs group" in text
    )
    # every school on one page: each is a row header of the schools table
    schools_table = page.split(">Every school at a glance</h2>")[1].split("</table>")[0]
    for school in rendered["names"]["schools"]:
        assert f'<th scope="row">{html.escape(school)}</th>' in schools_table
    assert "Schools meeting their targets under each AYP test" in page
    assert "Schools meeting the target on status alone under each index model" in page
    alts = chart_texts(page)
    assert alts and alts[0].startswith("High-needs students against all students, by school")
    assert "trail most at" in alts[0]
    assert "import kit" not in page and "Traceback" not in page
    assert not any(sid in page for sid in _student_ids(demo_dir)[:500])


def test_tables_stay_narrow(rendered):
    for key in ("index", "district"):
        page = rendered[key]["html"].read_text()
        for head in re.findall(r"<thead><tr>(.*?)</tr></thead>", page):
            assert head.count("<th") <= 8


@pytest.mark.parametrize("key", ["index", "district"])
def test_pdf_says_what_the_html_says(rendered, key):
    pdf = rendered[key]["pdf"]
    assert pdf.read_bytes()[:4] == b"%PDF"
    printed = pdf_text(pdf)
    if printed is None:
        pytest.skip("pdftotext is not installed")
    page = rendered[key]["html"].read_text()
    # The first finding, sentence by sentence, is in the PDF as in the HTML.
    findings = page.split(">Findings</h2>")[1].split("</p>")[0]
    for sentence in re.split(r"(?<=[.:])\s+", page_text(findings)):
        words = sentence.split()
        if len(words) >= 4:
            assert " ".join(words[:6]) in printed, sentence
    headings = re.findall(r'<h2 id="sec-[^"]*">([^<]+)</h2>', page)
    assert len(headings) >= 5
    for heading in headings:
        assert html.unescape(heading) in printed
