"""Every report opens with a summary a principal reads in two minutes (issue 11, item 13):
three findings and what to look at next, on the first page of the PDF, before the contents,
with no figure the report does not show further on."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from _pages import page_text

from kit.facts import read_facts
from kit.report.render import render_report

REPORTS = [
    "subgroups",
    "index",
    "item_analysis",
    "district_summary",
    "district_items",
    "msip_apr",
    "district_msip_apr",
    "pbmas",
]


@pytest.fixture(scope="module")
def rendered(facts_path, msip_facts_path, pbmas_facts_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("summary")
    with read_facts(facts_path) as f:
        school = f.schools()["entity_id"][1]
        district = f.entity(school)["district_id"]
    with read_facts(msip_facts_path) as f:
        state_school = f.schools()["entity_id"][1]
        state_district = f.entity(state_school)["district_id"]
    files = {}
    for key in REPORTS:
        store, report, entity = {
            "district_summary": (facts_path, "district_summary", district),
            "district_items": (facts_path, "item_analysis", district),
            "msip_apr": (msip_facts_path, "msip_apr", state_school),
            "district_msip_apr": (msip_facts_path, "msip_apr", state_district),
            "pbmas": (pbmas_facts_path, "pbmas", state_district),
        }.get(key, (facts_path, key, school))
        files[key] = render_report(
            report, facts_path=store, entity_id=entity, out=out, formats=("html", "pdf")
        )
    return files


def _summary(page: str) -> str:
    m = re.search(r'<section class="kit-summary">(.*?)</section>', page, re.S)
    assert m, "no summary section"
    return m.group(1)


@pytest.mark.parametrize("key", REPORTS)
def test_summary_opens_the_report_before_the_contents(rendered, key):
    page = rendered[key]["html"].read_text()
    main = page.split('<main id="kit-content">', 1)[1]
    first_h2 = re.search(r"<h2[^>]*>(.*?)</h2>", main).group(1)
    assert first_h2 == "Summary"
    # The summary comes first, then the contents list, then the body.
    assert main.index('class="kit-summary"') < main.index('class="kit-toc"')
    summary = _summary(page)
    findings = re.findall(r"<li>", summary.split("What to look at next")[0])
    assert 1 <= len(findings) <= 3, summary
    assert "What to look at next" in summary
    assert re.search(r"<li>", summary.split("What to look at next")[1])


@pytest.mark.parametrize("key", REPORTS)
def test_summary_states_no_figure_the_report_does_not_show(rendered, key):
    page = rendered[key]["html"].read_text()
    summary = page_text(_summary(page))
    rest = page_text(page.split("</section>", 1)[1])
    for number in re.findall(r"\d[\d,]*\.\d+%?|\d+%", summary):
        assert number in rest, (number, summary)


@pytest.mark.parametrize("key", REPORTS)
def test_summary_is_on_the_first_pdf_page(rendered, key):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(rendered[key]["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    first = re.sub(r"\s+", " ", first.replace("\u00ad", ""))
    summary = page_text(_summary(rendered[key]["html"].read_text()))
    assert "Summary" in first and "What to look at next" in first
    # The last words of the summary are on page 1 too: the whole summary is there.
    last = " ".join(summary.split()[-5:])
    assert last in first, (last, first[:2000])
