"""An executed lesson as a static HTML page: interactive cells (tagged ``interactive``) are
left out, and the precomputed table beside each stands in."""

from __future__ import annotations

from pathlib import Path

import nbformat

INTERACTIVE = "interactive"


def export_lesson(notebook, out) -> Path:
    """Write ``notebook`` (a path or a NotebookNode, executed) as HTML at ``out``, without
    the cells tagged ``interactive``."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = (
        notebook
        if isinstance(notebook, nbformat.NotebookNode)
        else nbformat.read(notebook, as_version=4)
    )
    exporter = HTMLExporter()
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={INTERACTIVE}, enabled=True), enabled=True
    )
    body, _ = exporter.from_notebook_node(nb)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    return out
