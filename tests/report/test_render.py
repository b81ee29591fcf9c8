"""Render the subgroups report end to end with papermill and read what it shows."""

import re

import pytest

from kit.errors import ParameterError
from kit.report.render import render_report, validate_params


@pytest.fixture(scope="module")
def rendered(facts_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    from kit.facts import read_facts

    with read_facts(facts_path) as f:
        school = f.schools()["entity_id"][0]
        name = f.entity(school)["name"]
        year = f.latest_year()
        district = f.entity(school)["district_id"]
    files = render_report(
        "subgroups", facts_path=facts_path, entity_id=school, out=out, formats=("html", "pdf")
    )
    return files, out, school, name, year, district


def test_output_layout(rendered):
    files, out, school, _, year, district = rendered
    assert files["html"] == out / str(year) / district / school / "subgroups.html"
    assert files["pdf"].read_bytes()[:4] == b"%PDF"


def test_html_reads_like_a_report(rendered, demo_dir):
    files, _, _, name, year, _ = rendered
    page = files["html"].read_text()
    assert name in page and str(year) in page
    assert "Findings" in page and f"accountable students at {name} scored proficient" in page
    assert "import kit" not in page and "In [" not in page  # no code
    imgs = re.findall(r"<img [^>]*>", page)
    assert imgs and all('alt="Achievement levels by student group' in i for i in imgs)
    assert '<th scope="col">Group</th>' in page
    # no student id from the data reaches the report
    ids = [line.split(",")[1] for line in (demo_dir / "students.csv").read_text().splitlines()[1:]]
    assert not any(sid in page for sid in ids[:500])


def test_unknown_parameter_rejected_before_any_kernel():
    with pytest.raises(ParameterError, match="Allowed parameters"):
        validate_params({"facts_path": "x", "entity_id": "S", "colour": "blue"})


def test_unknown_school_is_a_clear_error(facts_path, tmp_path):
    with pytest.raises(ParameterError, match="No entity 'NOPE'"):
        render_report("subgroups", facts_path=facts_path, entity_id="NOPE", out=tmp_path)


def test_wide_tables_print_every_column_in_the_pdf(rendered):
    # Item 14: the subgroups tables (ten columns) print whole: each row's line in the PDF
    # holds every one of its cells, in order, the last ("% Advanced") included.
    import html
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    files = rendered[0]
    page = files["html"].read_text()
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(files["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [re.sub(r"\s+", " ", line).strip() for line in pdf.splitlines()]
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert tables
    checked = 0
    for table in tables:
        assert len(re.findall(r'<th scope="col">', table)) >= 9
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
            name = html.unescape(re.search(r'<th scope="row">(.*?)</th>', row).group(1))
            cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row) if c]
            # the row's line, which starts with the group's name (or its first words, when
            # a long name wraps); the chart's labels start with the name too, hence any()
            candidates = [x for x in lines if x.startswith(name.split()[0] + " ")]
            pattern = ".*".join(re.escape(c) for c in cells)
            assert any(re.search(pattern, x) for x in candidates), (name, cells, candidates)
            checked += 1
    assert checked >= 20
