"""WeasyPrint's line splitting remembered for the rest of a document.

WeasyPrint shapes the same text with the same style and width several times in one
document: each table cell's text once for its narrowest width (``max_width`` 0), once for
its widest (no width) and again when the cell is laid out at its column's width; the
first page once per pass that fills in the contents' page numbers (three passes); a table
pushed whole to the next page. Each time is a new Pango layout (context, font description,
shaping): about a fifth of a kit report's PDF time, and about half of those calls repeat
one made earlier in the same document.

``weasyprint.text.line_break.split_first_line`` is a function of its arguments alone
(the text, the style, the width, the justification spacing, two flags), given the
document's fonts: its result is a *deactivated* ``Layout`` (the text and a few numbers,
no Pango object) and numbers. :func:`install` wraps it so that a call repeated within a
document returns the first call's result, each caller with its own shallow copy of the
``Layout`` (a text box's layout is reactivated and changed when it is drawn). The memo hangs on the
document's ``LayoutContext`` and goes with it: nothing is kept from one report to the next,
so a report's PDF is the same whatever was laid out before it. The key holds the style by
identity (the memo entry keeps the style alive, so its id is not reused while the memo
lives); WeasyPrint copies a style before it changes one (a cell's height, a first line),
so a style object's text properties do not change during a layout.

Only for the WeasyPrint versions whose source this was checked against
(:data:`CHECKED_VERSIONS`), with the same signature; any other version lays out as it
always has. ``tests/report/test_pdf_layout.py`` lays out a multi-page table with and
without the memo and compares the text and page count.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import threading
from typing import Any

__all__ = ["CHECKED_VERSIONS", "install", "installed", "uninstall"]

#: WeasyPrint versions whose ``split_first_line`` (text/line_break.py) and callers
#: (layout/inline.py, layout/preferred.py, svg/text.py) were read for this memo.
CHECKED_VERSIONS = frozenset({"70.0"})

#: Modules that import ``split_first_line`` by name at import time (svg/text.py and
#: preferred.py's inner import read it from these modules at call time).
_MODULES = ("weasyprint.text.line_break", "weasyprint.layout.inline", "weasyprint.layout.preferred")
_PARAMETERS = (
    "text",
    "style",
    "context",
    "max_width",
    "justification_spacing",
    "is_line_start",
    "minimum",
)
_ATTRIBUTE = "_kit_first_lines"
_LOCK = threading.Lock()
_ORIGINAL: dict[str, Any] = {}


def _make_memo(original: Any) -> Any:
    def split_first_line(
        text: str,
        style: Any,
        context: Any,
        max_width: Any,
        justification_spacing: Any,
        is_line_start: bool = True,
        minimum: bool = False,
    ) -> Any:
        memo = getattr(context, "__dict__", None)
        if memo is None:  # no layout context to keep the memo on
            return original(
                text, style, context, max_width, justification_spacing, is_line_start, minimum
            )
        lines = memo.get(_ATTRIBUTE)
        if lines is None:
            lines = memo[_ATTRIBUTE] = {}
        key = (text, id(style), max_width, justification_spacing, is_line_start, minimum)
        found = lines.get(key)
        if found is None:
            found = lines[key] = (
                style,
                original(
                    text, style, context, max_width, justification_spacing, is_line_start, minimum
                ),
            )
        # Every caller gets its own copy: the kept layout is never handed out.
        layout, *rest = found[1]
        return (copy.copy(layout), *rest)

    split_first_line.kit_memo = True  # type: ignore[attr-defined]
    split_first_line.__wrapped__ = original  # type: ignore[attr-defined]
    return split_first_line


def _supported() -> Any:
    """WeasyPrint's own ``split_first_line`` if this version was checked, else None."""
    try:
        weasyprint = importlib.import_module("weasyprint")
        line_break = importlib.import_module("weasyprint.text.line_break")
    except ImportError:  # pragma: no cover - WeasyPrint is a dependency
        return None
    if getattr(weasyprint, "__version__", None) not in CHECKED_VERSIONS:
        return None
    original = getattr(line_break, "split_first_line", None)
    if original is None or getattr(original, "kit_memo", False):
        return None
    try:
        names = tuple(inspect.signature(original).parameters)
    except (TypeError, ValueError):  # pragma: no cover
        return None
    return original if names == _PARAMETERS else None


def installed() -> bool:
    """Whether WeasyPrint's ``split_first_line`` is the memo in this process."""
    line_break = importlib.import_module("weasyprint.text.line_break")
    return bool(getattr(line_break.split_first_line, "kit_memo", False))


def install() -> bool:
    """Put the memo in place (once per process; idempotent, thread-safe).

    Returns whether it is in place: False for a WeasyPrint version not in
    :data:`CHECKED_VERSIONS`, which then lays out as it always has.
    """
    with _LOCK:
        if installed():
            return True
        original = _supported()
        if original is None:
            return False
        modules = [importlib.import_module(name) for name in _MODULES]
        if any(getattr(m, "split_first_line", None) is not original for m in modules):
            return False  # someone else has replaced it: leave it be
        memo = _make_memo(original)
        for module in modules:
            _ORIGINAL[module.__name__] = original
            module.split_first_line = memo  # type: ignore[attr-defined]
        return True


def uninstall() -> None:
    """Put WeasyPrint's own ``split_first_line`` back (for tests)."""
    with _LOCK:
        for name, original in _ORIGINAL.items():
            importlib.import_module(name).split_first_line = original  # type: ignore[attr-defined]
        _ORIGINAL.clear()
