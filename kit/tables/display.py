"""Show a table or generated Markdown in a notebook, and so in the HTML and PDF report.

Tables are written as accessible HTML (a caption, column headers, row headers); every
report family's ``tab_*`` returns a DataFrame of display strings for :func:`show_table`.
"""

from __future__ import annotations

import hashlib
import html
import re

import pandas as pd

# A cell that reads as a figure: 91.5, -14.6, +2.8, 43.6%, 1,137, 0-100, 467.0 (91%), <10,
# 0.0 of 16, 3 of 8, 70.0 - 100 (PBMAS cut points, with a non-breaking hyphen). Cells that
# say nothing either way (blank, dashes, n/r) are not counted.
_FIGURE = re.compile(
    r"[<>≥≤]?\s*[-+\u2212]?[\d,]*\.?\d+\s*(%|pts?)?"
    r"(\s*([-\u2011\u2013]|of|/)\s*[\d,]*\.?\d+%?)?(\s*\([^)]*\))?\*?"
)
_NEUTRAL = {"", "-", "\u2014", "\u2013", "*", "n/r", "n/a", "na", "nd"}


def word_columns(table: pd.DataFrame) -> set:
    """The columns set left as words: those named in ``table.attrs["text_columns"]``, and
    those most of whose cells are not figures ("What it asks", "Type", "AYP", "Status")."""
    words = set(table.attrs.get("text_columns", ()))
    for col in table.columns[1:]:
        cells = [str(v).strip() for v in table[col]]
        cells = [c for c in cells if c.lower() not in _NEUTRAL]
        figures = sum(bool(_FIGURE.fullmatch(c)) for c in cells)
        if cells and figures * 2 < len(cells):
            words.add(col)
    return words


def table_html(table: pd.DataFrame, caption: str) -> str:
    """Accessible HTML: a caption, column headers and row headers (the first column).

    Columns of words, not figures (:func:`word_columns`), are set left
    (``class="kit-words"``); every other cell is right-aligned like a figure.

    The table sits in a region named by its caption that scrolls sideways when a narrow
    window cannot fit it, and that a keyboard can reach (``tabindex="0"``) so the last
    columns are never out of reach (WCAG 2.1.1; axe ``scrollable-region-focusable``).
    """
    words = word_columns(table)
    classes = [' class="kit-words"' if c in words else "" for c in table.columns]
    head = "".join(
        f'<th scope="col"{cls}>{html.escape(str(c))}</th>'
        for cls, c in zip(classes, table.columns, strict=True)
    )
    classes = classes[1:]
    body = []
    for rec in table.itertuples(index=False):
        cells = [f'<th scope="row">{html.escape(str(rec[0]))}</th>']
        cells += [
            f"<td{cls}>{html.escape(str(v))}</td>" for cls, v in zip(classes, rec[1:], strict=True)
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    # A stable id from the caption and the cells: the same table gives the same page.
    digest = hashlib.sha1(f"{caption}\x00{''.join(body)}".encode()).hexdigest()[:10]
    cap_id = f"kit-cap-{digest}"
    return (
        f'<div class="kit-table-scroll" role="region" aria-labelledby="{cap_id}" tabindex="0">'
        f'<table class="kit-table"><caption id="{cap_id}">{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def show_table(table: pd.DataFrame, caption: str) -> None:
    """Display a table in a notebook (and so in the HTML and PDF report)."""
    from IPython.display import HTML, display

    display(HTML(table_html(table, caption)))


def show_markdown(text: str) -> None:
    """Display generated Markdown (narrative paragraphs) in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def show_summary(text: str) -> None:
    """Display a report's first-page summary (Markdown under a "Summary" heading): marked so
    that the page sets it apart (``<section class="kit-summary">``) and puts the contents
    list after it, where the PDF's first page has room for both."""
    from IPython.display import Markdown, display

    display(Markdown(text), metadata={"kit_summary": True})
