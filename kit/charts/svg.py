"""Vector charts written directly as SVG, for the charts drawn thousands of times a batch.

Matplotlib spends most of a report's render time creating tick artists and rasterising
text; the item analysis draws about twenty simple bar charts per school. Those charts are
written here as SVG text instead: about a millisecond each, sharp at any zoom and in print
(WeasyPrint draws SVG), and a few kilobytes. The look follows :mod:`kit.charts.style`: the
same palette, DejaVu Sans, 9-point text, no top or right spine.

Coordinates are points (1/72 inch) from the top-left corner; the ``<svg>`` element carries
its size in inches so it prints at the intended size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape

from kit.charts.style import MUTED, TEXT, Chart

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
PT_PER_IN = 72.0
AXIS_BELOW = 40.0  # points under a value axis for its tick labels, its label and a gap


def _num(x: float) -> str:
    """Short, stable number text: the same data give byte-identical SVG."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def text_width(text: str, size: float) -> float:
    """Width in points of ``text`` at ``size`` points, estimated for DejaVu Sans."""
    return len(str(text)) * size * 0.58


def fit(text: object, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points at ``size`` points."""
    text = str(text)
    if text_width(text, size) <= width:
        return text
    keep = max(int(width / (size * 0.58)) - 1, 1)
    return text[:keep].rstrip() + "\u2026"


def label_margin(labels, size: float, chart_width: float, most: float = 0.4) -> float:
    """Left margin in points for y-axis ``labels``: their width plus the tick and a gap, at
    most ``most`` of the chart's width (longer labels are shortened with :func:`fit`)."""
    widest = max((text_width(x, size) for x in labels), default=0.0)
    return min(widest + 0.2 * PT_PER_IN, most * chart_width)


def legend_row(size: float = 7) -> float:
    """Height in points of one legend row."""
    return size * 1.6


def legend_height(entries: int, columns: int = 3, size: float = 7) -> float:
    """Height in points of a legend of ``entries`` in rows of ``columns``."""
    return -(-entries // max(columns, 1)) * legend_row(size) if entries else 0.0


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    span = high - low
    if not (math.isfinite(low) and math.isfinite(span) and span > 0):
        return [low] if math.isfinite(low) else []
    raw = span / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    ticks = []
    for i in range(2 * most + 2):  # bounded: never more than about ``most`` ticks
        t = (first + i) * step
        if t > high + step * 1e-9:
            break
        ticks.append(round(t, 10) + 0.0)
    return ticks


def tick_label(value: float) -> str:
    """Tick text as matplotlib writes it: integers without a decimal point, minus sign."""
    if not math.isfinite(value):
        return ""
    text = f"{value:g}" if value != int(value) else f"{int(value)}"
    return text.replace("-", "\u2212")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: object) -> str:
    """``text`` escaped for SVG, without the control characters XML does not allow."""
    return escape(_NOT_XML.sub("", str(text)))


@dataclass
class Scale:
    """Maps data values in [d0, d1] to positions in [p0, p1] (points)."""

    d0: float
    d1: float
    p0: float
    p1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return self.p0
        return self.p0 + (value - self.d0) * (self.p1 - self.p0) / (self.d1 - self.d0)


@dataclass
class Svg:
    """An SVG drawing ``width`` x ``height`` inches, built element by element."""

    width: float  # inches
    height: float  # inches
    parts: list[str] = field(default_factory=list)
    defs: list[str] = field(default_factory=list)

    @property
    def w(self) -> float:
        return self.width * PT_PER_IN

    @property
    def h(self) -> float:
        return self.height * PT_PER_IN

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: str,
        *,
        stroke: str | None = None,
        cls: str | None = None,
    ) -> None:
        if w < 0:
            x, w = x + w, -w
        if h < 0:
            y, h = y + h, -h
        extra = f' stroke="{stroke}" stroke-width="0.75"' if stroke else ""
        extra += f' class="{cls}"' if cls else ""
        self.parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
            f'height="{_num(h)}" fill="{fill}"{extra}/>'
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        stroke: str = MUTED,
        width: float = 0.8,
        dash: str | None = None,
        cls: str | None = None,
    ) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' class="{cls}"' if cls else ""
        self.parts.append(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" '
            f'y2="{_num(y2)}" stroke="{stroke}" stroke-width="{_num(width)}"'
            f"{extra}/>"
        )

    def polyline(
        self,
        points: list[tuple[float, float]],
        *,
        stroke: str,
        width: float = 1.5,
        dash: str | None = None,
        cls: str | None = None,
    ) -> None:
        """A line through ``points`` (at least two), with round joins."""
        if len(points) < 2:
            return
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' class="{cls}"' if cls else ""
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self.parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{stroke}" '
            f'stroke-width="{_num(width)}" stroke-linejoin="round"{extra}/>'
        )

    def marker(
        self,
        x: float,
        y: float,
        shape: str,
        size: float,
        fill: str,
        *,
        edge: str | None = None,
        cls: str | None = None,
    ) -> None:
        """A marker as matplotlib draws one: ``shape`` ``o`` (circle), ``s`` (square), ``D``
        (diamond) or ``^`` (triangle), ``size`` points across."""
        extra = f' stroke="{edge}" stroke-width="0.5"' if edge else ""
        extra += f' class="{cls}"' if cls else ""
        r = size / 2
        if shape == "o":
            self.parts.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{fill}"{extra}/>'
            )
            return
        if shape == "s":
            pts = [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
        elif shape == "D":
            d = r * 1.2  # matplotlib's diamond reaches a little further than the square
            pts = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
        else:
            pts = [(x, y - r), (x + r, y + r), (x - r, y + r)]
        path = " ".join(f"{_num(a)},{_num(b)}" for a, b in pts)
        self.parts.append(f'<polygon points="{path}" fill="{fill}"{extra}/>')

    def hatch(self, name: str, colour: str, kind: str) -> str:
        """A fill of ``colour`` with white hatching (matplotlib's ``////`` or ``....``), as a
        pattern; returns the ``fill`` value that uses it (the colour itself for no hatch)."""
        if kind not in ("////", "...."):
            return colour
        pid = f"h-{name}"
        if kind == "////":
            size = 5.5
            marks = (
                '<path d="M-1,6.5 L6.5,-1 M-1,1 L1,-1 M4.5,6.5 L6.5,4.5" stroke="#FFFFFF" '
                'stroke-width="1"/>'
            )
        else:
            size = 4.0
            marks = '<circle cx="2" cy="2" r="0.7" fill="#FFFFFF"/>'
        side = _num(size)
        self.defs.append(
            f'<pattern id="{pid}" width="{side}" height="{side}" patternUnits="userSpaceOnUse">'
            f'<rect width="{side}" height="{side}" fill="{colour}"/>{marks}</pattern>'
        )
        return f"url(#{pid})"

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 9,
        anchor: str = "start",
        middle: bool = True,
        fill: str = TEXT,
        bold: bool = False,
        rotate: float | None = None,
    ) -> None:
        """Text at (x, y); ``middle`` centres it vertically on y, else y is the baseline."""
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += ' dominant-baseline="central"' if middle else ""
        attrs += ' font-weight="bold"' if bold else ""
        attrs += f' fill="{fill}"' if fill != TEXT else ""
        if rotate is not None:
            attrs += f' transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"'
        self.parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"'
            f"{attrs}>{clean(text)}</text>"
        )

    def title(self, text: str) -> None:
        """The chart title, bold, top left (as :func:`kit.charts.items._title` places it)."""
        # The baseline sits a cap height (about 0.75 em) below the 0.08-inch top margin.
        self.text(0.01 * self.w, 0.08 * PT_PER_IN + 7.5, text, size=10, bold=True, middle=False)

    def legend(
        self, entries: list[tuple[str, str]], *, bottom: float, columns: int = 3, size: float = 7
    ) -> None:
        """Swatches and labels in rows of ``columns``, centred, the last row ``bottom``
        points above the bottom edge; each column as wide as its longest label."""
        if not entries:
            return
        columns = max(1, min(columns, len(entries)))
        rows = [entries[i : i + columns] for i in range(0, len(entries), columns)]
        widths = [
            max(text_width(row[c][0], size) for row in rows if c < len(row)) + 3.2 * size
            for c in range(columns)
        ]
        left = (self.w - sum(widths) + 1.5 * size) / 2
        for r, row in enumerate(rows):
            y = self.h - bottom - (len(rows) - 1 - r) * legend_row(size)
            x = left
            for (label, colour), width in zip(row, widths, strict=False):
                self.rect(x, y - size * 0.45, size * 1.3, size * 0.9, colour)
                self.text(x + size * 1.7, y, label, size=size)
                x += width

    def chart(self, title: str, alt: str) -> Chart:
        """The finished drawing as a :class:`Chart`: the SVG's ``<title>`` is the chart's
        title, its ``<desc>`` the alt text (the finding)."""
        return Chart(
            fig=None, alt=alt, title=title, svg=self.to_string(alt, title), width=self.width
        )

    def to_string(self, alt: str, title: str | None = None) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(self.width)}in" '
            f'height="{_num(self.height)}in" viewBox="0 0 {_num(self.w)} {_num(self.h)}" '
            f'role="img" aria-labelledby="t d" font-family="{FONT}" font-size="9" '
            f'fill="{TEXT}"><title id="t">{clean(title or alt)}</title>'
            f'<desc id="d">{clean(alt)}</desc>'
        )
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        return head + defs + "".join(self.parts) + "</svg>"


def tick_room(length: float, size: float = 9, vertical: bool = False) -> int:
    """How many ticks matplotlib's automatic locator puts on an axis ``length`` points long
    (it leaves three label heights a tick across, two up): for :func:`nice_ticks`."""
    return max(int(length // (size * (2 if vertical else 3))), 1) + 1


def value_axis(
    svg: Svg,
    scale: Scale,
    *,
    at: float,
    vertical: bool,
    label: str | None = None,
    label_at: float | None = None,
    most: int = 6,
    ticks: list[float] | None = None,
    labels: list[str] | None = None,
    colour: str | None = None,
) -> None:
    """Spine, ticks and tick labels for a numeric axis, and its label.

    ``vertical``: a y axis drawn at x = ``at`` (ticks to the left); else an x axis at
    y = ``at`` (ticks below). ``label_at`` is the label's x (y axis) or y (x axis)."""
    low, high = sorted((scale.d0, scale.d1))
    values = nice_ticks(low, high, most) if ticks is None else ticks
    names = [tick_label(t) for t in values] if labels is None else labels
    ink = colour or TEXT
    if vertical:
        svg.line(at, scale.p0, at, scale.p1, cls="spine")
        for t, name in zip(values, names, strict=True):
            y = scale(t)
            svg.line(at - 3.5, y, at, y, stroke=MUTED)
            svg.text(at - 5, y, name, anchor="end", fill=ink)
        if label:
            mid = (scale.p0 + scale.p1) / 2
            svg.text(
                label_at if label_at is not None else at - 32,
                mid,
                label,
                anchor="middle",
                rotate=-90,
            )
    else:
        svg.line(scale.p0, at, scale.p1, at, cls="spine")
        for t, name in zip(values, names, strict=True):
            x = scale(t)
            svg.line(x, at, x, at + 3.5, stroke=MUTED)
            svg.text(x, at + 10, name, anchor="middle", fill=ink)
        if label:
            svg.text(
                (scale.p0 + scale.p1) / 2,
                label_at if label_at is not None else at + 24,
                label,
                anchor="middle",
            )
