"""SVG ``<text>`` laid out as one run in WeasyPrint, instead of letter by letter.

WeasyPrint draws an inline SVG itself, and its ``<text>`` handler lays out every letter
as its own Pango layout so that it can honour per-letter ``x``/``y``/``dx``/``dy``/
``rotate`` lists, ``letter-spacing`` and ``textLength``. The kit's charts
(:mod:`kit.charts.svg`) use none of these: each label is one run at one point. Laying
such a run out once is the same text at the same place (only Pango's kerning between
letters, which the letter-by-letter path drops, comes back) and takes a fraction of the
time: the item analysis draws over 1,000 letters a report.

:func:`install` puts the fast handler in place (once per process); any ``<text>`` that
does use the per-letter features goes on to WeasyPrint's own handler. If WeasyPrint's SVG
module does not look as expected (another version), nothing is changed.
"""

from __future__ import annotations

import importlib
import threading
from math import inf
from typing import Any

__all__ = ["install"]

#: Attributes that place letters one by one: such text keeps WeasyPrint's own handler.
PER_LETTER = ("dx", "dy", "rotate", "letter-spacing", "textLength")


def _modules() -> tuple[Any, Any] | None:
    try:
        svg = importlib.import_module("weasyprint.svg")
        text_module = importlib.import_module("weasyprint.svg.text")
    except ImportError:  # pragma: no cover - WeasyPrint is a dependency
        return None
    tags = getattr(svg, "TAGS", None)
    original = getattr(text_module, "text", None)
    if not isinstance(tags, dict) or original is None or tags.get("text") is not original:
        return None
    if getattr(svg, "text", None) is not original or not hasattr(text_module, "TextBox"):
        return None
    return svg, text_module


def _single(value: str | None) -> bool:
    return value is None or len(value.replace(",", " ").split()) <= 1


def _make_handler(text_module: Any) -> Any:
    original = text_module.text

    def text(svg: Any, node: Any, font_size: float) -> None:
        """WeasyPrint's ``text`` for a run placed at one point, laid out in one piece."""
        if (
            not node.text
            or any(name in node.attrib for name in PER_LETTER)
            or not _single(node.attrib.get("x"))
            or not _single(node.attrib.get("y"))
        ):
            return original(svg, node, font_size)
        return _draw_run(svg, node, font_size, text_module)

    text.kit_whole_runs = True  # type: ignore[attr-defined]
    return text


def _draw_run(svg: Any, node: Any, font_size: float, text_module: Any) -> None:
    # The same steps as weasyprint.svg.text.text, for one run instead of each letter.
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import size
    from weasyprint.text.line_break import split_first_line

    style = text_module.Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    weight = {"normal": 400, "bold": 700}.get(weight, weight)
    try:
        style["font_weight"] = int(weight)
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")

    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)

    ascent, descent = font_size * 0.8, font_size * 0.2
    y_align = 0.0
    display_anchor = node.get("display-anchor")
    alignment = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        y_align = -height / 2
    elif display_anchor == "top":
        pass
    elif display_anchor == "bottom":
        y_align = -height
    elif alignment in ("central", "middle"):
        y_align = (ascent + descent) / 2 - descent
    elif alignment in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        y_align = ascent
    elif alignment in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        y_align = -descent

    x = y = None
    if "x" in node.attrib:
        x = size(node.attrib["x"].replace(",", " ").strip(), font_size, svg.inner_width)
        svg.cursor_d_position[0] = 0
    if "y" in node.attrib:
        y = size(node.attrib["y"].replace(",", " ").strip(), font_size, svg.inner_height)
        svg.cursor_d_position[1] = 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + y_align
    points = (
        (x_position, y_position - baseline),
        (x_position + width, y_position - baseline + height),
    )
    node.text_bounding_box = extend_bounding_box(node.text_bounding_box, points)

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = text_module.TextBox(layout, style)
    text_box.baseline = baseline
    matrix = Matrix(a=1, d=-1, e=x_position, f=y_position)
    emojis = draw_first_line(svg.stream, text_box, "none", "none", matrix)
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


_LOCK = threading.Lock()


def install() -> bool:
    """Have WeasyPrint lay out simple SVG text runs whole, in this process, from now on.

    Idempotent and thread-safe; returns whether the fast handler is in place (False with a
    WeasyPrint whose SVG module is not as expected, which then draws as it always has).
    Installed once rather than around each PDF: a swap back and forth would race with a
    PDF being laid out in another thread (a Dask worker's).
    """
    with _LOCK:
        svg = importlib.import_module("weasyprint.svg")
        if getattr(svg.TAGS.get("text"), "kit_whole_runs", False):
            return True
        found = _modules()
        if found is None:
            return False
        svg, text_module = found
        handler = _make_handler(text_module)
        # draw_node compares a node's handler with svg.text to apply text-anchor: set both.
        svg.TAGS["text"] = svg.text = handler
        return True
