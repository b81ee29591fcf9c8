"""The print layout by value: what ``print.css`` must keep (US Letter, its margins, the
running header and footer, no table row split across pages), read from the stylesheet and
from a PDF that WeasyPrint laid out with it. Only the rules a reader sees are pinned, not
how the stylesheet spells them (selectors may change)."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
import tinycss2
from _pages import make_meta
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kit.report.export import export_notebook

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="needs poppler-utils")

PT_PER_IN = 72.0
# Letter, 8.5 x 11 in; margins 0.8 in top, 0.7 in left and right, 0.75 in bottom.
PAGE_W, PAGE_H = 8.5 * PT_PER_IN, 11 * PT_PER_IN  # 612 x 792 pt
TOP, SIDE, BOTTOM = 0.8 * PT_PER_IN, 0.7 * PT_PER_IN, 0.75 * PT_PER_IN  # 57.6, 50.4, 54 pt


def _css() -> str:
    return resources.files("kit.report").joinpath("print.css").read_text(encoding="utf-8")


def _serialize(tokens) -> str:
    return re.sub(r"\s+", " ", tinycss2.serialize(tokens)).strip()


def _decls(content) -> dict[str, str]:
    return {
        d.lower_name: _serialize(d.value)
        for d in tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True)
        if d.type == "declaration"
    }


def _page_rules() -> dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]]:
    """``@page`` rules by their selector ('' for all pages): declarations, and the margin
    boxes (``top-left`` ...) with theirs. Later rules override earlier ones, as in CSS."""
    out: dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]] = {}
    for rule in tinycss2.parse_stylesheet(_css(), skip_whitespace=True, skip_comments=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "page":
            continue
        decls, boxes = out.setdefault(_serialize(rule.prelude), ({}, {}))
        decls.update(_decls(rule.content))
        for item in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True):
            if item.type == "at-rule":
                boxes.setdefault(item.lower_at_keyword, {}).update(_decls(item.content))
    return out


def _style_rules() -> list[tuple[str, dict[str, str]]]:
    rules = tinycss2.parse_stylesheet(_css(), skip_whitespace=True, skip_comments=True)
    return [(_serialize(r.prelude), _decls(r.content)) for r in rules if r.type == "qualified-rule"]


def test_every_page_is_letter_with_the_kit_margins():
    decls, _ = _page_rules()[""]
    assert decls["size"] == "letter"
    assert decls["margin"] == "0.8in 0.7in 0.75in"


def test_the_running_header_and_footer():
    """Header: the school (left) and the report's title (right), from the title block;
    footer: the run date and "Page n of N". The first page has no header (its title block
    names both)."""
    _, boxes = _page_rules()[""]
    assert boxes["top-left"]["content"] == "string(kit-entity)"
    assert boxes["top-right"]["content"] == "string(kit-title)"
    assert boxes["bottom-left"]["content"] == '"Prepared " string(kit-run-date)'
    assert boxes["bottom-right"]["content"] == '"Page " counter(page) " of " counter(pages)'
    _, first = _page_rules()[":first"]
    assert first["top-left"]["content"] == "none" and first["top-right"]["content"] == "none"
    sets = {d["string-set"] for _, d in _style_rules() if "string-set" in d}
    assert sets == {
        "kit-entity content(text)",
        "kit-title content(text)",
        "kit-run-date content(text)",
    }


def test_table_rows_never_break_and_headers_repeat():
    rules = _style_rules()
    row_rules = [d for sel, d in rules if re.search(r"(^|[\s,>])tr$", sel)]
    assert any(d.get("break-inside") == "avoid" for d in row_rules), row_rules
    head_rules = [d for sel, d in rules if re.search(r"(^|[\s,>])thead$", sel)]
    assert any(d.get("display") == "table-header-group" for d in head_rules), head_rules
    # A wide table (more than 12 columns) gets a landscape Letter page.
    landscape = [d for sel, (d, _) in _page_rules().items() if sel and ":" not in sel]
    assert {"size": "letter landscape"} in landscape


# --- a PDF laid out with it ------------------------------------------------------------------

ROWS = 45  # three lines a row: the table must run over at least two pages


def _notebook():
    body = "".join(
        f"<tr><th>Group {i:02d}</th><td>R{i:02d}a<br>R{i:02d}b<br>R{i:02d}c</td><td>{i}</td></tr>"
        for i in range(1, ROWS + 1)
    )
    table = (
        '<table class="dataframe"><thead><tr><th>Group</th><th>Lines</th><th>n</th></tr>'
        f"</thead><tbody>{body}</tbody></table>"
    )
    return new_notebook(
        cells=[
            new_code_cell("entity_id = 'S01'", metadata={"tags": ["parameters"]}),
            new_markdown_cell("## Results\n\nEvery group, three lines each."),
            new_code_cell(
                "show_table(t)",
                execution_count=1,
                outputs=[new_output("display_data", data={"text/html": table})],
            ),
        ]
    )


META = make_meta()


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("print")
    return export_notebook(_notebook(), META, out, formats=("pdf",))["pdf"]


def _info(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout


def _words(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words with their boxes (xMin, yMin, xMax, yMax in pt, from the top)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in re.findall(r"<page\b.*?</page>", xml, re.S):
        pages.append(
            [
                (w, float(a), float(b), float(c), float(d))
                for a, b, c, d, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"([^<]*)</word>",
                    page,
                )
            ]
        )
    return pages


@needs_poppler
def test_pdf_pages_are_letter(pdf):
    info = _info(pdf)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2
    sizes = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert re.findall(r"Page\s+\d+ size:\s+([\d.]+ x [\d.]+) pts", sizes) == ["612 x 792"] * pages


@needs_poppler
def test_pdf_text_keeps_to_the_margins_and_the_header_is_above_them(pdf):
    header = {"Lincoln", "Elementary", "Student", "group", "results"}
    pages = _words(pdf)
    for number, words in enumerate(pages, start=1):
        body = [w for w in words if TOP <= w[2] and w[4] <= PAGE_H - BOTTOM]
        assert body, number
        assert min(w[1] for w in body) >= SIDE - 0.5, number
        assert max(w[3] for w in body) <= PAGE_W - SIDE + 0.5, number
        above = [w[0] for w in words if w[4] <= TOP]
        footer = [w for w in words if w[2] >= PAGE_H - BOTTOM]
        below = " ".join(w[0] for w in footer)
        assert f"Page {number} of {len(pages)}" in below and "Prepared 2025-01-15" in below
        # The footer's boxes span the page between the side margins, exactly.
        assert min(w[1] for w in footer) == pytest.approx(SIDE, abs=0.5), number
        assert max(w[3] for w in footer) == pytest.approx(PAGE_W - SIDE, abs=0.5), number
        # ... and sit just below the bottom margin's edge (within 12 pt), as the header sits
        # just above the top margin's: the margins are where the stylesheet puts them.
        assert PAGE_H - BOTTOM <= min(w[2] for w in footer) <= PAGE_H - BOTTOM + 12, number
        if number == 1:
            assert not header & set(above)  # the title block names them on page 1
        else:
            assert " ".join(above) == "Lincoln Elementary Student group results", number
            top = [w for w in words if w[4] <= TOP]
            assert min(w[1] for w in top) == pytest.approx(SIDE, abs=0.5), number
            assert max(w[3] for w in top) == pytest.approx(PAGE_W - SIDE, abs=0.5), number
            assert TOP - 12 <= max(w[4] for w in top) <= TOP, number


@needs_poppler
def test_pdf_never_splits_a_table_row_and_repeats_its_header(pdf):
    pages = [{w[0] for w in words} for words in _words(pdf)]
    with_rows = []
    for i in range(1, ROWS + 1):
        lines = {f"R{i:02d}{x}" for x in "abc"}
        on = [n for n, words in enumerate(pages) if lines & words]
        assert len(on) == 1, f"row {i} is split across pages {on}"
        assert lines <= pages[on[0]]
        with_rows.append(on[0])
    assert len(set(with_rows)) >= 2  # the table did run over a page break
    assert with_rows == sorted(with_rows)
    for n in set(with_rows):
        assert {"Group", "Lines", "n"} <= pages[n], f"no table header on page {n + 1}"
