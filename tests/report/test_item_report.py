"""Render the item analysis report end to end and read what the HTML shows."""

import html
import re

import pytest

from kit.report.render import render_report


def _chart_texts(page: str) -> list[str]:
    """Each chart's name (its alt, the title) and description (aria-describedby), joined:
    what a screen reader says of it."""
    out = []
    for img in re.findall(r"<img [^>]*>", page):
        alt = html.unescape(re.search(r'alt="([^"]*)"', img).group(1))
        ref = re.search(r'aria-describedby="([^"]*)"', img)
        desc = ""
        if ref:
            m = re.search(rf'id="{ref.group(1)}"[^>]*>(.*?)</p>', page, re.S)
            desc = html.unescape(m.group(1)) if m else ""
        out.append(f"{alt}. {desc}" if desc else alt)
    return out


@pytest.fixture(scope="module")
def rendered(facts_path, tmp_path_factory):
    from kit.facts import read_facts

    out = tmp_path_factory.mktemp("items_out")
    with read_facts(facts_path) as f:
        school = f.schools()["entity_id"][0]
        name = f.entity(school)["name"]
    files = render_report(
        "item_analysis", facts_path=facts_path, entity_id=school, out=out, formats=("html", "pdf")
    )
    return files, name


def test_report_reads_like_an_item_analysis(rendered):
    files, name = rendered
    page = files["html"].read_text()
    assert files["pdf"].read_bytes()[:4] == b"%PDF"
    assert "Findings" in page and "About these figures" in page
    assert f"students at {name} took the" in page
    assert re.search(r"points? (below|above) the state", page)
    assert "computed from the state-wide student responses" in page  # where the reference is from
    assert "import kit" not in page and "In [" not in page
    imgs = re.findall(r"<img [^>]*>", page)
    alts = _chart_texts(page)
    assert len(alts) == len(imgs)
    assert any(
        "school minus state, by item" in a and "items were below the state" in a for a in alts
    )
    # The standards chart is cut (issue 11, item 13): the skills list names the weakest
    # standards with their figures and the roll-up table gives every category.
    assert not any("standards were below the state" in a for a in alts)
    assert "What it asks" in page and "Reporting category / item type" in page
    assert "Skills students lack" in page
    # no more than the leading items per test: the report does not print every item
    assert page.count("item flagged state-wide") < 60
