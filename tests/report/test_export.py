"""Tests for kit.report.export: what a principal sees in the HTML and PDF, and file names."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path

import _pages
import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kit.errors import RenderError
from kit.report._page import table_width_class
from kit.report.export import (
    ReportMeta,
    export_notebook,
    html_to_pdf,
    notebook_to_html,
    safe_name,
)

# A 1x1 white PNG.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
TABLE = (
    '<table border="1" class="dataframe"><thead><tr><th>Group</th><th>n</th>'
    "<th>% proficient</th></tr></thead><tbody><tr><th>English learners</th><td>41</td>"
    "<td>31.0</td></tr></tbody></table>"
)
SCHOOL = 'Lincoln & "Washington" <script>alert(1)</script> Elementary'
CODE = "show_table(groups_frame)"
STDERR = "FutureWarning: this should never reach a report"
ALT = "Bar chart: English learners 31% proficient, 23 points below the state"


def make_notebook(extra_paragraphs: int = 0) -> nbformat.NotebookNode:
    goals = "\n\n".join(
        ["The school sets a goal to raise proficiency by 5 points a year."] * extra_paragraphs
    )
    return new_notebook(
        cells=[
            new_code_cell("entity_id = 'S01'", metadata={"tags": ["parameters"]}),
            new_markdown_cell("Results by student group.\n\n## Findings\n\nMost groups improved."),
            new_code_cell(
                CODE,
                execution_count=3,
                outputs=[
                    new_output("stream", name="stderr", text=STDERR),
                    new_output(
                        "execute_result",
                        data={"text/html": TABLE, "text/plain": "PLAIN-REPR"},
                        execution_count=3,
                    ),
                ],
            ),
            new_markdown_cell("### Chart <b>of</b> groups"),
            new_code_cell(
                "plot_groups(frame)",
                execution_count=4,
                outputs=[
                    new_output(
                        "display_data",
                        data={"image/png": PNG, "text/plain": "<Figure>"},
                        metadata={"image/png": {"alt": ALT}},
                    ),
                    new_output(
                        "display_data", data={"image/png": PNG}, metadata={"alt": "Top-level alt"}
                    ),
                    new_output("display_data", data={"image/png": PNG}),
                    new_output(
                        "display_data",
                        data={"application/javascript": "alert(2)", "text/plain": "JS-REPR"},
                    ),
                ],
            ),
            new_markdown_cell("## Goals\n\n" + goals),
        ]
    )


def make_meta(**changes) -> ReportMeta:
    return _pages.make_meta(**{"school": SCHOOL, **changes})


@pytest.fixture(scope="module")
def page() -> str:
    return notebook_to_html(make_notebook(), make_meta())


def test_page_shows_outputs_but_no_code_prompts_or_stderr(page):
    assert "<th>English learners</th>" in page
    assert "Most groups improved." in page
    assert CODE not in page and "entity_id = 'S01'" not in page
    assert "In [" not in page and "In&nbsp;[" not in page and "Out[" not in page
    assert STDERR not in page
    assert "PLAIN-REPR" not in page and "&lt;Figure&gt;" not in page
    assert "JS-REPR" not in page and "alert(2)" not in page
    assert "<script" not in page.lower()


def test_images_are_embedded_with_alt_text(page):
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) == 3
    assert all('src="data:image/png;base64,' in img for img in images)
    assert f'alt="{ALT}"' in images[0]
    assert 'alt="Top-level alt"' in images[1]
    assert 'alt=""' in images[2] and "data-missing-alt" in images[2]
    assert "data-missing-alt" not in images[0]


def test_page_is_self_contained(page):
    external = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(""", re.I)
    assert not external.search(page), external.search(page)
    assert "http://" not in page and "https://" not in page


def test_structure_title_and_contents(page):
    assert '<html lang="en">' in page
    assert (
        f"<title>Student group results — {SCHOOL.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')} (2024)</title>"
        in page
    )
    nav = re.search(r"<nav\b.*?</nav>", page, re.S).group(0)
    links = re.findall(r'href="#([^"]+)">([^<]+)</a>', nav)
    assert [text for _, text in links] == ["Findings", "Chart of groups", "Goals"]
    for anchor, _ in links:
        assert re.search(rf'<h[23] id="{anchor}"', page), anchor
    body = page.split("<main", 1)[1]
    assert body.index("Findings") < body.index("Chart") < body.index("Goals")


def test_meta_is_escaped(page):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_provenance_footer(page):
    footer = page.split('<footer class="kit-provenance">', 1)[1]
    for text in (
        "0.1.0",
        "Massachusetts",
        "3f9a1c2b7d4e",
        "2025-01-15",
        "entity_id",
        "S01",
        "2024",
    ):
        assert text in footer, text
    assert ">3f9a1c2b7d4e<" in footer  # shortened hash shown


def test_same_inputs_same_bytes_and_only_run_date_differs():
    nb = make_notebook()
    first = notebook_to_html(nb, make_meta())
    assert notebook_to_html(nb, make_meta()) == first
    later = notebook_to_html(nb, make_meta(run_date="2025-02-01"))
    assert later != first and later.replace("2025-02-01", "2025-01-15") == first


def test_district_report_without_school():
    page = notebook_to_html(make_notebook(), make_meta(school=None))
    assert "<title>Student group results — Springfield Public Schools (2024)</title>" in page
    assert 'class="kit-entity">Springfield Public Schools<' in page


def test_error_output_refuses_to_render():
    nb = make_notebook()
    nb.cells[2].outputs.append(
        new_output("error", ename="KeyError", evalue="'S99'", traceback=["..."])
    )
    with pytest.raises(RenderError) as info:
        notebook_to_html(nb, make_meta())
    assert info.value.cell == 2 and "KeyError" in str(info.value)


def test_meta_validation_and_to_dict():
    meta = make_meta()
    assert meta.to_dict()["parameters"] == {"entity_id": "S01", "year": 2024}
    with pytest.raises(RenderError):
        make_meta(run_date="15/01/2025")
    with pytest.raises(RenderError):
        make_meta(year="2024")


def test_export_writes_files_atomically(tmp_path):
    written = export_notebook(
        make_notebook(),
        make_meta(),
        tmp_path / "out",
        formats=("html", "ipynb"),
        stem="../sub groups",
    )
    assert set(written) == {"html", "ipynb"}
    assert written["html"] == tmp_path / "out" / "___sub_groups.html"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "___sub_groups.html",
        "___sub_groups.ipynb",
    ]
    assert nbformat.read(written["ipynb"], as_version=4).cells[2].source == CODE


def test_export_rejects_unknown_format_and_missing_notebook(tmp_path):
    with pytest.raises(RenderError):
        export_notebook(make_notebook(), make_meta(), tmp_path, formats=("docx",))
    with pytest.raises(RenderError):
        export_notebook(tmp_path / "missing.ipynb", make_meta(), tmp_path)


def _pdftotext(pdf: Path, page: int) -> str:
    cmd = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="needs poppler-utils",
)
def test_pdf_is_letter_with_running_header_and_page_numbers(tmp_path):
    written = export_notebook(make_notebook(extra_paragraphs=60), make_meta(), tmp_path)
    pdf = written["pdf"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+612 x 792 pts", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2
    first, second = _pdftotext(pdf, 1), _pdftotext(pdf, 2)
    assert f"Page 1 of {pages}" in first and f"Page 2 of {pages}" in second
    header = second.strip().splitlines()[0]
    assert "Lincoln" in header and "Student group results" in header
    assert "Prepared 2025-01-15" in second
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".pdf"]


def test_html_to_pdf_adds_print_css_to_foreign_html(tmp_path):
    out = html_to_pdf("<html><body><p>Hello</p></body></html>", tmp_path / "x.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils to read the page")
    # print.css was applied: a Letter page with the kit's footer (WeasyPrint's default
    # would be an A4 page without one).
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+612 x 792 pts", info)
    text = _pdftotext(out, 1)
    assert "Hello" in text and "Page 1 of 1" in text


def test_pdf_never_touches_the_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access while making a PDF")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    html = '<html><body><img alt="" src="https://example.org/x.png"><p>Hi</p></body></html>'
    assert html_to_pdf(html, tmp_path / "x.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(("columns", "expected"), [(4, ""), (10, "kit-wide"), (16, "kit-xwide")])
def test_wide_tables_are_marked_for_print(columns, expected):
    row = "<th>Item 1</th>" + "<td>1</td>" * columns
    html = f"<table><thead><tr><th>x</th></tr></thead><tbody><tr>{row}</tr></tbody></table>"
    assert table_width_class(html) == expected


def test_safe_name_examples():
    assert safe_name("S01") == "S01"
    assert safe_name("D01/../x") == "D01_.._x"
    assert safe_name("..") == "__" and safe_name(".") == "_" and safe_name("") == "_"
    assert safe_name(".hidden") == "_hidden"
    assert safe_name("École Saint-Jean") == "Ecole_Saint-Jean"
    assert safe_name("a\\b") == "a_b"
    assert safe_name("CON") == "_CON"
    assert len(safe_name("x" * 500)) <= 120
    assert len(safe_name("\ud800" * 200)) <= 120


@given(st.text())
def test_safe_name_is_a_safe_single_path_component(s):
    name = safe_name(s)
    assert name and re.fullmatch(r"[A-Za-z0-9._-]+", name)
    assert "/" not in name and "\\" not in name
    assert name not in {".", ".."} and not name.startswith(".")
    assert len(name) <= 120
    assert safe_name(s) == name
    assert safe_name(name) == name
    assert Path(name).name == name and ".." not in Path(name).parts


@pytest.mark.parametrize(
    ("rows", "expected"), [(3, "kit-wide"), (12, "kit-wide"), (22, "kit-wide kit-long")]
)
def test_long_tables_may_break_across_pages(rows, expected):
    # A 22-row subgroups table under its chart broke to a page of its own, leaving most of
    # the page blank: a long table may break across pages in print (header repeated).
    row = "<tr>" + "".join(f"<td>{i}</td>" for i in range(10)) + "</tr>"
    html = f"<table><thead>{row}</thead><tbody>{row * rows}</tbody></table>"
    assert table_width_class(html) == expected
