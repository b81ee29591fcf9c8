"""How kit.report.export lays out a PDF with WeasyPrint: what is kept between reports
(fonts), what the print CSS asks of it (the contents grid), how chart text is laid out,
the line splitting remembered within a document, and the garbage collector around a
layout. The look itself is checked in test_export."""

from __future__ import annotations

import base64
import gc
import importlib
import re
import shutil
import subprocess
import threading

import pytest
import weasyprint

from kit.report import _linecache, _svgtext
from kit.report._page import add_contents
from kit.report.export import _read_css, font_configuration, pdf_bytes

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)

# The kind of SVG kit/charts/svg.py writes: labels anchored start, middle and end, centred
# on a bar; and one label placed letter by letter, which WeasyPrint's own handler draws.
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="5in" height="2in" viewBox="0 0 360 144" '
    'font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="9" fill="#1A1A1A">'
    '<rect x="100" y="20" width="200" height="14" fill="#1F517C"/>'
    '<text x="96" y="27" text-anchor="end" dominant-baseline="central">Students with '
    "disabilities</text>"
    '<text x="200" y="27" font-size="7.5" text-anchor="middle" dominant-baseline="central" '
    'fill="#FFFFFF">38</text>'
    '<text x="304" y="27" font-size="8" dominant-baseline="central">76%</text>'
    '<text x="20" y="80" font-weight="bold">Percent of accountable students</text>'
    '<text x="20" y="110" dx="0 2 2 2">Wide</text>'
    "</svg>"
)


# A table long enough to continue over three pages (its header repeated), with cells that
# wrap, the same text in many cells, a caption and a contents list whose page numbers
# make WeasyPrint lay the first page out again.
_ROWS = "".join(
    f"<tr><th>Student group {i % 7}</th><td>{i * 1.7:.1f}</td><td>Economically "
    f"disadvantaged students, grade {3 + i % 6}</td><td>{'Met' if i % 3 else 'Not met'}</td></tr>"
    for i in range(150)
)
TABLE_PAGE = (
    f"<html><head><style>{_read_css('print.css')}</style></head><body>"
    '<nav class="kit-toc"><ol><li><a href="#t">The table</a></li>'
    '<li><a href="#e">The end</a></li></ol></nav><main>'
    '<h2 id="t">The table</h2><div class="kit-html kit-long"><table>'
    "<caption>Results by group</caption><thead><tr><th>Group</th><th>Rate</th>"
    f"<th>Who</th><th>Status</th></tr></thead><tbody>{_ROWS}</tbody></table></div>"
    '<h2 id="e">The end</h2><p>Done.</p></main></body></html>'
)


def _page(svg: str = SVG) -> str:
    data = base64.b64encode(svg.encode()).decode()
    return (
        f'<html><body><p>Chart</p><img alt="" src="data:image/svg+xml;base64,{data}"></body></html>'
    )


def _words(pdf: bytes, tmp_path) -> list[tuple[str, float, float]]:
    """Each word of a PDF with its left and bottom edge (pdftotext -bbox), in points."""
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [
        (html_word, float(x), float(y))
        for x, y, html_word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            out,
        )
    ]


def _with_weasyprint_text_handler(render):
    """Run ``render`` with WeasyPrint's own SVG text handler in place of the kit's."""
    svg = importlib.import_module("weasyprint.svg")
    original = importlib.import_module("weasyprint.svg.text").text
    kit_handler = svg.TAGS["text"]
    svg.TAGS["text"] = svg.text = original
    try:
        return render()
    finally:
        svg.TAGS["text"] = svg.text = kit_handler


def test_reports_in_a_thread_share_one_font_configuration(monkeypatch):
    seen = []
    write_pdf = weasyprint.HTML.write_pdf

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("font_config"))
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", spy)
    pdf_bytes("<html><body><p>One</p></body></html>", base_url=".")
    pdf_bytes("<html><body><p>Two</p></body></html>", base_url=".")
    assert seen[0] is not None and seen[0] is seen[1] is font_configuration()
    other = []
    thread = threading.Thread(target=lambda: other.append(font_configuration()))
    thread.start()
    thread.join()
    assert other[0] is not None and other[0] is not seen[0]


def test_print_css_lays_the_contents_out_as_a_grid_not_columns():
    css = re.sub(r"/\*.*?\*/", "", _read_css("print.css"), flags=re.S)
    rule = re.search(r"\.kit-toc ol \{([^}]*)\}", css).group(1)
    assert "display: grid" in rule and "grid-auto-flow: column" in rule
    # CSS columns make WeasyPrint lay the list out again and again to balance them.
    assert not re.search(r"(^|[;\s])columns:", css)


@pytest.mark.parametrize(("headings", "rows"), [(1, 1), (2, 1), (5, 3), (10, 5)])
def test_contents_list_has_half_its_entries_as_rows(headings, rows):
    body = "".join(f"<h2>Section {i}</h2><p>Text</p>" for i in range(headings))
    page = f"<body><!--kit:toc--><main>{body}</main></body>"
    nav = re.search(r"<ol[^>]*>", add_contents(page)).group(0)
    odd = ' class="kit-toc-odd"' if headings % 2 else ""
    assert nav == f'<ol{odd} style="grid-template-rows: repeat({rows}, auto)">'


@needs_poppler
def test_svg_text_runs_are_laid_out_whole_at_the_same_place(tmp_path):
    kit = pdf_bytes(_page(), base_url=".")
    assert importlib.import_module("weasyprint.svg").TAGS["text"].kit_whole_runs
    weasy = _with_weasyprint_text_handler(lambda: pdf_bytes(_page(), base_url="."))
    ours, theirs = _words(kit, tmp_path), _words(weasy, tmp_path)
    assert [w for w, _, _ in ours] == [w for w, _, _ in theirs]
    assert "Students" in [w for w, _, _ in ours] and "76%" in [w for w, _, _ in ours]
    for (word, x1, y1), (_, x2, y2) in zip(ours, theirs, strict=True):
        # Kerning between letters is the only difference: well under a point.
        assert abs(x1 - x2) < 1.0 and abs(y1 - y2) < 0.5, word


def test_letter_by_letter_text_goes_to_weasyprints_handler(monkeypatch):
    module = importlib.import_module("weasyprint.svg.text")
    calls = []
    monkeypatch.setattr(module, "text", lambda svg, node, size: calls.append(node.text))
    handler = _svgtext._make_handler(module)

    class Node:
        def __init__(self, text, **attrib):
            self.text, self.attrib = text, attrib

    monkeypatch.setattr(_svgtext, "_draw_run", lambda *a: calls.append("whole"))
    handler(None, Node("Wide", x="1", dx="0 2 2 2"), 9)
    handler(None, Node("Wide", x="1 5 9"), 9)
    handler(None, Node("Wide", x="1", y="2"), 9)
    assert calls == ["Wide", "Wide", "whole"]


def test_install_is_idempotent():
    assert _svgtext.install() and _svgtext.install()
    svg = importlib.import_module("weasyprint.svg")
    assert svg.TAGS["text"] is svg.text


def test_garbage_collector_is_held_during_the_layout_and_restored(monkeypatch):
    states = []
    write_pdf = weasyprint.HTML.write_pdf

    def spy(self, *args, **kwargs):
        states.append(gc.isenabled())
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", spy)
    assert gc.isenabled()
    pdf_bytes("<html><body><p>One</p></body></html>", base_url=".")
    assert states == [False] and gc.isenabled()
    gc.disable()
    try:
        pdf_bytes("<html><body><p>Two</p></body></html>", base_url=".")
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def _pdf_facts(pdf: bytes, tmp_path) -> tuple[str, int]:
    """The PDF's text (pdftotext -layout) and page count (pdfinfo)."""
    path = tmp_path / "facts.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return text, int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


@needs_poppler
def test_line_memo_lays_a_multi_page_table_out_as_weasyprint_does(tmp_path, monkeypatch):
    with_memo = pdf_bytes(TABLE_PAGE, base_url=".")
    assert _linecache.installed() == (weasyprint.__version__ in _linecache.CHECKED_VERSIONS)
    _linecache.uninstall()
    try:
        assert not _linecache.installed()
        monkeypatch.setattr(_linecache, "install", lambda: False)
        stock = pdf_bytes(TABLE_PAGE, base_url=".")
    finally:
        monkeypatch.undo()
        _linecache.install()
    text, pages = _pdf_facts(with_memo, tmp_path)
    assert pages >= 3 and "Economically" in text and f"Page {pages} of {pages}" in text
    assert (text, pages) == _pdf_facts(stock, tmp_path)
    assert with_memo == stock  # the same bytes, in fact


def test_line_memo_repeats_no_call_within_a_document_and_keeps_none_after(monkeypatch):
    if not _linecache.install():
        pytest.skip(f"WeasyPrint {weasyprint.__version__} is not a checked version")
    line_break = importlib.import_module("weasyprint.text.line_break")
    original = line_break.split_first_line.__wrapped__
    calls, contexts = [], []

    def counting(text, style, context, *args):
        calls.append((text, id(style), *args))
        contexts.append(context)
        return original(text, style, context, *args)

    memo = _linecache._make_memo(counting)
    for name in _linecache._MODULES:
        monkeypatch.setattr(importlib.import_module(name), "split_first_line", memo)
    pdf_bytes(TABLE_PAGE, base_url=".")
    assert calls and len(calls) == len(set(calls))  # each (text, style, width, ...) once
    first = len(calls)
    pdf_bytes(TABLE_PAGE, base_url=".")
    assert len(calls) == 2 * first  # the next document starts with an empty memo
    assert contexts[0] is not contexts[-1]


def test_line_memo_returns_a_copy_of_the_layout():
    line_break = importlib.import_module("weasyprint.text.line_break")
    layouts = []

    class Context:
        pass

    def fake(text, style, context, max_width, spacing, is_line_start=True, minimum=False):
        layouts.append(object.__new__(line_break.Layout))
        layouts[-1].text = text
        return layouts[-1], len(text), None, 10.0, 12.0, 9.0

    memo, context, style = _linecache._make_memo(fake), Context(), {}
    first = memo("Met", style, context, 50.0, 0)
    again = memo("Met", style, context, 50.0, 0)
    assert len(layouts) == 1 and first[1:] == again[1:]
    assert again[0] is not first[0] and layouts[0] not in (first[0], again[0])
    assert again[0].text == first[0].text == "Met"
    memo("Met", {}, context, 50.0, 0)  # another style object: laid out again
    memo("Met", style, context, 40.0, 0)  # another width
    memo("Met", style, None, 50.0, 0)  # no context to keep a memo on
    assert len(layouts) == 4


def test_line_memo_leaves_an_unchecked_weasyprint_version_alone(monkeypatch):
    _linecache.uninstall()
    try:
        monkeypatch.setattr(weasyprint, "__version__", "999.0")
        assert not _linecache.install() and not _linecache.installed()
    finally:
        monkeypatch.undo()
        _linecache.install()
