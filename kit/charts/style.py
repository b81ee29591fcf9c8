"""The house style: one palette, one font size, figures that survive greyscale print."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Below-proficient levels in oranges, proficient and above in blues (colour-blind safe: no
# red/green contrast), ordered in lightness: each level darker than the one below it
# (CIE L* 60, 46, 33, 19), so the levels stay apart in greyscale print; every one at least
# 3:1 against the white page (WCAG 1.4.11), and each takes a label colour with 4.5:1
# (:func:`ink_on`). tests/charts/test_palette.py computes all of it from these values.
LEVEL_COLOURS = {
    4: ["#E07212", "#B15314", "#1F517C", "#132E50"],
    5: ["#E07212", "#B15314", "#595959", "#1A456A", "#102746"],
}
ACCENT = "#1F5F99"
MUTED = "#6B6B6B"
TEXT = "#1A1A1A"
WHITE = "#FFFFFF"

# How a chart's legend or alt text names a subject.
SUBJECT_WORDS = {"ELA": "English language arts", "MATH": "mathematics", "SCI": "science"}

# One colour, marker and hatch per subject, the same in every chart that compares
# subjects (the index models, the high-needs gap by school): apart in hue, in lightness
# (L* 33, 48, 57) and in shape, each at least 3:1 against white.
SUBJECT_COLOURS = {"ELA": "#1E4F81", "MATH": "#B05911", "SCI": "#2D9C64"}
SUBJECT_MARKERS = {"ELA": "o", "MATH": "s", "SCI": "D"}
SUBJECT_HATCHES = {"ELA": "", "MATH": "////", "SCI": "...."}
_OTHER_SUBJECTS = ["#5E3C99", "#6B6B6B", "#1A1A1A"]


def subject_colour(subject: str, i: int = 0) -> str:
    """The colour of a subject in every chart (a subject outside the three: by position)."""
    return SUBJECT_COLOURS.get(subject, _OTHER_SUBJECTS[i % len(_OTHER_SUBJECTS)])


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a ``#RRGGBB`` colour."""
    h = colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(fill: str) -> str:
    """The label colour for text drawn on ``fill``: white or the text colour, whichever
    contrasts more (both palettes are chosen so that it reaches 4.5:1)."""
    return WHITE if contrast_ratio(fill, WHITE) >= contrast_ratio(fill, TEXT) else TEXT


RC = {
    "font.size": 9,
    "font.family": "DejaVu Sans",
    "axes.edgecolor": MUTED,
    "axes.labelcolor": TEXT,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "svg.hashsalt": "kit",
}


@dataclass(frozen=True)
class Chart:
    """A figure and the sentence that says what it shows (the HTML ``alt`` text).

    Either a matplotlib ``fig`` (shown as PNG) or ``svg`` text from :mod:`kit.charts.svg`
    (shown as SVG, ``width`` inches wide)."""

    fig: Figure | None
    alt: str
    title: str
    svg: str | None = None
    width: float | None = None

    def to_dict(self) -> dict:
        return {"alt": self.alt, "title": self.title}

    def png(self, dpi: int = 144) -> bytes:
        """The matplotlib figure as PNG bytes (an SVG chart has no figure: use ``svg``)."""
        if self.fig is None:
            raise ValueError(f"{self.title!r} is an SVG chart: its image is chart.svg")
        buf = io.BytesIO()
        # No Software/date metadata: the same data give byte-identical images.
        # Constrained layout already fits labels and legend: one draw, no "tight" re-draw.
        # compress_level 1: a little larger, encoded several times faster.
        self.fig.savefig(
            buf,
            format="png",
            dpi=dpi,
            metadata={"Software": None},
            pil_kwargs={"compress_level": 1},
        )
        return buf.getvalue()


def new_figure(
    width: float = 7.0, height: float = 3.0, *, layout: str | None = "constrained"
) -> tuple[Figure, plt.Axes]:
    """A figure in the house style. ``layout=None`` leaves margins to :func:`set_margins`."""
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(width, height), layout=layout)
    return fig, ax


def label_width_in(labels, fontsize: float = 9.0) -> float:
    """Width in inches of the longest label, estimated without drawing (DejaVu Sans)."""
    longest = max((len(str(x)) for x in labels), default=0)
    return longest * fontsize * 0.58 / 72


def set_margins(fig: Figure, *, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in inches. Charts drawn for every report use this instead of a layout
    engine: one draw instead of two keeps a batch of thousands of reports fast."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h)


def chart_description(chart: Chart) -> str:
    """What the chart shows, in words (its alt text), without the title it opens with: the
    report gives the chart the title as its name and this as its description."""
    alt = chart.alt.strip()
    if alt.startswith(chart.title):
        rest = alt[len(chart.title) :].lstrip(".: ").strip()
        return rest or alt
    return alt


def show_chart(chart: Chart) -> None:
    """Display a chart in a notebook, as SVG or PNG: its title as the image's name (alt)
    and what it shows as its description; free a figure."""
    from IPython.display import display

    about = {"alt": chart.title, "kit_description": chart_description(chart)}
    if chart.svg is not None:
        width = round((chart.width or 7.0) * 96)
        display(
            {"image/svg+xml": chart.svg, "text/plain": chart.alt},
            raw=True,
            metadata={"image/svg+xml": {**about, "width": width}},
        )
        return
    png = chart.png(dpi=144)
    # Shown at 96 px per inch: 144 dpi images are sharp on screen and in print.
    width = int.from_bytes(png[16:20], "big") * 96 // 144
    display(
        {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": chart.alt},
        raw=True,
        metadata={"image/png": {**about, "width": width}},
    )
    plt.close(chart.fig)
