"""Achievement levels by student group (PIM 0-B), written as SVG (:mod:`kit.charts.svg`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from kit._frames import records
from kit.charts.style import LEVEL_COLOURS, MUTED, Chart, ink_on
from kit.charts.svg import AXIS_BELOW, Scale, Svg, fit, label_margin, legend_height, value_axis
from kit.charts.svg import PT_PER_IN as IN
from kit.fmt import fmt_pct
from kit.fmt import shown as shown_value


def plot_levels_by_group(
    view: pd.DataFrame,
    level_names: tuple[str, ...] | list[str],
    *,
    proficient_level: int,
    title: str,
) -> Chart:
    """Stacked horizontal bars: the share of each reported group at each achievement level.

    Suppressed groups are left out (the table and the sentence name them). The label at
    the end of each bar is the percent proficient or above, as in the table.
    """
    shown = view[~view["suppressed"]].reset_index(drop=True)
    k = len(level_names)
    colours = LEVEL_COLOURS.get(k) or [
        to_hex(c) for c in plt.get_cmap("PuOr")(np.linspace(0.1, 0.9, k))
    ]
    n = len(shown)
    below = AXIS_BELOW + legend_height(k, k, 8) + 8
    svg = Svg(7.0, 0.38 + 0.1 + 0.25 * max(n, 1) + below / IN)
    left = label_margin(shown["label"], 9, svg.w)
    right, top, bottom = svg.w - 0.1 * IN, 0.38 * IN, svg.h - below
    x = Scale(0, 113, left, right)
    y = Scale(-0.6, n - 0.1, bottom, top)
    half = 0.36 * (y(0) - y(1))
    for i, rec in enumerate(records(shown)):
        yi = y(n - 1 - i)
        start = 0.0
        for lv in range(1, k + 1):
            share = rec[f"pct_l{lv}"]
            share = 0.0 if share is None or share != share else float(share)
            svg.rect(
                x(start),
                yi - half,
                x(start + share) - x(start),
                2 * half,
                colours[lv - 1],
                stroke="white",
                cls="bar",
            )
            if share >= 9:
                svg.text(
                    x(start + share / 2),
                    yi,
                    f"{share:.0f}",
                    size=7.5,
                    anchor="middle",
                    fill=ink_on(colours[lv - 1]),
                )
            start += share
        svg.line(left - 3.5, yi, left, yi)
        svg.text(left - 5, yi, fit(rec["label"], 9, left - 8), anchor="end")
        svg.text(x(101.5), yi, fmt_pct(rec["pct_proficient"], 0), size=8)
    svg.text(x(101.5), y(n - 0.45) - 1.5, "proficient+", size=7, fill=MUTED, middle=False)
    svg.line(left, top, left, bottom, cls="spine")
    value_axis(
        svg,
        Scale(0, 100, x(0), x(100)),
        at=bottom,
        vertical=False,
        label="Percent of accountable tested students",
        label_at=bottom + 24,
    )
    svg.title(title)
    svg.legend(list(zip(level_names, colours, strict=True)), bottom=8, columns=k, size=8)
    return svg.chart(title, _alt_text(shown, title))


def _alt_text(shown: pd.DataFrame, title: str) -> str:
    if shown.empty:
        return f"{title}: no group is large enough to report."
    all_rows = shown[shown["group"] == "all"]
    # Lowest and highest among the bars the chart draws (every reported group but all
    # students), so the alt text never names a group from another set than the picture.
    groups = shown[shown["group"] != "all"].dropna(subset=["pct_proficient"])
    parts = [f"{title}."]
    if len(all_rows):
        parts.append(
            f"{fmt_pct(all_rows['pct_proficient'].iloc[0])} of all students scored "
            "proficient or above."
        )
    if len(groups):
        ranked = groups.assign(_shown=groups["pct_proficient"].map(shown_value))
        low = ranked.sort_values(["_shown", "group"]).iloc[0]
        high = ranked.sort_values(["_shown", "group"], ascending=[False, True]).iloc[0]
        parts.append(
            f"Lowest: {low['label']} at {fmt_pct(low['pct_proficient'])}; "
            f"highest: {high['label']} at {fmt_pct(high['pct_proficient'])}."
        )
    return " ".join(parts)
