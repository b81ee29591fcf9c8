"""The house style: one palette, one font size, figures that survive greyscale print."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Below-proficient levels in oranges, proficient and above in blues (colour-blind safe:
# no red/green contrast), dark-light-light-dark so the two ends stay apart in greyscale.
LEVEL_COLOURS = {
    4: ["#A6561B", "#F0B86E", "#8CC0E3", "#1F5F99"],
    5: ["#A6561B", "#F0B86E", "#D9D9D9", "#8CC0E3", "#1F5F99"],
}
ACCENT = "#1F5F99"
MUTED = "#6B6B6B"
TEXT = "#1A1A1A"

# How a chart's legend or alt text names a subject.
SUBJECT_WORDS = {"ELA": "English language arts", "MATH": "mathematics", "SCI": "science"}

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


def show_chart(chart: Chart) -> None:
    """Display a chart in a notebook, as SVG or PNG, carrying its alt text; free a figure."""
    from IPython.display import display

    if chart.svg is not None:
        width = round((chart.width or 7.0) * 96)
        display(
            {"image/svg+xml": chart.svg, "text/plain": chart.alt},
            raw=True,
            metadata={"image/svg+xml": {"alt": chart.alt, "width": width}},
        )
        return
    png = chart.png(dpi=144)
    # Shown at 96 px per inch: 144 dpi images are sharp on screen and in print.
    width = int.from_bytes(png[16:20], "big") * 96 // 144
    display(
        {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": chart.alt},
        raw=True,
        metadata={"image/png": {"alt": chart.alt, "width": width}},
    )
    plt.close(chart.fig)
