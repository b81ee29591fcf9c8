"""Show a table or generated Markdown in a notebook, and so in the HTML and PDF report.

Tables are written as accessible HTML (a caption, column headers, row headers); every
report family's ``tab_*`` returns a DataFrame of display strings for :func:`show_table`.
"""

from __future__ import annotations

import html

import pandas as pd


def table_html(table: pd.DataFrame, caption: str) -> str:
    """Accessible HTML: a caption, column headers and row headers (the first column).

    Columns named in ``table.attrs["text_columns"]`` (words, not figures) are set left
    (``class="kit-words"``); every other cell is right-aligned like a figure.
    """
    words = set(table.attrs.get("text_columns", ()))
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
    return (
        f'<table class="kit-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def show_table(table: pd.DataFrame, caption: str) -> None:
    """Display a table in a notebook (and so in the HTML and PDF report)."""
    from IPython.display import HTML, display

    display(HTML(table_html(table, caption)))


def show_markdown(text: str) -> None:
    """Display generated Markdown (narrative paragraphs) in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(text))
