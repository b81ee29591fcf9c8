"""What a report page shows and how it is organised, apart from the template itself.

Filters an executed notebook down to what a reader may see, classes wide tables for the
print layout, and builds the contents list from the page's headings. Private to
:mod:`kit.report.export`.
"""

from __future__ import annotations

import copy
import hashlib
import html as html_lib
import re
import unicodedata

import nbformat

from kit.errors import RenderError

# Richest first; text/plain is shown only when nothing richer exists. LaTeX, PDF and
# JavaScript outputs need a renderer the page does not load, so they fall back to text.
PRIORITY = ["text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain"]
TOC_MARKER = "<!--kit:toc-->"
SUMMARY_MARKER = "<!--kit:toc-after-summary-->"
_REMOVE_TAGS = {"remove-cell", "remove_cell"}
_SCRIPT_TYPES = {"application/javascript", "application/vnd.jupyter.widget-view+json"}
_RICH_TYPES = set(PRIORITY) - {"text/plain"}


def prepare(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Copy ``nb`` without what a reader must never see; refuse notebooks that failed."""
    nb = copy.deepcopy(nb)
    cells = []
    for index, cell in enumerate(nb.cells):
        if _REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    raise RenderError(
                        f"Cell {index} failed with {output.get('ename', 'an error')}: "
                        f"{output.get('evalue', '')}",
                        cell=index,
                        fix="Fix the notebook or its parameters and run it again.",
                    )
            cell.outputs = [o for o in cell.get("outputs", []) if _shown(o)]
        cells.append(cell)
    nb.cells = cells
    return nb


def _shown(output: dict) -> bool:
    """False for stderr/stdin streams and script or widget outputs (their text is a repr)."""
    if output.get("output_type") == "stream":
        return output.get("name") == "stdout"
    data = set(output.get("data", {}))
    return not (data & _SCRIPT_TYPES) or bool(data & _RICH_TYPES)


_FIRST_ROW = re.compile(r"<tbody[^>]*>\s*<tr[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"""<t[hd](?:\s[^>]*?colspan=["']?(\d+))?[^>]*>""", re.I)


_ROW = re.compile(r"<tr[\s>]", re.I)


def table_width_class(output_html: str) -> str:
    """Classes for an HTML output by how many columns and rows its table has, for the
    print layout: ``kit-wide`` / ``kit-xwide`` (more than 8 / 12 columns), ``kit-long``
    (more than 12 body rows: it may break across pages, its header repeated, rather than
    leave most of a page blank)."""
    row = _FIRST_ROW.search(output_html)
    if row is None:
        return ""
    columns = sum(int(span or 1) for span in _CELL.findall(row.group(1)))
    classes = ["kit-xwide" if columns > 12 else "kit-wide" if columns > 8 else ""]
    body = output_html.split("<tbody", 1)[-1]
    if len(_ROW.findall(body)) > 12:
        classes.append("kit-long")
    return " ".join(c for c in classes if c)


def element_id(text: str, prefix: str = "kit") -> str:
    """A stable id for an element from its content (the same page gives the same ids)."""
    digest = hashlib.sha1(str(text).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{prefix}-{digest}"


_HEADING = re.compile(r"<h([23])((?:\s[^>]*)?)>(.*?)</h\1>", re.S | re.I)
_ID = re.compile(r"""\sid\s*=\s*["']([^"']*)["']""", re.I)


def add_contents(page: str) -> str:
    """Give every h2/h3 in the report body a stable id and fill the contents ``<nav>``."""
    head, _, rest = page.partition(TOC_MARKER)
    body, sep, tail = rest.partition('<footer class="kit-provenance">')
    used: set[str] = set()
    entries: list[tuple[int, str, str]] = []

    def add_id(m: re.Match[str]) -> str:
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).split())
        found = _ID.search(attrs)
        anchor = found.group(1) if found else _slug(text, used)
        used.add(anchor)
        entries.append((level, anchor, text))
        new_attrs = attrs if found else f' id="{anchor}"{attrs}'
        return f"<h{level}{new_attrs}>{inner}</h{level}>"

    body = _HEADING.sub(add_id, body)
    nav = _render_nav(entries)
    if SUMMARY_MARKER in body:
        # A report with a first-page summary: the contents list follows the summary, so
        # the summary opens the page (and the PDF's first page) right under the title.
        body = body.replace(SUMMARY_MARKER, nav, 1).replace(SUMMARY_MARKER, "")
        return head + body + sep + tail
    return head + nav + body + sep + tail


def _slug(text: str, used: set[str]) -> str:
    """``"sec-"`` + the heading's words, numbered ``-2``, ``-3``... when already used."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    anchor = "sec-" + (re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section")
    candidate, n = anchor, 2
    while candidate in used:
        candidate, n = f"{anchor}-{n}", n + 1
    return candidate


def _render_nav(entries: list[tuple[int, str, str]]) -> str:
    if not entries:
        return ""
    items = "\n".join(
        f'<li class="kit-toc-h{level}"><a href="#{html_lib.escape(anchor)}">{html_lib.escape(text)}</a></li>'
        for level, anchor, text in entries
    )
    # Printed, the list is two columns filled top to bottom: a grid of this many rows
    # (print.css). The style is inert on screen, where the list is a block. An odd count
    # leaves the second column a row short (print.css: no space under the list then).
    rows = (len(entries) + 1) // 2
    odd = ' class="kit-toc-odd"' if len(entries) % 2 else ""
    return (
        '<nav class="kit-toc" aria-labelledby="kit-toc-title">\n'
        '<h2 id="kit-toc-title" class="kit-toc-title">Contents</h2>\n'
        f'<ol{odd} style="grid-template-rows: repeat({rows}, auto)">\n{items}\n</ol>\n</nav>\n'
    )
